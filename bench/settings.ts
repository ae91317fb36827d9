/**
 * What `npm run bench` runs with: the BENCH_* environment, the write store it found, the
 * latency profiles, and the driver's clock, log and API key.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { fromRoot } from '../src/index.ts';
import type { SystemName } from '@switchboard/sandbox';
import type { Latencies } from './workloads.ts';

const numberFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
};
export const QUICK = process.env.BENCH_QUICK === '1';
export const DURATION_S = numberFromEnv('BENCH_DURATION_S', QUICK ? 2 : 4);
export const SOAK_ROUNDS = numberFromEnv('BENCH_SOAK_ROUNDS', 5);
export const SOAK_LOAD_S = numberFromEnv('BENCH_SOAK_LOAD_S', QUICK ? 4 : 30);
export const SOAK_CALM_S = numberFromEnv('BENCH_SOAK_CALM_S', QUICK ? 1 : 10);
export const SOAK_CONNECTIONS = 10;
export const CONTACTS = numberFromEnv('BENCH_CONTACTS', 100_000);
export const CONCURRENCY = [1, 10, 50];
/** Replays of each cold call graph (sequential, after three warm-up runs). */
export const REPLAY_RUNS = QUICK ? 10 : 40;
/** Replays of each of the query mix's call graphs (one after another, the mix in order, this many times over). */
export const MIX_REPLAY_ROUNDS = QUICK ? 1 : 2;
export const THROUGHPUT_CONNECTIONS = 50;
export const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
/**
 * The write store as production runs it (PostgreSQL): BENCH_DATABASE_URL, else the local
 * server when it answers; only without one does the gateway fall back to the embedded store,
 * whose memory then counts as the gateway's. The embedded store is measured on its own at the end.
 */
async function chooseDatabase(): Promise<{ url?: string; label: string }> {
  const given = process.env.BENCH_DATABASE_URL?.trim();
  if (given) return { url: given, label: 'PostgreSQL (BENCH_DATABASE_URL)' };
  const client = new pg.Client({ connectionString: LOCAL_POSTGRES, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return { url: LOCAL_POSTGRES, label: 'PostgreSQL (127.0.0.1:5432)' };
  } catch {
    return { label: 'the embedded SQLite store (in the gateway process; no PostgreSQL answered on 127.0.0.1:5432)' };
  } finally {
    await client.end().catch(() => undefined);
  }
}
export const DATABASE = await chooseDatabase();
export const SYSTEMS: readonly SystemName[] = ['crm', 'billing', 'chat'];

export const REALISTIC: Latencies = { crm: 20, billing: 30, chat: 15 };
export const ZERO: Latencies = { crm: 0, billing: 0, chat: 0 };
export const JITTER = 0.2;

export const RESULTS_DIR = fileURLToPath(fromRoot('bench/results/'));
export const started = Date.now();
export const log = (message: string) => console.log(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${message}`);
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A key made per run: the gateway holds only its hash (SWITCHBOARD_API_KEYS), as in production. */
export const BENCH_KEY = `sbk_bench_${randomBytes(24).toString('base64url')}`;
export const AUTH = { authorization: `Bearer ${BENCH_KEY}` };

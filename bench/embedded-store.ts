/**
 * The embedded write store's cost, as a user meets it: the gateway started as `npm start`
 * starts it (`node --max-old-space-size=192 dist/src/main.js serve`, compiled, no
 * DATABASE_URL, a fresh data directory) in a process of its own; then the first write
 * (an `updateContact`, after one read so that what any first request costs is not counted), a run of cross-system writes (`onboardCustomer`) one at a time and
 * then ten at once, reading the process's RSS from /proc after each phase and sampling its
 * peak every 50 ms.
 *
 * Part of `npm run bench`; alone (a small sandbox in this process): `npm run build && npx tsx bench/embedded-store.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromRoot } from '../src/index.ts';
import type { SystemName } from '@switchboard/sandbox';
import { SANDBOX_CREDENTIALS } from '@switchboard/sandbox';
import { START_NODE_FLAGS, benchGatewayEnv } from './gateway-env.ts';

export interface EmbeddedStoreFigures {
  /** What the store is (the backend the gateway reports). */
  engine: string;
  idleRssMb: number;
  /** The first request after start, a read of the contact the first write then changes. */
  firstReadMs: number;
  /** The first write after start: an updateContact, end to end (one CRM call included). */
  firstWriteMs: number;
  /** The same mutation once the store is open: what the first one cost beyond it is the store's opening. */
  secondWriteMs: number;
  rssAfterFirstWriteMb: number;
  crossSystemWrites: number;
  /** p50 of the cross-system writes sent one at a time. */
  crossSystemP50Ms: number;
  rssAfterWritesMb: number;
  /** Peak RSS, sampled every 50 ms from start to the end of the concurrent writes. */
  peakRssMb: number;
  failedWrites: number;
}

const SEQUENTIAL = 20;
const CONCURRENT = 30;
const CONCURRENCY = 10;

const rssMbOf = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kb / 1024) * 10) / 10;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with code ${child.exitCode} before it answered`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the gateway did not answer /health within 120 s');
}

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function vendor<T>(urls: Record<SystemName, string>, system: 'billing' | 'chat', path: string): Promise<T> {
  const response = await fetch(`${urls[system]}${path}`, { headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS[system]}` } });
  if (!response.ok) throw new Error(`sandbox ${system} ${path}: ${response.status}`);
  return (await response.json()) as T;
}

type Post = (query: string, variables: Record<string, unknown>) => Promise<{ ms: number; ok: boolean; answer: GraphQLAnswer }>;

interface EmbeddedGateway {
  child: ChildProcess;
  url: string;
  post: Post;
  /** The highest RSS sampled so far. */
  peakRssMb: () => number;
  stop: () => Promise<void>;
}

/** The gateway as `npm start` starts it, on a free port with a fresh data directory, its RSS sampled every 50 ms. */
async function startEmbeddedGateway(urls: Record<SystemName, string>): Promise<EmbeddedGateway> {
  const apiKey = `sbk_bench_${randomBytes(24).toString('base64url')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-embedded-'));
  const port = await freePort();
  const env = {
    ...benchGatewayEnv({ urls, credentials: SANDBOX_CREDENTIALS, cache: 'warm', apiKey, dataDir }),
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  const child = spawn(process.execPath, [...START_NODE_FLAGS, fileURLToPath(fromRoot('dist/src/main.js')), 'serve'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let peak = 0;
  const sampler = setInterval(() => {
    if (child.pid && child.exitCode === null) peak = Math.max(peak, rssMbOf(child.pid));
  }, 50);
  const url = `http://127.0.0.1:${port}`;
  const post: Post = async (query, variables) => {
    const started = performance.now();
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await response.json()) as GraphQLAnswer;
    return { ms: performance.now() - started, ok: response.ok && !answer.errors, answer };
  };
  const stop = async () => {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await new Promise((resolve) => {
      if (child.exitCode !== null) resolve(undefined);
      else child.once('exit', resolve);
    });
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { child, url, post, peakRssMb: () => peak, stop };
}

/** A read, then the first write and the same write again, timed end to end. */
async function firstWrites(post: Post, contactId: string, pid: number) {
  // A read first: what the first request of a fresh process costs anyway (authentication, planning, connections) is not the store's.
  const firstRead = await post('query ($id: ID!) { contact(id: $id) { id jobTitle } }', { id: contactId });
  if (!firstRead.ok) throw new Error(`the first read failed: ${JSON.stringify(firstRead.answer.errors)}`);
  const update = 'mutation ($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id jobTitle } }';
  const first = await post(update, { id: contactId, input: { jobTitle: `Embedded store ${Date.now()}` } });
  if (!first.ok) throw new Error(`the first write failed: ${JSON.stringify(first.answer.errors)}`);
  const rssAfterFirstWriteMb = rssMbOf(pid);
  const second = await post(update, { id: contactId, input: { jobTitle: `Embedded store again ${Date.now()}` } });
  return { firstReadMs: firstRead.ms, firstWriteMs: first.ms, secondWriteMs: second.ms, rssAfterFirstWriteMb };
}

/** An `onboardCustomer` of a new contact onto the sandbox's first recurring price, notifying a channel the bot is in. */
async function onboarder(urls: Record<SystemName, string>, post: Post): Promise<() => ReturnType<Post>> {
  const prices = await vendor<{ data: { id: string }[] }>(urls, 'billing', '/v1/prices?limit=1&active=true&type=recurring');
  const channels = await vendor<{ channels: { id: string; is_member?: boolean; is_archived?: boolean }[] }>(
    urls,
    'chat',
    '/api/conversations.list?limit=200',
  );
  const channel = channels.channels.find((c) => c.is_member && !c.is_archived)?.id;
  if (!prices.data[0] || !channel) throw new Error('the sandbox has no recurring price or no channel the bot is in');
  const onboard =
    'mutation ($key: String!, $contact: OnboardContactInput!, $plan: OnboardPlanInput!, $notify: NotifyInput!) ' +
    '{ onboardCustomer(idempotencyKey: $key, contact: $contact, plan: $plan, notify: $notify) { status } }';
  return () => {
    const tag = randomUUID().slice(0, 8);
    return post(onboard, {
      key: `bench-${tag}`,
      contact: { email: `bench-${tag}@example.com`, firstName: 'Bench', lastName: tag },
      plan: { priceId: prices.data[0].id },
      notify: { channel, text: `bench ${tag}` },
    });
  };
}

const onboarded = (result: Awaited<ReturnType<Post>>) =>
  result.ok && (result.answer.data?.onboardCustomer as { status?: string } | undefined)?.status === 'SUCCEEDED';

/** SEQUENTIAL writes one at a time (their times, sorted), then CONCURRENT more CONCURRENCY at a time. */
async function crossSystemWrites(onboardOnce: () => ReturnType<Post>): Promise<{ sequential: number[]; failedWrites: number }> {
  let failedWrites = 0;
  const sequential: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const result = await onboardOnce();
    sequential.push(result.ms);
    if (!onboarded(result)) failedWrites++;
  }
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < CONCURRENT) {
        sent++;
        const result = await onboardOnce();
        if (!onboarded(result)) failedWrites++;
      }
    }),
  );
  sequential.sort((a, b) => a - b);
  return { sequential, failedWrites };
}

export async function measureEmbeddedStore(urls: Record<SystemName, string>, contactId: string): Promise<EmbeddedStoreFigures> {
  const gateway = await startEmbeddedGateway(urls);
  try {
    await waitForHealth(gateway.url, gateway.child);
    const pid = gateway.child.pid!;
    const idleRssMb = rssMbOf(pid);
    const first = await firstWrites(gateway.post, contactId, pid);
    const { sequential, failedWrites } = await crossSystemWrites(await onboarder(urls, gateway.post));
    const rssAfterWritesMb = rssMbOf(pid);
    return {
      engine: process.env.BENCH_EMBEDDED_ENGINE_LABEL ?? 'embedded default (no DATABASE_URL)',
      idleRssMb,
      firstReadMs: Math.round(first.firstReadMs),
      firstWriteMs: Math.round(first.firstWriteMs),
      secondWriteMs: Math.round(first.secondWriteMs),
      rssAfterFirstWriteMb: first.rssAfterFirstWriteMb,
      crossSystemWrites: SEQUENTIAL + CONCURRENT,
      crossSystemP50Ms: Math.round(sequential[Math.floor(sequential.length / 2)]),
      rssAfterWritesMb,
      peakRssMb: Math.max(gateway.peakRssMb(), rssAfterWritesMb),
      failedWrites,
    };
  } finally {
    await gateway.stop();
  }
}

export function renderEmbeddedStore(f: EmbeddedStoreFigures): string[] {
  return [
    '## Embedded write store (no DATABASE_URL), gateway as `npm start` runs it',
    '',
    `| idle RSS | first request (a read) | first write (updateContact) | second write | RSS after first write | ${f.crossSystemWrites} cross-system writes (${SEQUENTIAL} one by one, ${CONCURRENT} at c=${CONCURRENCY}): p50 one by one | RSS after them | peak RSS | failed |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${f.idleRssMb} MB | ${f.firstReadMs} ms | ${f.firstWriteMs} ms | ${f.secondWriteMs} ms | ${f.rssAfterFirstWriteMb} MB | ${f.crossSystemP50Ms} ms | ${f.rssAfterWritesMb} MB | ${f.peakRssMb} MB | ${f.failedWrites} |`,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { startSandbox } = await import('@switchboard/sandbox');
  const sandbox = await startSandbox({
    world: { size: Number(process.env.BENCH_CONTACTS ?? 2000) },
    systemKnobs: { billing: { searchLagMs: 0 } },
  });
  try {
    const figures = await measureEmbeddedStore(
      sandbox.urls as Record<SystemName, string>,
      sandbox.world.contacts[sandbox.world.contacts.length - 1].id,
    );
    console.log(JSON.stringify(figures, null, 2));
    console.log(renderEmbeddedStore(figures).join('\n'));
  } finally {
    await sandbox.close();
  }
}

/**
 * `npx tsx --conditions=source bench/tracing.ts`: the tracing-cost measurement alone
 * (bench/tracing-cost.ts), with a sandbox of its own, the gateways run from source with tsx
 * (`npm run bench` runs it too, on the compiled gateway). Prints the table and writes it to
 * bench/results/tracing-latest.md. BENCH_DURATION_S sets each load run (default 4 s),
 * BENCH_TRACING_ROUNDS the alternating off/on rounds (default 3), BENCH_CONTACTS the world.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkChild } from './children.ts';
import { describeMachine } from './machine.ts';
import type { SandboxReplyMsg } from './protocol.ts';
import { CONTACTS, DURATION_S, RESULTS_DIR, THROUGHPUT_CONNECTIONS, log } from './settings.ts';
import { measureTracingCost, renderTracingCost } from './tracing-cost.ts';

const rounds = Number(process.env.BENCH_TRACING_ROUNDS) > 0 ? Number(process.env.BENCH_TRACING_ROUNDS) : 3;

async function main(): Promise<void> {
  const machine = describeMachine();
  log(`machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadAverage}`);
  const sandbox = await forkChild<Extract<SandboxReplyMsg, { type: 'ready' }>>('./sandbox-process.ts', 'sandbox', {
    env: { ...process.env, BENCH_CONTACTS: String(CONTACTS) },
  });
  try {
    const results = await measureTracingCost({
      vendors: sandbox.ready,
      script: './gateway-process.ts',
      dataDir: mkdtempSync(join(tmpdir(), 'switchboard-bench-tracing-')),
      rounds,
      durationS: DURATION_S,
      connections: THROUGHPUT_CONNECTIONS,
      sandboxPid: sandbox.process.pid,
    });
    const table = `${renderTracingCost(results, THROUGHPUT_CONNECTIONS)}\n\nMachine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}; load average ${machine.loadAverage} at start, ${describeMachine().loadAverage} at end; ${rounds} rounds of ${DURATION_S} s each, medians.\n`;
    console.log(`\n${table}`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, 'tracing-latest.md'), table);
  } finally {
    await sandbox.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

/**
 * The durable write state on both backends, with the same statements: the real PostgreSQL
 * server (concurrent claims of one key, leases, audit paging) and the embedded SQLite
 * default (state survives closing and reopening its data directory, as across a restart,
 * and a process that dies without closing it).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteStore, type WriteStore } from '../src/store/index.ts';
import { redact } from '../src/store/audit.ts';
import { claimSubject } from '../src/workflows/claims.ts';
import { hasService } from './support/services.ts';
import { dropSchema, freshSchema, TEST_DATABASE_URL } from './writes-support.ts';

const entry = (operation: string, principal = 'api-key:test') => ({
  startedAt: new Date(),
  finishedAt: new Date(),
  principal,
  operation,
  inputs: { email: 'a@example.com', apiKey: 'sk_live_secret', nested: { password: 'hunter2' } },
  upstream: [{ system: 'crm', ids: { contactId: '1' } }],
  outcome: 'succeeded' as const,
});

/**
 * Appends more rows than a page holds (ids 1–12 in one fresh table: 10 sorts before 9 as
 * text) and reads them back `first: 3` at a time: every row once, newest first by number.
 */
async function expectPagesInIdOrder(store: WriteStore): Promise<void> {
  const operation = `paging-${Date.now()}`;
  for (let i = 1; i <= 12; i++) await store.audit.append({ ...entry(operation), inputs: { n: i } });
  const seen: number[] = [];
  const ids: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < 10; page++) {
    const result = await store.audit.list({ first: 3, after, filter: { operation } });
    seen.push(...result.records.map((r) => (r.inputs as { n: number }).n));
    ids.push(...result.records.map((r) => r.id));
    if (!result.hasNextPage) break;
    after = result.records.at(-1)!.id;
  }
  expect(seen).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  const numeric = ids.map(BigInt);
  expect(numeric).toEqual([...numeric].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
  // Unfiltered, the newest rows come first as well.
  const newest = await store.audit.list({ first: 3 });
  expect(newest.records.map((r) => (r.inputs as { n: number }).n)).toEqual([12, 11, 10]);
}

describe.runIf(hasService('postgres'))('write store on PostgreSQL', () => {
  const schema = freshSchema();
  let store: WriteStore;
  beforeAll(() => {
    store = createWriteStore({ databaseUrl: TEST_DATABASE_URL, dataDir: '.data', schema, leaseMs: 300 });
  });
  afterAll(async () => {
    await store?.close();
    await dropSchema(schema);
  });

  it('gives one of many concurrent claims of a key the right to run, and the rest see it busy', async () => {
    const claims = await Promise.all(Array.from({ length: 8 }, () => store.idempotency.claim('race-key-1', 'winDeal', 'h1')));
    expect(claims.filter((claim) => claim.kind === 'owned')).toHaveLength(1);
    expect(claims.filter((claim) => claim.kind === 'busy')).toHaveLength(7);
  });

  it('replays a finished key, refuses other inputs, and lets a retry take over an unknown outcome with its progress', async () => {
    const owned = await store.idempotency.claim<{ step: number }, string>('key-2', 'winDeal', 'h');
    if (owned.kind !== 'owned') throw new Error('expected to own the key');
    await store.idempotency.progress('key-2', owned.owner, { step: 2 });
    await store.idempotency.finish('key-2', owned.owner, 'unknown', { step: 2 }, null);
    const takeover = await store.idempotency.claim<{ step: number }, string>('key-2', 'winDeal', 'h');
    expect(takeover).toMatchObject({ kind: 'owned', resumed: true, state: { step: 2 } });
    if (takeover.kind !== 'owned') return;
    await store.idempotency.finish('key-2', takeover.owner, 'succeeded', { step: 5 }, 'done');
    expect(await store.idempotency.claim('key-2', 'winDeal', 'h')).toEqual({ kind: 'finished', status: 'succeeded', result: 'done' });
    expect(await store.idempotency.claim('key-2', 'winDeal', 'other')).toEqual({ kind: 'mismatch', operation: 'winDeal' });
  });

  it('hands a running key whose lease ran out (a dead replica) to the next claim', async () => {
    const first = await store.idempotency.claim('key-3', 'onboardCustomer', 'h');
    expect(first.kind).toBe('owned');
    expect((await store.idempotency.claim('key-3', 'onboardCustomer', 'h')).kind).toBe('busy');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await store.idempotency.claim('key-3', 'onboardCustomer', 'h')).toMatchObject({ kind: 'owned', resumed: true });
  });

  it('pages the audit log newest first, filters it, and stores inputs with secrets redacted', async () => {
    for (const op of ['a', 'b', 'a', 'a']) await store.audit.append(entry(op));
    const page = await store.audit.list({ first: 2, filter: { operation: 'a' } });
    expect(page.records.map((r) => r.operation)).toEqual(['a', 'a']);
    expect(page.hasNextPage).toBe(true);
    const rest = await store.audit.list({ first: 10, after: page.records[1].id, filter: { operation: 'a' } });
    expect(rest.records).toHaveLength(1);
    expect(rest.hasNextPage).toBe(false);
    expect(page.records[0].inputs).toEqual({ email: 'a@example.com', apiKey: '[REDACTED]', nested: { password: '[REDACTED]' } });
  });

  it('pages more audit rows than a page holds in numeric id order, every row exactly once', async () => {
    await expectPagesInIdOrder(store);
  });
});

describe('write store embedded default (SQLite)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps idempotency records and the audit log across a close and reopen of its data directory', async () => {
    const first = createWriteStore({ dataDir: dir, schema: 'switchboard', leaseMs: 60_000 });
    expect(first.backend).toBe('sqlite');
    const claim = await first.idempotency.claim('durable-key', 'winDeal', 'h');
    if (claim.kind !== 'owned') throw new Error('expected to own the key');
    await first.idempotency.finish('durable-key', claim.owner, 'succeeded', {}, { invoiceId: 'in_1' });
    await first.audit.append(entry('winDeal'));
    await first.close();

    const reopened = createWriteStore({ dataDir: dir, schema: 'switchboard', leaseMs: 60_000 });
    try {
      expect(await reopened.idempotency.claim('durable-key', 'winDeal', 'h')).toEqual({
        kind: 'finished',
        status: 'succeeded',
        result: { invoiceId: 'in_1' },
      });
      const log = await reopened.audit.list({ first: 5 });
      expect(log.records.map((r) => r.operation)).toEqual(['winDeal']);
    } finally {
      await reopened.close();
    }
  }, 60_000);

  it('pages more audit rows than a page holds in numeric id order, every row exactly once', async () => {
    const store = createWriteStore({ dataDir: mkdtempSync(join(dir, 'paging-')), schema: 'switchboard', leaseMs: 60_000 });
    try {
      await expectPagesInIdOrder(store);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('gives one of many concurrent claims the key, replays a finished key, and hands an expired lease to the next claim', async () => {
    const store = createWriteStore({ dataDir: mkdtempSync(join(dir, 'claims-')), schema: 'switchboard', leaseMs: 200 });
    try {
      const claims = await Promise.all(Array.from({ length: 8 }, () => store.idempotency.claim('race-key', 'winDeal', 'h1')));
      expect(claims.filter((claim) => claim.kind === 'owned')).toHaveLength(1);
      expect(claims.filter((claim) => claim.kind === 'busy')).toHaveLength(7);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const takeover = await store.idempotency.claim<{ step: number }, string>('race-key', 'winDeal', 'h1');
      expect(takeover).toMatchObject({ kind: 'owned', resumed: true });
      if (takeover.kind !== 'owned') return;
      await store.idempotency.finish('race-key', takeover.owner, 'succeeded', { step: 3 }, 'done');
      expect(await store.idempotency.claim('race-key', 'winDeal', 'h1')).toEqual({ kind: 'finished', status: 'succeeded', result: 'done' });
      expect(await store.idempotency.claim('race-key', 'winDeal', 'other')).toEqual({ kind: 'mismatch', operation: 'winDeal' });
    } finally {
      await store.close();
    }
  });

  it("settles a subject whose run outlived its lease, after another key's run looked at it: the subject is free again, not stuck", async () => {
    const store = createWriteStore({ dataDir: mkdtempSync(join(dir, 'subject-')), schema: 'switchboard', leaseMs: 200 });
    const far = () => Date.now() + 1_000;
    try {
      const first = await claimSubject(store, 'winDeal', 'deal:1', 'key-one', far());
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The first run's lease ran out while it ran: another key's run takes the subject to look, and is refused.
      await expect(claimSubject(store, 'winDeal', 'deal:1', 'key-two', far())).rejects.toMatchObject({ code: 'WRITE_IN_PROGRESS' });
      await first.release('failed');
      const third = await claimSubject(store, 'winDeal', 'deal:1', 'key-three', far());
      await third.release('succeeded');
    } finally {
      await store.close();
    }
  });

  it('leaves a subject alone when a run outlived its lease and a retry of its own key took it over: the retry settles it', async () => {
    const store = createWriteStore({ dataDir: mkdtempSync(join(dir, 'subject-retry-')), schema: 'switchboard', leaseMs: 200 });
    const soon = () => Date.now() + 300;
    try {
      const first = await claimSubject(store, 'winDeal', 'deal:2', 'key-one', soon());
      await new Promise((resolve) => setTimeout(resolve, 300));
      const retry = await claimSubject(store, 'winDeal', 'deal:2', 'key-one', soon());
      // The overtaken run ends: its release neither waits for nor disturbs the retry's claim.
      await first.release('failed');
      await expect(claimSubject(store, 'winDeal', 'deal:2', 'key-two', soon())).rejects.toMatchObject({ code: 'WRITE_IN_PROGRESS' });
      await retry.release('succeeded');
      const next = await claimSubject(store, 'winDeal', 'deal:2', 'key-two', soon());
      await next.release('succeeded');
    } finally {
      await store.close();
    }
  });

  it('keeps what a process wrote when it dies without closing the store, including a lease takeover, and answers the same after', async () => {
    const data = mkdtempSync(join(dir, 'crash-'));
    const script = join(data, 'writer.mts');
    writeFileSync(
      script,
      `import { createWriteStore } from ${JSON.stringify(join(process.cwd(), 'src/store/index.ts'))};
const store = createWriteStore({ dataDir: ${JSON.stringify(data)}, schema: 'switchboard', leaseMs: 100 });
const first = await store.idempotency.claim('crash-key', 'winDeal', 'h');
if (first.kind !== 'owned') throw new Error('expected to own the key');
await new Promise((resolve) => setTimeout(resolve, 200));
const takeover = await store.idempotency.claim('crash-key', 'winDeal', 'h');
if (takeover.kind !== 'owned' || !takeover.resumed) throw new Error('expected to take the expired lease over');
await store.idempotency.finish('crash-key', takeover.owner, 'succeeded', {}, { invoiceId: 'in_crash' });
await store.audit.append({ startedAt: new Date(), finishedAt: new Date(), principal: 'p', operation: 'winDeal', inputs: {}, upstream: [], outcome: 'succeeded' });
process.kill(process.pid, 'SIGKILL');
`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    // As if it had died halfway through writing one more line.
    const journal = join(data, 'store', 'journal-0.ndjson');
    appendFileSync(journal, '{"t":1,"q":"INSERT INTO audit_log (princ');
    const reopened = createWriteStore({ dataDir: data, schema: 'switchboard', leaseMs: 60_000 });
    try {
      expect(await reopened.idempotency.claim('crash-key', 'winDeal', 'h')).toEqual({
        kind: 'finished',
        status: 'succeeded',
        result: { invoiceId: 'in_crash' },
      });
      expect((await reopened.audit.list({ first: 5 })).records.map((r) => r.operation)).toEqual(['winDeal']);
      await reopened.audit.append(entry('after-crash'));
      // The torn line was cut off: what is appended after it stays a line of its own.
      for (const line of readFileSync(journal, 'utf8').trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      await reopened.close();
    }
    const again = createWriteStore({ dataDir: data, schema: 'switchboard', leaseMs: 60_000 });
    try {
      expect((await again.audit.list({ first: 5 })).records.map((r) => r.operation)).toEqual(['after-crash', 'winDeal']);
    } finally {
      await again.close();
    }
  }, 60_000);

  it('opens and takes writes in a process under the start script’s heap cap while adding under 100 MB to its RSS', async () => {
    const data = mkdtempSync(join(dir, 'memory-'));
    const script = join(data, 'memory.mts');
    writeFileSync(
      script,
      `import { createWriteStore } from ${JSON.stringify(join(process.cwd(), 'src/store/index.ts'))};
const before = process.memoryUsage.rss();
const store = createWriteStore({ dataDir: ${JSON.stringify(data)}, schema: 'switchboard', leaseMs: 60_000 });
let peak = before;
for (let i = 0; i < 300; i++) {
  const claim = await store.idempotency.claim('key-' + i, 'winDeal', 'h');
  if (claim.kind !== 'owned') throw new Error('expected to own the key');
  await store.idempotency.progress('key-' + i, claim.owner, { step: 1, ids: { invoiceId: 'in_' + i } });
  await store.idempotency.finish('key-' + i, claim.owner, 'succeeded', { step: 2 }, { invoiceId: 'in_' + i, note: 'x'.repeat(500) });
  await store.audit.append({ startedAt: new Date(), finishedAt: new Date(), principal: 'p', operation: 'winDeal', inputs: { i, text: 'y'.repeat(500) }, upstream: [], outcome: 'succeeded' });
  peak = Math.max(peak, process.memoryUsage.rss());
}
await store.close();
console.log(JSON.stringify({ before, peak }));
`,
    );
    // The heap cap of \`npm start\`: what the store needs must fit beside the gateway under it.
    const child = spawnSync(process.execPath, ['--max-old-space-size=192', '--import', 'tsx', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const { before, peak } = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { before: number; peak: number };
    expect((peak - before) / 2 ** 20).toBeLessThan(100);
  }, 120_000);

  it('redacts secret-looking keys at any depth and leaves the rest', () => {
    expect(redact({ token: 't', list: [{ cardNumber: '4242' }], idempotency: 'k', email: 'e' })).toEqual({
      token: '[REDACTED]',
      list: [{ cardNumber: '[REDACTED]' }],
      idempotency: 'k',
      email: 'e',
    });
  });
});

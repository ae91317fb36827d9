/**
 * `npm run soak`: starts the cluster, runs the workload (and the nemesis) for the bounded
 * time or number of operations, then checks the history against the systems of record and
 * prints a table of invariants. Exit 0 only when no invariant is violated; otherwise the
 * history and the replicas' logs stay in the output directory with the seed to replay.
 */
import { join } from 'node:path';
import { Prng } from '@switchboard/sandbox';
import { Client } from './client.ts';
import { Cluster } from './cluster.ts';
import { History } from './history.ts';
import { parseOptions, type SoakOptions } from './options.ts';
import { pickSubjects, Workload } from './workload.ts';
import { checkAll, type InvariantResult } from './check/index.ts';
import { Nemesis } from './nemesis.ts';
import { printReport } from './report.ts';
import { Subscribers } from './subscribers.ts';
import { CrmChangeLog } from './crm-changes.ts';
import { FeedTap } from './feed-tap.ts';

export interface SoakOutcome {
  ok: boolean;
  /** Operations the workload completed. */
  operations: number;
  results: InvariantResult[];
}

export async function soak(options: SoakOptions): Promise<SoakOutcome> {
  const log = (line: string) => console.log(`[soak] ${line}`);
  log(
    `seed ${options.seed}, ${options.minutes} min${Number.isFinite(options.ops) ? `, at most ${options.ops} operations` : ''}, output in ${options.out}`,
  );
  const cluster = await Cluster.start({ seed: options.seed, contacts: options.contacts, clients: options.clients, dir: options.out });
  log(`sandbox, Redis on ${cluster.redis.port}, schema ${cluster.schema}, replicas ${cluster.replicas.map((r) => r.url).join(' and ')}`);
  const history = new History(join(options.out, 'history.jsonl'));
  const prng = new Prng(options.seed);
  const runTag = options.seed.toString(36);
  const urls = [cluster.replicas[0].url, cluster.replicas[1].url] as const;
  const clients = cluster.clients.map((identity) => new Client(identity, urls, history));
  const started = Date.now();
  const until = started + options.minutes * 60_000;
  const workload = new Workload({
    history,
    clients,
    subjects: pickSubjects(cluster.sandbox.world, prng.fork('subjects'), runTag),
    prng: prng.fork('workload'),
    runTag,
    maxOps: options.ops,
    until,
    vendorEdit: (id, jobTitle) => vendorEdit(cluster, id, jobTitle),
  });
  const nemesis = options.nemesis ? new Nemesis(cluster, history, prng.fork('nemesis'), until) : undefined;
  const subscribers = new Subscribers(urls, cluster.clients, 1, join(options.out, 'subscribers.jsonl'));
  const crmChanges = new CrmChangeLog(cluster.sandbox.urls.crm!, join(options.out, 'crm-changes.jsonl'));
  const feed = new FeedTap(cluster.redis.url, join(options.out, 'feed.jsonl'));
  let outcome: SoakOutcome = { ok: false, operations: 0, results: [] };
  try {
    crmChanges.start();
    await feed.start();
    await subscribers.start();
    // A run bounded by --ops may end before its time: the nemesis stops with the workload.
    await Promise.all([workload.run().finally(() => nemesis?.stop()), nemesis?.run()]);
    await nemesis?.heal();
    await Promise.all([subscribers.stop(), crmChanges.stop()]);
    feed.stop();
    const elapsedMs = Date.now() - started;
    log(`${history.operations.length} operations in ${(elapsedMs / 1000).toFixed(0)} s; checking`);
    const live = { ...subscribers.record, changes: crmChanges.changes, lostChanges: crmChanges.lost, fanOut: feed.contacts };
    const results = await checkAll({ cluster, history, convergenceMs: workload.convergenceMs, live });
    const ok = printReport({ options, history, results, elapsedMs, cluster });
    outcome = { ok, operations: history.operations.filter((op) => op.completion !== undefined).length, results };
  } finally {
    await subscribers.stop();
    feed.stop();
    await cluster.close({ keepSchema: !outcome.ok });
  }
  return outcome;
}

async function vendorEdit(cluster: Cluster, id: string, jobTitle: string): Promise<void> {
  const response = await fetch(`${cluster.sandbox.urls.crm}/__sandbox/edit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ objectType: 'contacts', id, properties: { jobtitle: jobTitle } }),
  });
  if (!response.ok) throw new Error(`vendor edit failed: ${response.status} ${await response.text()}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ok } = await soak(parseOptions(process.argv.slice(2)));
  process.exit(ok ? 0 : 1);
}

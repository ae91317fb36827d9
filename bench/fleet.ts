/**
 * The bench's processes: the sandbox and the plain-Yoga baseline, then three gateways over
 * the sandbox (normal cache; every TTL 0; response cache off), each in a process of its own.
 */
import { join } from 'node:path';
import { forkChild, type Child } from './children.ts';
import { GATEWAY_PROCESS, START_NODE_FLAGS, benchGatewayEnv, type CacheSetting } from './gateway-env.ts';
import type { SandboxReplyMsg, WorldFacts } from './protocol.ts';
import { AUTH, BENCH_KEY, CONTACTS, CPU_PROF, DATABASE, RESULTS_DIR, log } from './settings.ts';
import { Upstreams } from './upstreams.ts';

export type SandboxChild = Child<Extract<SandboxReplyMsg, { type: 'ready' }>>;
export type ServerChild = Child<{ type: 'ready'; url: string }>;

export interface Fleet {
  sandbox: SandboxChild;
  baseline: ServerChild;
  /** The gateway as deployed: normal cache. */
  gw: ServerChild;
  /** Every cache TTL 0: each request makes its full set of upstream calls. */
  gwCold: ServerChild;
  /** Response cache off, record caches on: every request executed. */
  gwRecords: ServerChild;
  upstreams: Upstreams;
  facts: WorldFacts;
  /** users.list calls the gateways made starting (each reads the Slack directory once as it starts). */
  directoryCalls: number;
}

const gatewayEnv = (vendors: SandboxChild['ready'], cache: CacheSetting, dataDir: string) =>
  benchGatewayEnv({ urls: vendors.urls, credentials: vendors.credentials, cache, dataDir, apiKey: BENCH_KEY, databaseUrl: DATABASE.url });

/** Starts every process, pushing each onto `children` as it is ready so that the caller can stop them whatever fails. */
export async function startFleet(children: Child<{ type: 'ready' }>[], dataDir: string): Promise<Fleet> {
  log(`starting the sandbox with ${CONTACTS.toLocaleString('en')} contacts and the plain-Yoga baseline`);
  const childEnv = { ...process.env, BENCH_CONTACTS: String(CONTACTS) };
  const [sandbox, baseline] = await Promise.all([
    forkChild<Extract<SandboxReplyMsg, { type: 'ready' }>>('./sandbox-process.ts', 'sandbox', { env: childEnv }),
    forkChild<{ type: 'ready'; url: string }>('./baseline-process.ts', 'baseline', { env: childEnv }),
  ]);
  children.push(sandbox, baseline);
  log(`sandbox ready (world built in ${sandbox.ready.worldMs} ms)`);
  const upstreams = new Upstreams(sandbox.ready.urls);
  const facts = await sandbox.call<WorldFacts>({ type: 'facts' });

  const profileDir = join(RESULTS_DIR, 'profiles');
  const gcArgs = [...START_NODE_FLAGS, '--expose-gc'];
  await upstreams.reset();
  const gateway = (cache: CacheSetting, name: string, nodeArgs: string[]) =>
    forkChild<{ type: 'ready'; url: string }>(GATEWAY_PROCESS, name, {
      env: gatewayEnv(sandbox.ready, cache, join(dataDir, cache)),
      nodeArgs,
    });
  const [gw, gwCold, gwRecords] = await Promise.all([
    gateway('warm', 'gateway', CPU_PROF ? [...gcArgs, '--cpu-prof', `--cpu-prof-dir=${profileDir}`] : gcArgs),
    gateway('cold', 'cold-cache gateway', gcArgs),
    gateway('records-only', 'records-only gateway', gcArgs),
  ]);
  children.push(gw, gwCold, gwRecords);
  const directoryCalls = Object.entries(await upstreams.routes())
    .filter(([route]) => route.includes('users.list'))
    .reduce((sum, [, n]) => sum + n, 0);
  log(`gateways ready: ${gw.ready.url} (cache on), ${gwCold.ready.url} (every TTL 0), ${gwRecords.ready.url} (response cache off)`);
  return { sandbox, baseline, gw, gwCold, gwRecords, upstreams, facts, directoryCalls };
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** One GraphQL request to a gateway, with the bench's key; an error answer throws. */
export async function post(url: string, payload: string): Promise<GraphQLBody> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body: payload });
  const parsed = (await response.json()) as GraphQLBody;
  if (!response.ok || parsed.errors)
    throw new Error(`gateway answered ${response.status}: ${JSON.stringify(parsed.errors ?? parsed).slice(0, 400)}`);
  return parsed;
}

/**
 * The property-based run shared by the suite (test/property-partial-failure.test.ts) and
 * `npm run fuzz` (scripts/fuzz.ts). Two sandboxes seeded with the same world: one always
 * healthy, behind a reference gateway, one under chaos, behind the gateways under test
 * (the second of them has a short request deadline, so a hang costs a second, not 15).
 * Each generated batch of operations goes over real HTTP to both, and the answers are
 * checked against the invariants in invariants.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import * as fc from 'fast-check';
import type { GraphQLSchema } from 'graphql';
import { loadConfig, type EnvLike } from '../../../src/config.ts';
import type { SystemName } from '@switchboard/sandbox';
import { createGateway, type Gateway } from '../../../src/gateway.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { type Corruption, type Sandbox, startSandbox } from '@switchboard/sandbox';
import { resolveUpstreams } from '../../../src/upstreams.ts';
import { TEST_API_KEY, TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from '../credentials.ts';
import { NO_CACHE_ENV, type GraphQLResponse } from '../stack.ts';
import { OperationGenerator } from './generator.ts';
import { checkResponse, compareWithHealthy, type Knob, type Violation } from './invariants.ts';
import type { Operation } from './operation.ts';
import { FieldSystems, SYSTEMS } from './systems.ts';
import { loadWorldValues } from './world-values.ts';

export interface Phase {
  /** e.g. `healthy`, `billing refuse`. */
  name: string;
  knob: Knob;
  failing?: SystemName;
}

/** The sandbox healthy, then each system with each knob in turn. */
export const PHASES: readonly Phase[] = [
  { name: 'healthy', knob: 'none' },
  ...(['refuse', '500', 'corrupt', 'hang'] as const).flatMap((knob) =>
    SYSTEMS.map((failing) => ({ name: `${failing} ${knob}`, knob, failing })),
  ),
];

export const CORRUPTIONS: readonly Exclude<Corruption, 'none'>[] = ['html', 'truncate', 'drop-field', 'wrong-type'];

/** One property run: operations sent together (so reads batch and share deadlines), and the corruption used if any. */
export interface Batch {
  ops: Operation[];
  corruption: Exclude<Corruption, 'none'>;
}

export interface BatchSize {
  min: number;
  max: number;
}

export interface OpOutcome {
  op: Operation;
  healthy: GraphQLResponse;
  chaos: GraphQLResponse;
  violations: Violation[];
}

/** Every cache off: each operation reaches the vendors, so chaos meets every code path. */
const NO_CACHE: EnvLike = { ...NO_CACHE_ENV, RESPONSE_CACHE: '0' };

/**
 * The breaker opens under a failing system as it would in production, but tries again after
 * 1 ms, so a lifted knob is not carried into the next phase by a breaker still open; the
 * vendor budgets would throttle a run that sends hundreds of operations a second (both have
 * suites of their own, resilience-*.test.ts).
 */
const ISOLATED: EnvLike = {
  UPSTREAM_BREAKER_HALF_OPEN_MS: '1',
  UPSTREAM_BUDGET_CRM: 'off',
  UPSTREAM_BUDGET_BILLING: 'off',
  UPSTREAM_BUDGET_CHAT: 'off',
};

export const HANG_DEADLINE_MS = 1000;

interface Served {
  gateway: Gateway;
  server: Server;
  url: string;
}

async function serve(sandbox: Sandbox, env: EnvLike): Promise<Served> {
  // FUZZ_LOG_LEVEL=error shows the gateways' logs (the stack of an INTERNAL_SERVER_ERROR).
  const logLevel = process.env.FUZZ_LOG_LEVEL ?? 'silent';
  const config = loadConfig({
    LOG_LEVEL: logLevel,
    SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
    RATE_LIMIT_PER_MINUTE: '0',
    ...ISOLATED,
    ...env,
  });
  const gateway = createGateway({
    devApiKey: TEST_API_KEY,
    config,
    upstreams: resolveUpstreams(config, sandbox),
    logger: createLogger(config.logLevel),
    cacheNamespace: `fuzz-${randomUUID()}`,
  });
  const server = createServer(gateway.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { gateway, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

async function post(url: string, query: string): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...TEST_AUTH_HEADERS },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  let body: Omit<GraphQLResponse, 'status' | 'headers'>;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { errors: [{ message: `not JSON: ${text.slice(0, 200)}`, extensions: { code: 'NOT_JSON' } }] };
  }
  return { status: response.status, headers: response.headers, ...body };
}

export interface HarnessOptions {
  /** Contacts in the seeded world (the rest scales with it). */
  worldSize?: number;
  /** Operations per property run, sent together. */
  maxBatch?: number;
}

export class FuzzHarness {
  readonly systems = new FieldSystems();
  private constructor(
    private readonly healthySandbox: Sandbox,
    private readonly chaosSandbox: Sandbox,
    private readonly reference: Served,
    private readonly underTest: Served,
    private readonly shortDeadline: Served,
    readonly generator: OperationGenerator,
    readonly schema: GraphQLSchema,
    private readonly maxBatch: number,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<FuzzHarness> {
    const world = { size: options.worldSize ?? 40 };
    const healthySandbox = await startSandbox({ world });
    const chaosSandbox = await startSandbox({ world });
    const reference = await serve(healthySandbox, {});
    const underTest = await serve(chaosSandbox, NO_CACHE);
    const shortDeadline = await serve(chaosSandbox, { ...NO_CACHE, REQUEST_DEADLINE_MS: String(HANG_DEADLINE_MS) });
    const schema = reference.gateway.yoga.getEnveloped({}).schema as GraphQLSchema;
    const values = await loadWorldValues(healthySandbox.world, (query) => post(reference.url, query));
    const generator = new OperationGenerator(schema, values);
    return new FuzzHarness(healthySandbox, chaosSandbox, reference, underTest, shortDeadline, generator, schema, options.maxBatch ?? 3);
  }

  batch(size: BatchSize = { min: 1, max: this.maxBatch }): fc.Arbitrary<Batch> {
    return fc.record({
      // size 'max': lengths spread over the whole range, so a plan of runs × average size holds.
      ops: fc.array(this.generator.operation(), { minLength: size.min, maxLength: size.max, size: 'max' }),
      corruption: fc.constantFrom(...CORRUPTIONS),
    });
  }

  async enter(phase: Phase): Promise<void> {
    for (const system of SYSTEMS) await this.chaosSandbox.server(system).setKnobs({ outage: 'none', errorRate: 0, corrupt: 'none' });
    // A query through every system lets the gateway's pools drop sockets of a lifted outage before the phase counts.
    // Until both gateways answer a query through every system cleanly: their pools drop the
    // sockets a lifted outage cut, and their breakers close, before the phase counts.
    const probe = '{ contacts(first: 1) { nodes { id } } customers(first: 1) { nodes { id } } chatUsers(first: 1) { nodes { id } } }';
    for (let attempt = 0; attempt < 50; attempt++) {
      const answers = await Promise.all([post(this.underTest.url, probe), post(this.shortDeadline.url, probe)]);
      if (answers.every((a) => a.status === 200 && !a.errors)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!phase.failing) return;
    const server = this.chaosSandbox.server(phase.failing);
    if (phase.knob === 'refuse') await server.setKnobs({ outage: 'refuse' });
    else if (phase.knob === '500') await server.setKnobs({ errorRate: 1 });
    else if (phase.knob === 'hang') await server.setKnobs({ outage: 'hang' });
    else if (phase.knob === 'corrupt') await server.setKnobs({ corrupt: 'html' });
  }

  async leave(): Promise<void> {
    for (const system of SYSTEMS) await this.chaosSandbox.server(system).setKnobs({ outage: 'none', errorRate: 0, corrupt: 'none' });
  }

  /** Runs one batch in `phase` (entered before) and checks every invariant. */
  async run(phase: Phase, batch: Batch): Promise<OpOutcome[]> {
    if (phase.knob === 'corrupt' && phase.failing) await this.chaosSandbox.server(phase.failing).setKnobs({ corrupt: batch.corruption });
    const outcomes = await Promise.all(batch.ops.map((op) => this.one(phase, op)));
    // Under a hang every system shares the short deadline, so on a starved machine a healthy
    // system can run out of it too: that is its own timeout, not the hung system's doing.
    // Such an answer is asked again, alone; only what happens every time counts.
    for (const [i, first] of outcomes.entries()) {
      let outcome = first;
      for (let attempt = 0; attempt < 2 && outcome.violations.length > 0 && this.healthyTimedOut(phase, outcome.chaos); attempt++) {
        outcome = await this.one(phase, first.op);
      }
      outcomes[i] = outcome;
    }
    return outcomes;
  }

  private healthyTimedOut(phase: Phase, chaos: GraphQLResponse): boolean {
    if (phase.knob !== 'hang') return false;
    return (chaos.errors ?? []).some((e) => e.extensions?.code === 'UPSTREAM_TIMEOUT' && e.extensions.service !== phase.failing);
  }

  private async one(phase: Phase, op: Operation): Promise<OpOutcome> {
    const target = phase.knob === 'hang' ? this.shortDeadline : this.underTest;
    const [healthy, chaos] = await Promise.all([post(this.reference.url, op.text), post(target.url, op.text)]);
    // The reference is the yardstick, not the subject: in the healthy phase the gateway
    // under test answers the same operation with every system healthy.
    const violations = [
      ...checkResponse(op, chaos, phase.knob === 'none', this.systems),
      ...compareWithHealthy(op, healthy, chaos, phase.failing, phase.knob, this.systems),
    ];
    return { op, healthy, chaos, violations };
  }

  async close(): Promise<void> {
    for (const served of [this.reference, this.underTest, this.shortDeadline]) {
      served.server.closeAllConnections();
      await new Promise<void>((resolve) => served.server.close(() => resolve()));
      await served.gateway.close();
    }
    await this.healthySandbox.close();
    await this.chaosSandbox.close();
  }
}

/**
 * The whole product in one test process: the three sandbox vendors on ephemeral ports and
 * the gateway built by `createGateway`, exactly as `npm start` wires them. Queries go
 * through `yoga.fetch` (the full HTTP pipeline, in process); upstream calls are real HTTP
 * and are counted by the sandbox's request logs.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig, type EnvLike } from '../../src/config.ts';
import type { SystemName } from '../../src/errors.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startSandbox, type ChaosKnobs, type Sandbox } from '../../src/sandbox/index.ts';
import type { WorldOptions } from '../../src/sandbox/world.ts';
import { resolveUpstreams } from '../../src/upstreams.ts';

export interface StackOptions {
  world?: WorldOptions;
  env?: EnvLike;
  knobs?: Partial<ChaosKnobs>;
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

export interface Stack {
  sandbox: Sandbox;
  gateway: Gateway;
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Upstream requests per system since the last `resetCounts`. */
  counts(): Record<SystemName, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sandbox = await startSandbox({ world: options.world, knobs: options.knobs });
  const config = loadConfig({ LOG_LEVEL: 'silent', ...options.env });
  const gateway = createGateway({
    config,
    upstreams: resolveUpstreams(config, sandbox.urls),
    logger: createLogger(config.logLevel),
    cacheNamespace: `test-${randomUUID()}`,
  });
  const systems: SystemName[] = ['crm', 'billing', 'chat'];
  return {
    sandbox,
    gateway,
    async query(query, variables, headers) {
      const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status' | 'headers'>;
      return { status: response.status, headers: response.headers, ...body } as GraphQLResponse<never>;
    },
    counts() {
      return Object.fromEntries(systems.map((s) => [s, sandbox.server(s).requests.total])) as Record<SystemName, number>;
    },
    resetCounts() {
      for (const s of systems) sandbox.server(s).requests.reset();
    },
    async close() {
      await gateway.close();
      await sandbox.close();
    },
  };
}

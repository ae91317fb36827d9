/**
 * The whole product in one test process: the three sandbox vendors on ephemeral ports and
 * the gateway built by `createGateway`, exactly as `npm start` wires them. Queries go
 * through `yoga.fetch` (the full HTTP pipeline, in process); upstream calls are real HTTP
 * and are counted by the sandbox's request logs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config, EnvLike } from '../../src/config.ts';
// The systems the emulator serves: a gateway system without an emulator is not the tests' to start.
import type { SystemName } from '@switchboard/sandbox';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway.ts';
import { createLogger, type Logger } from '../../src/observability/logger.ts';
import { type ChaosKnobs, type Sandbox, startSandbox, type WorldOptions } from '@switchboard/sandbox';
import type { WriteStore } from '../../src/store/index.ts';
import { resolveUpstreams } from '../../src/upstreams.ts';
import { TEST_API_KEY, TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from './credentials.ts';
import { loadDemoConfig } from './demo-config.ts';

export interface StackOptions {
  world?: WorldOptions;
  env?: EnvLike;
  knobs?: Partial<ChaosKnobs>;
  /** Demo mode's development key (default: the test key, so GraphiQL opens authenticated). */
  devApiKey?: string;
  /** Shared by stacks that act as replicas of one deployment (default: a fresh one). */
  cacheNamespace?: string;
  /** Observes each step of the cross-system writes (tests inject faults between steps). */
  onWorkflowStep?: GatewayOptions['onWorkflowStep'];
  /** Where the gateway logs (tests capture it; default: the configured level, silent). */
  logger?: Logger;
  /** Observes each system part a request builds (its connector, its loaders). */
  onBuild?: GatewayOptions['onBuild'];
  /** Another stack's vendors, for a second replica of one deployment (that stack closes them). */
  sandbox?: Sandbox;
  /** The write store, made as `serve` makes it (default: the gateway opens one from config); the stack closes it. */
  writeStore?: (sandbox: Sandbox, config: Config) => WriteStore;
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
  /**
   * Sends the full-scope test key unless `headers` sets `authorization` (an empty string
   * sends no credential at all).
   */
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /** A raw request to the gateway (no credential added): for tests of the HTTP layer itself. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Upstream requests per system since the last `resetCounts`. */
  counts(): Record<SystemName, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sandbox = options.sandbox ?? (await startSandbox({ world: options.world, knobs: options.knobs }));
  // The test key is configured as its hash, as an operator would; rate limiting is off
  // unless a test turns it on, since one test file may send hundreds of queries a minute.
  // A data directory of its own (unless the test shares one on purpose): the embedded write store
  // belongs to one process at a time, and test files run in parallel processes.
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-stack-'));
  const config = loadDemoConfig({
    LOG_LEVEL: 'silent',
    SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
    RATE_LIMIT_PER_MINUTE: '0',
    SWITCHBOARD_DATA_DIR: dataDir,
    ...options.env,
  });
  const writeStore = options.writeStore?.(sandbox, config);
  const gateway = createGateway({
    devApiKey: options.devApiKey ?? TEST_API_KEY,
    config,
    upstreams: resolveUpstreams(config, sandbox),
    logger: options.logger ?? createLogger(config.logLevel),
    cacheNamespace: options.cacheNamespace ?? `test-${randomUUID()}`,
    onWorkflowStep: options.onWorkflowStep,
    onBuild: options.onBuild,
    writeStore,
  });
  const systems: SystemName[] = ['crm', 'billing', 'chat'];
  return {
    sandbox,
    gateway,
    async query(query, variables, headers) {
      const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: withoutEmpty({
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...TEST_AUTH_HEADERS,
          ...headers,
        }),
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status' | 'headers'>;
      return { status: response.status, headers: response.headers, ...body } as GraphQLResponse<never>;
    },
    async fetch(path, init) {
      return gateway.yoga.fetch(new Request(`http://gateway.test${path}`, init));
    },
    counts() {
      return Object.fromEntries(systems.map((s) => [s, sandbox.server(s).requests.total])) as Record<SystemName, number>;
    },
    resetCounts() {
      for (const s of systems) sandbox.server(s).requests.reset();
    },
    async close() {
      await gateway.close();
      await writeStore?.close();
      if (!options.sandbox) await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function withoutEmpty(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ''));
}

/** A sample's value from `/metrics` (`line` is the name with its labels); 0 when absent. */
export async function metric(stack: Stack, line: string): Promise<number> {
  const text = await (await stack.fetch('/metrics')).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

/**
 * Every record cache off, the Slack directory re-read on every request (refresh interval 0,
 * under both of its names): each read reaches the vendor, so a chaos knob turned on is seen
 * by the next query.
 */
export const NO_CACHE_ENV = {
  CACHE_TTL_DEFAULT: '0',
  CACHE_TTL_CONTACT: '0',
  CACHE_TTL_CUSTOMER: '0',
  CACHE_TTL_USER: '0',
  CACHE_TTL_USER_BY_EMAIL: '0',
  CACHE_TTL_USER_DIRECTORY: '0',
  SLACK_DIRECTORY_REFRESH_SECONDS: '0',
} as const satisfies EnvLike;

/** A query whose client can go away (abort `signal`); settles with the response or the abort error. */
export function queryAbortable(stack: Stack, query: string, signal: AbortSignal): Promise<unknown> {
  return Promise.resolve(
    stack.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TEST_AUTH_HEADERS },
      body: JSON.stringify({ query }),
      signal,
    }),
  ).catch((error: unknown) => error);
}

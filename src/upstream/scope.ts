/** What every part of one upstream client shares: its vendor, its pool, its fixed headers and its last failure. */
import type { Logger } from 'pino';
import { Pool } from 'undici';
import type { SystemName } from '../errors.ts';
import { factsOf } from '../systems/catalog.ts';
import type { QuotaBudget } from './budget.ts';
import type { LastUpstreamError, UpstreamClientOptions } from './client-options.ts';
import type { UpstreamAttemptEvent, VendorProfile } from './types.ts';
import { lowerKeys } from './wire.ts';

/** The vendor's name as it should read in a client-facing message. */
export function describeSystem(system: SystemName): string {
  return factsOf(system).label;
}

export interface ClientScope {
  readonly profile: VendorProfile;
  readonly system: SystemName;
  /** The vendor's name in messages. */
  readonly label: string;
  readonly credential: string;
  readonly timeoutMs: number;
  readonly logger: Logger | undefined;
  readonly onResponse: ((event: UpstreamAttemptEvent) => void) | undefined;
  readonly budget: QuotaBudget | undefined;
  readonly pool: Pool;
  /** The base URL's path prefix, without a trailing slash. */
  readonly basePath: string;
  readonly fixedHeaders: Record<string, string>;
  /** The vendor's "calls left in this window" header, if it sends one. */
  readonly rateLimitRemainingHeader: string | undefined;
  lastError: LastUpstreamError | undefined;
}

export function createScope(options: UpstreamClientOptions): ClientScope {
  const { profile, credential, logger, onResponse, budget } = options;
  const base = new URL(options.baseUrl);
  return {
    profile,
    system: profile.system,
    label: describeSystem(profile.system),
    credential,
    timeoutMs: options.timeoutMs ?? 10_000,
    logger,
    onResponse,
    budget,
    pool: new Pool(base.origin, {
      connections: options.connections ?? 32,
      // Vendors keep idle sockets open for a minute or more; undici's 4 s default would
      // reconnect (TLS handshake included) between most bursts.
      keepAliveTimeout: 30_000,
    }),
    basePath: base.pathname.replace(/\/+$/, ''),
    fixedHeaders: {
      accept: 'application/json',
      ...lowerKeys(profile.defaultHeaders),
    },
    rateLimitRemainingHeader: factsOf(profile.system).rateLimitRemainingHeader,
    lastError: undefined,
  };
}

/** Remembers a failure for /readiness. */
export function recordLastError(scope: ClientScope, code: string, message: string, route: string): void {
  scope.lastError = { code, message, route, at: new Date().toISOString() };
}

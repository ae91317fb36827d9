/**
 * What the gateway knows about one vendor system, in one object per system
 * (`src/systems/<system>/index.ts`), listed once in `src/systems/index.ts`. The gateway,
 * the change feed's invalidation, the webhook receivers, catch-up and the response cache all
 * loop over the registered systems instead of naming any one. What the layers below need of a
 * vendor (names, settings, quota, TTLs) is its facts (./facts.ts), which ./catalog.ts lists.
 */
import type { ResourceCache } from '../cache/types.ts';
import type { ChangeEvent, ChangeNotes } from '../changes/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { UpstreamClient, VendorProfile } from '../upstream/types.ts';
import type { FactsByName, SystemName } from './facts.ts';

/** What one request's connector carries upstream: its id, and the signal that ends it. */
export interface RequestScope {
  requestId?: string;
  signal?: AbortSignal;
}

export type { ChangeNotes };

/** One webhook delivery as the receiver read it, for a system's signature check. */
export interface WebhookRequest {
  method: string;
  /** The URL as the vendor called (and signed) it: the public URL when the gateway sits behind a proxy. */
  signedUri: string;
  body: string;
  header(name: string): string | null;
}

/** A delivery's JSON → what to answer and publish; `malformed` answers 400 and publishes nothing. */
export type WebhookOutcome = { malformed: string } | { body: unknown; changes?: ChangeEvent[]; ackFirst?: boolean };

export interface WebhookMapper {
  /** The path segment of `POST /webhooks/<vendor>` and the key of its secret. */
  vendor: string;
  /** Null when the signature is authentic and fresh, else why not (logged, answered 401). */
  verify(secret: string, request: WebhookRequest): string | null;
  map(json: unknown): WebhookOutcome;
}

/** What catch-up after downtime may use of a system: its process-level connector and raw client. */
export interface CatchUpSource<Connector> {
  connector: Connector;
  upstream: UpstreamClient;
  /** Epoch ms of the last change seen. */
  since: number;
}

/** Process-level state of a system (e.g. Slack's user directory), shared by every request. */
export interface SharedState<Shared> {
  shared: Shared;
  /** Hears every change on the feed (this replica's, and with Redis every replica's). */
  applyChange?(event: ChangeEvent): void;
  /** Loads ahead of the first request; never rejects. */
  warm?(): Promise<void>;
  close?(): void;
}

export interface SharedStateOptions<Connector> {
  connector: Connector;
  cache: ResourceCache;
  ttlSeconds: Readonly<Record<string, number>>;
  logger: Logger;
}

export interface LoadersOptions<Connector, Shared, Hooks> {
  connector: Connector;
  cache: ResourceCache;
  requestId: string;
  signal: AbortSignal;
  shared: Shared;
  /** The vendor plan configured for this system (its facts' `env.plan` setting), if it has plans. */
  plan?: string;
  /** Callbacks the cross-system links (src/links) hang on this system's reads. */
  hooks: Hooks;
}

/** What the response cache knows of a system's GraphQL types. */
export interface ResponseCacheTypes {
  /** GraphQL type → the record-cache resource whose TTL bounds it. */
  types: Readonly<Record<string, string>>;
  /** `Type.field` list fields served from cached pages, which live shorter than their records. */
  fields?: Readonly<Record<string, string>>;
}

export interface SystemModule<
  Name extends SystemName = SystemName,
  Connector = unknown,
  Loaders = unknown,
  Shared = unknown,
  Hooks = unknown,
> {
  name: Name;
  /** What the lower layers and config read of this vendor (its facts file), listed for them by ../catalog.ts. */
  facts: FactsByName[Name];
  /** How the shared upstream client reads this vendor's answers (errors, retry-after). */
  profile: VendorProfile;
  /** A connector over the shared client; per request it carries the request's id and signal. */
  createConnector(http: UpstreamClient, scope?: RequestScope): Connector;
  /** Process-level state built once per gateway with the process-level connector. */
  createShared?(options: SharedStateOptions<Connector>): SharedState<Shared>;
  /** The per-request loaders, built on a request's first read of this system. */
  createLoaders(options: LoadersOptions<Connector, Shared, Hooks>): Loaders;
  /** Drops or updates this system's cache entries a change of its own makes stale. */
  invalidate(cache: ResourceCache, event: ChangeEvent): Promise<ChangeNotes | void>;
  webhook?: WebhookMapper;
  /** The changes missed since `since` (the vendor's own change feed), oldest first. */
  catchUp?(source: CatchUpSource<Connector>): Promise<ChangeEvent[]>;
  responseCache: ResponseCacheTypes;
}

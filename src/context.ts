/**
 * Per-request context. Loaders are created here for every request, so nothing that holds
 * one caller's data outlives the request; the cross-request cache sits inside them.
 */
import type { ChangeFeed } from './changes/types.ts';
import type { BillingLoaders } from './connectors/billing/loaders.ts';
import type { ChatLoaders } from './connectors/chat/loaders.ts';
import type { CrmLoaders } from './connectors/crm/loaders.ts';

export interface Loaders {
  crm: CrmLoaders;
  billing: BillingLoaders;
  chat: ChatLoaders;
}

export interface GatewayContext {
  /** Sent upstream as `x-request-id` and logged with every line of this request. */
  requestId: string;
  loaders: Loaders;
  /** Where writes report what they changed: invalidates the cache, then notifies subscribers. */
  changes: ChangeFeed;
}

/**
 * What the CRM route modules share: the store, the owners of the current seed, the live
 * knobs, the rate limiter, and `route()`, which registers a handler behind the opt-in quota
 * checks so that every API route is limited the same way.
 */
import type { ChaosKnobs, Handler, Router } from '../http.ts';
import { rateLimitError } from './errors.ts';
import type { CrmRateLimiter } from './rate-limit.ts';
import type { CrmOwner } from './seed.ts';
import type { ChangeContext, CrmStore } from './store.ts';

/** Identifiers HubSpot puts into webhooks; fixed for the sandbox account. */
export const SANDBOX_PORTAL_ID = 62515;
export const SANDBOX_APP_ID = 54321;

/** API writes come from "our app", as HubSpot records them. */
export const API_CHANGE: ChangeContext = { source: 'INTEGRATION', sourceId: `appId:${SANDBOX_APP_ID}` };

export interface CrmContext {
  store: CrmStore;
  /** Replaced on reset, so read through the context each time. */
  owners: CrmOwner[];
  /** Ids of active owners: the allowed values of `hubspot_owner_id`. */
  ownerIds: Set<string>;
  limiter: CrmRateLimiter;
  knobs(): ChaosKnobs | undefined;
}

export function isSearchRoute(route: string): boolean {
  return route.endsWith('/search');
}

/** Registers an API route behind the quota checks (which are off unless enabled). */
export function route(router: Router, ctx: CrmContext, method: string, pattern: string, handler: Handler): void {
  const search = isSearchRoute(pattern);
  router.on(method, pattern, (req) => {
    const refused = ctx.limiter.check(search);
    return refused ? rateLimitError(refused) : handler(req);
  });
}

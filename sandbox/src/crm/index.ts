/**
 * The HubSpot CRM emulator: objects v3 (contacts, companies, deals), search, associations
 * v4 and owners, behind `Authorization: Bearer <token>`, with HubSpot's error bodies, 429s
 * and `X-HubSpot-RateLimit-*` headers. Every change — API write or admin edit — goes through
 * the store and is announced once on `events` ('change'), which the webhook deliverer uses.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse, VendorEmulator } from '../http.ts';
import { Router } from '../http.ts';
import type { World } from '../world.ts';
import { createAdminRouter } from './admin.ts';
import { type CrmContext, isSearchRoute } from './context.ts';
import { hubspotError, rateLimitError } from './errors.ts';
import { CrmRateLimiter } from './rate-limit.ts';
import { registerAssociationRoutes } from './routes-associations.ts';
import { registerObjectRoutes } from './routes-objects.ts';
import { registerOwnerRoutes } from './routes-owners.ts';
import { registerSearchRoutes } from './routes-search.ts';
import { seedCrm } from './seed.ts';
import { type CrmEvents, CrmStore } from './store.ts';

export type { CrmChangeEvent, CrmChangeType, CrmObjectSnapshot, ChangeSource } from './store.ts';
export type { CrmLimits } from './rate-limit.ts';
export type { CrmObjectType } from './schema.ts';
export { SANDBOX_APP_ID, SANDBOX_PORTAL_ID } from './context.ts';

export interface CrmEmulator extends VendorEmulator {
  /** Emits `'change'` with a CrmChangeEvent for every creation, property change, deletion and association change. */
  events: CrmEvents;
  store: CrmStore;
  limiter: CrmRateLimiter;
}

export interface CrmEmulatorOptions {
  /** The private-app token accepted as `Authorization: Bearer <token>`. */
  token: string;
}

const AUTH_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export function createCrmEmulator(world: World, options: CrmEmulatorOptions): CrmEmulator {
  const events = new EventEmitter() as CrmEvents;
  // Webhook listeners, admin edits and tests may all subscribe at once.
  events.setMaxListeners(100);
  // Never earlier than the seeded world's "now", so new writes sort after seeded ones.
  const offset = Math.max(0, world.now - Date.now());
  const store = new CrmStore(events, () => Date.now() + offset);
  const limiter = new CrmRateLimiter();
  const ctx: CrmContext = { store, owners: [], ownerIds: new Set(), limiter, knobs: () => emulator.knobs };

  const reseed = () => {
    const { owners } = seedCrm(world, store);
    ctx.owners = owners;
    ctx.ownerIds = new Set(owners.filter((o) => !o.archived).map((o) => o.id));
  };
  reseed();

  const router = new Router();
  // Search and batch routes are literal segments at the same depth as `/:id`: register them first.
  registerSearchRoutes(router, ctx);
  registerObjectRoutes(router, ctx);
  registerAssociationRoutes(router, ctx);
  registerOwnerRoutes(router, ctx);

  const emulator: CrmEmulator = {
    system: 'crm',
    router,
    admin: createAdminRouter(ctx),
    events,
    store,
    limiter,

    authenticate(req: SandboxRequest): SandboxResponse | null {
      const header = req.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
      if (match && match[1] === options.token) return null;
      const res = hubspotError(401, 'INVALID_AUTHENTICATION', AUTH_MESSAGE);
      res.headers = { ...res.headers, 'x-hubspot-auth-failure': '401 Unauthorized' };
      return res;
    },

    rateLimited: () => rateLimitError('TEN_SECONDLY_ROLLING'),

    internalError: () => hubspotError(500, 'INTERNAL_ERROR', 'internal error'),

    notFound: (req: SandboxRequest) => hubspotError(404, 'OBJECT_NOT_FOUND', `No route for ${req.method} ${req.path}`),

    reset(): void {
      limiter.reset();
      reseed();
    },

    decorate(req: SandboxRequest, res: SandboxResponse): void {
      limiter.record(isSearchRoute(req.route));
      const headers = limiter.headers();
      const policy = res.status === 429 && isPolicyBody(res.body) ? res.body.policyName : null;
      // A 429 for the rolling window means nothing is left in it, whatever the counter says (forced 429s).
      if (policy === 'TEN_SECONDLY_ROLLING') headers['x-hubspot-ratelimit-remaining'] = '0';
      if (policy === 'DAILY') headers['x-hubspot-ratelimit-daily-remaining'] = '0';
      res.headers = { ...headers, ...res.headers };
      if (!res.headers['x-hubspot-correlation-id']) res.headers['x-hubspot-correlation-id'] = randomUUID();
    },
  };
  return emulator;
}

function isPolicyBody(body: unknown): body is { policyName: string } {
  return typeof body === 'object' && body !== null && typeof (body as { policyName?: unknown }).policyName === 'string';
}

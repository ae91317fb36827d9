/**
 * The Stripe emulator (API version 2023-08-16, and 2025-03-31.basil's shapes on request: versions.ts): customers, invoices with invoice items,
 * subscriptions, charges, payment intents, prices/products and the Event log, with Stripe's
 * wire format (form-encoded bodies, `expand[]`, cursor lists, the search query language over
 * a lagging index, Idempotency-Key replay, error bodies and 401/402/404/409/429 shapes).
 *
 * `events` emits `'change'` with a `BillingChange` (`{ type, object, previous, event }`) for
 * every recorded Event, whether an API write or a `/__sandbox/edit` caused it.
 */
import type { EventEmitter } from 'node:events';
import type { SandboxRequest, SandboxResponse, VendorEmulator } from '../http.ts';
import { Router } from '../http.ts';
import type { World } from '../world.ts';
import { billingAdmin } from './admin.ts';
import { BillingApi, type BillingFaults, newRequestId } from './api.ts';
import { apiError, authenticationError, rateLimitError, StripeError } from './errors.ts';
import { IdempotencyStore } from './idempotency.ts';
import { catalogRoutes } from './routes-catalog.ts';
import { customerRoutes } from './routes-customers.ts';
import { eventRoutes } from './routes-events.ts';
import { invoiceRoutes } from './routes-invoices.ts';
import { paymentRoutes } from './routes-payments.ts';
import { subscriptionRoutes } from './routes-subscriptions.ts';
import { searchEngines } from './search-fields.ts';
import { seedBilling } from './seed.ts';
import { BillingStore } from './store.ts';
import { answerVersion, renderInVersion, reshapes } from './versions.ts';
import { versionAdmin } from './admin-versions.ts';
import { vendorSpec } from '../specs.ts';

export type { BillingChange } from './store.ts';

function presentedKey(req: SandboxRequest): string | null {
  const auth = req.headers.authorization;
  if (!auth) return null;
  const [scheme, value = ''] = auth.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) return value || null;
  if (/^basic$/i.test(scheme)) {
    // Stripe takes the key as the Basic user name (`-u sk_…:`), or the bare key after "Basic".
    if (value.startsWith('sk_') || value.startsWith('rk_')) return value;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.split(':')[0] || null;
  }
  // Any other scheme is a credential Stripe would not accept: report it as presented.
  return auth;
}

/**
 * @param options.apiKey the secret key requests must present (`Authorization: Bearer sk_…`,
 *   or HTTP Basic with the key as the user name).
 */
export function createBillingEmulator(world: World, options: { apiKey: string }): VendorEmulator & { events: EventEmitter } {
  // Ids and seed decisions draw from separate streams of the billing fork, so a reset
  // (or a fresh start) reproduces the same account byte for byte.
  const streams = () => {
    const base = world.prng.fork('billing');
    return { ids: base.fork('ids'), seed: base.fork('seed') };
  };
  const initial = streams();
  const store = new BillingStore(initial.ids);
  const idempotency = new IdempotencyStore();
  const faults: BillingFaults = { lockedIds: new Set(), lockTimeoutRate: 0, holdMs: 0 };
  const engines = searchEngines(store);
  const router = new Router();
  const api = new BillingApi(router, store, idempotency, faults);

  const emulator: VendorEmulator & { events: EventEmitter } = {
    system: 'billing',
    router,
    events: store.emitter,
    admin: versionAdmin(billingAdmin(store, faults), store),

    authenticate(req) {
      const key = presentedKey(req);
      if (key === options.apiKey) return null;
      return authenticationError(key).toResponse();
    },
    rateLimited: () => rateLimitError().toResponse(),
    internalError: () => apiError().toResponse(),
    notFound: (req) =>
      new StripeError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${req.method}: ${req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      }).toResponse(),

    reset() {
      const fresh = streams();
      store.restart(fresh.ids);
      seedBilling(store, world, fresh.seed);
      idempotency.clear();
      faults.lockedIds.clear();
      faults.lockTimeoutRate = 0;
      faults.holdMs = 0;
      for (const engine of Object.values(engines)) engine.reset();
    },

    decorate(req: SandboxRequest, res: SandboxResponse) {
      let requestId = api.requestIds.get(req);
      if (!requestId) {
        requestId = newRequestId();
        api.requestIds.set(req, requestId);
      }
      const requested = req.headers['stripe-version'];
      const version = answerVersion(store.versions, Array.isArray(requested) ? requested[0] : requested);
      // Events read in their own version (versions.ts), so their answers are always rendered.
      const rendered = res.status >= 200 && res.status < 300 && (reshapes(version) || req.path.startsWith('/v1/events'));
      if (rendered && res.body !== undefined) res.body = renderInVersion(res.body, version, store.versions.forced);
      res.headers = {
        ...res.headers,
        'Request-Id': requestId,
        'Stripe-Version': version,
        'Cache-Control': 'no-cache, no-store',
      };
    },

    openapi() {
      return vendorSpec('stripe.subset.json');
    },
  };

  // The core assigns the live knobs after construction; read them per request.
  const deps = {
    searchLagMs: () => {
      const knobs = emulator.knobs;
      return knobs?.searchFrozenAt ? Math.max(0, Date.now() - knobs.searchFrozenAt) : (knobs?.searchLagMs ?? 0);
    },
  };
  customerRoutes(api, engines, deps);
  invoiceRoutes(api, engines, deps);
  subscriptionRoutes(api, engines, deps);
  paymentRoutes(api, engines, deps);
  catalogRoutes(api);
  eventRoutes(api);

  seedBilling(store, world, initial.seed);
  return emulator;
}

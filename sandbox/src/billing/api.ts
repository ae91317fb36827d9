/**
 * The request pipeline every `/v1` route runs through, in Stripe's order:
 *
 *   Stripe-Version check → decode params (query, and the form body of POST/DELETE)
 *   → [writes] lock contention (429 lock_timeout) → [POST] Idempotency-Key lookup
 *   → parameter validation → [POST] claim the key → execute → [POST] store the response
 *
 * Auth, forced 429s and injected 500s happen earlier, in the shared core. Handlers throw
 * `StripeError`; anything else becomes Stripe's 500 `api_error` (and is logged).
 */
import { randomBytes } from 'node:crypto';
import type { Router, SandboxRequest, SandboxResponse } from '../http.ts';
import type { OpContext } from './changes.ts';
import { apiError, invalidParam, lockTimeoutError, StripeError } from './errors.ts';
import { canonicalParams, decodePairs, FormDecodeError, type FormParams } from './form.ts';
import type { IdempotencyStore } from './idempotency.ts';
import { Params } from './params.ts';
import type { Json } from './render.ts';
import { API_VERSION, type BillingStore } from './store.ts';

export interface ApiContext extends OpContext {
  req: SandboxRequest;
  params: Params;
}

export type ReadHandler = (ctx: ApiContext) => Json;

export interface WriteHandler<T> {
  /** Pure parameter checks (no state): failures here are not stored under an Idempotency-Key. */
  validate: (params: Params, ctx: ApiContext) => T;
  execute: (ctx: ApiContext, input: T) => Json;
}

/** Billing-only fault knobs, set through `/__sandbox/locks` and `/__sandbox/hold`. */
export interface BillingFaults {
  /** Writes touching one of these ids answer 429 `lock_timeout`. */
  lockedIds: Set<string>;
  /** Share (0–1) of all writes that answer 429 `lock_timeout`. */
  lockTimeoutRate: number;
  /** POSTs pause this long after claiming their Idempotency-Key, before executing (to provoke 409s). */
  holdMs: number;
}

const VERSION = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function newRequestId(): string {
  const bytes = randomBytes(14);
  let out = 'req_';
  for (const b of bytes) out += ALPHABET[b % 62];
  return out;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class BillingApi {
  /** The `Request-Id` a request was answered with, for `decorate` and Event `request.id`. */
  readonly requestIds = new WeakMap<SandboxRequest, string>();

  constructor(
    readonly router: Router,
    private readonly store: BillingStore,
    private readonly idempotency: IdempotencyStore,
    private readonly faults: BillingFaults,
  ) {}

  get(pattern: string, handler: ReadHandler): this {
    this.router.on('GET', pattern, (req) => this.run(req, (ctx) => handler(ctx)));
    return this;
  }

  delete(pattern: string, handler: ReadHandler): this {
    this.router.on('DELETE', pattern, (req) =>
      this.run(req, (ctx) => {
        this.checkLocks(ctx);
        return handler(ctx);
      }),
    );
    return this;
  }

  post<T>(pattern: string, handler: WriteHandler<T>): this {
    this.router.on('POST', pattern, (req) => this.runWrite(req, handler));
    return this;
  }

  private context(req: SandboxRequest): ApiContext {
    const version = header(req, 'stripe-version');
    if (version !== undefined && !VERSION.test(version)) {
      throw invalidParam('Stripe-Version', `Invalid Stripe API version: ${version}. Versions look like ${API_VERSION}.`);
    }
    let requestId = this.requestIds.get(req);
    if (!requestId) {
      requestId = newRequestId();
      this.requestIds.set(req, requestId);
    }
    const idempotencyKey = req.method === 'POST' ? (header(req, 'idempotency-key') ?? null) : null;
    return { req, params: new Params(decodeParams(req)), store: this.store, request: { requestId, idempotencyKey } };
  }

  private async run(req: SandboxRequest, handler: (ctx: ApiContext) => Json): Promise<SandboxResponse> {
    try {
      const ctx = this.context(req);
      return { status: 200, body: handler(ctx) };
    } catch (error) {
      return toErrorResponse(error, req);
    }
  }

  private checkLocks(ctx: ApiContext): void {
    const { lockedIds, lockTimeoutRate } = this.faults;
    if (lockedIds.size > 0) {
      const touched = [...Object.values(ctx.req.params), ...['customer', 'invoice', 'subscription'].map((k) => ctx.params.raw[k])];
      for (const id of touched) if (typeof id === 'string' && lockedIds.has(id)) throw lockTimeoutError(id);
    }
    if (lockTimeoutRate > 0 && Math.random() < lockTimeoutRate) throw lockTimeoutError(Object.values(ctx.req.params)[0] ?? ctx.req.path);
  }

  private async runWrite<T>(req: SandboxRequest, handler: WriteHandler<T>): Promise<SandboxResponse> {
    let ctx: ApiContext;
    let key: string | null = null;
    let claimed = false;
    const endpoint = `${req.method} ${req.path}`;
    let fingerprint = '';
    try {
      ctx = this.context(req);
      this.checkLocks(ctx);
      key = ctx.request.idempotencyKey;
      if (key !== null) {
        if (key.length > 255)
          throw invalidParam('Idempotency-Key', `Invalid idempotency key: keys can be at most 255 characters long (got ${key.length}).`);
        fingerprint = canonicalParams(ctx.params.raw);
        const stored = this.idempotency.check(key, endpoint, fingerprint);
        if (stored)
          return { ...stored.response, headers: { ...stored.response.headers, 'Idempotent-Replayed': 'true', 'Idempotency-Key': key } };
      }
      const input = handler.validate(ctx.params, ctx);
      if (key !== null) {
        this.idempotency.claim(key, endpoint, fingerprint);
        claimed = true;
      }
      if (this.faults.holdMs > 0) await sleep(this.faults.holdMs);
      const response: SandboxResponse = { status: 200, body: handler.execute(ctx, input) };
      if (key !== null) {
        response.headers = { 'Idempotency-Key': key };
        this.idempotency.store(key, response);
      }
      return response;
    } catch (error) {
      const response = toErrorResponse(error, req);
      if (claimed && key !== null) {
        // Parameter checks that live inside an operation still count as pre-execution.
        if (error instanceof StripeError && error.stage === 'validation') this.idempotency.release(key);
        else {
          response.headers = { ...response.headers, 'Idempotency-Key': key };
          this.idempotency.store(key, response);
        }
      }
      return response;
    }
  }
}

function header(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function decodeParams(req: SandboxRequest): FormParams {
  try {
    const pairs: [string, string][] = [...req.query];
    if (req.method !== 'GET' && req.rawBody.length > 0) pairs.push(...new URLSearchParams(req.rawBody.toString('utf8')));
    return decodePairs(pairs);
  } catch (error) {
    if (error instanceof FormDecodeError) throw invalidParam(error.param, error.message);
    throw error;
  }
}

export function toErrorResponse(error: unknown, req: SandboxRequest): SandboxResponse {
  if (error instanceof StripeError) return error.toResponse();
  console.error(`[sandbox:billing] ${req.method} ${req.path} failed:`, error);
  return apiError().toResponse();
}

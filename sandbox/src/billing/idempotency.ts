/**
 * Stripe's Idempotency-Key semantics (docs.stripe.com/api/idempotent_requests):
 *
 * - POST only; the key names one request for 24 h.
 * - Once the endpoint starts executing, its status and body — 200, 400, 402 or 500 alike —
 *   are stored and replayed for the same key with `Idempotent-Replayed: true`.
 * - The same key with other parameters or on another endpoint: 400 `idempotency_error`.
 * - While the first request still runs: 409 `idempotency_key_in_use`, nothing stored.
 * - Failures before execution (auth, rate limits, lock timeouts, parameter validation)
 *   store nothing, so a retry with the same key runs for real.
 */
import type { SandboxResponse } from '../http.ts';
import { docUrl, StripeError } from './errors.ts';

const TTL_MS = 24 * 3600_000;
const MAX_KEYS = 100_000;

interface Entry {
  fingerprint: string;
  endpoint: string;
  at: number;
  /** Undefined while the first request is still executing. */
  response?: SandboxResponse;
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  clear(): void {
    this.entries.clear();
  }

  /**
   * Looks the key up: a stored response to replay, an error (conflict or mismatch), or
   * nothing (`null`: the caller validates, then `claim`s before executing).
   */
  check(key: string, endpoint: string, fingerprint: string, now = Date.now()): { kind: 'replay'; response: SandboxResponse } | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (now - entry.at > TTL_MS) {
      this.entries.delete(key);
      return null;
    }
    if (entry.endpoint !== endpoint || entry.fingerprint !== fingerprint) {
      throw new StripeError(
        400,
        {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        },
        'validation',
      );
    }
    if (!entry.response) {
      throw new StripeError(
        409,
        {
          type: 'invalid_request_error',
          code: 'idempotency_key_in_use',
          doc_url: docUrl('idempotency_key_in_use'),
          message: 'There is currently another in-progress request using this Stripe API key and idempotency key. Please try again later.',
        },
        'validation',
      );
    }
    return { kind: 'replay', response: entry.response };
  }

  claim(key: string, endpoint: string, fingerprint: string, now = Date.now()): void {
    if (this.entries.size >= MAX_KEYS) this.prune(now);
    this.entries.set(key, { fingerprint, endpoint, at: now });
  }

  /** Forgets a claim whose request failed before really executing. */
  release(key: string): void {
    this.entries.delete(key);
  }

  store(key: string, response: SandboxResponse): void {
    const entry = this.entries.get(key);
    if (entry) entry.response = { status: response.status, headers: { ...response.headers }, body: response.body };
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.at > TTL_MS || this.entries.size > MAX_KEYS / 2) this.entries.delete(key);
  }
}

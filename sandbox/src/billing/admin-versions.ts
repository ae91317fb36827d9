/**
 * `/__sandbox/api-version` — the account's Stripe API version settings (versions.ts):
 *
 * - `GET` → `{ default, force, emulated }`.
 * - `POST { default?: string, force?: string | null }` — `default` is the account's default
 *   version (what a request without `Stripe-Version` gets, and what new Events are rendered
 *   in); `force` renders every answer and every Event in that version whatever the request
 *   asks (a proxy dropping the header on an account set to it, or a misconfigured account);
 *   null lifts it.
 * - `DELETE` → both back to 2023-08-16 and no force (as a reset does).
 */
import type { Router, SandboxResponse } from '../http.ts';
import type { BillingStore } from './store.ts';
import { defaultApiVersions, describeVersions, VERSION_PATTERN } from './versions.ts';

const bad = (message: string): SandboxResponse => ({ status: 400, body: { error: message } });

function parse(raw: Buffer): unknown {
  try {
    return raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

const isVersion = (value: unknown): value is string => typeof value === 'string' && VERSION_PATTERN.test(value);

export function versionAdmin(router: Router, store: BillingStore): Router {
  const show = (): SandboxResponse => ({ status: 200, body: describeVersions(store.versions) });
  router.on('GET', '/__sandbox/api-version', show);
  router.on('DELETE', '/__sandbox/api-version', () => {
    store.versions = defaultApiVersions();
    return show();
  });
  router.on('POST', '/__sandbox/api-version', (req) => {
    const body = parse(req.rawBody) as { default?: unknown; force?: unknown } | undefined;
    if (!body || typeof body !== 'object') return bad('expected { default?: version, force?: version | null }');
    if (body.default !== undefined && !isVersion(body.default)) return bad('default must be a version such as 2025-03-31.basil');
    if (body.force !== undefined && body.force !== null && !isVersion(body.force))
      return bad('force must be a version such as 2025-03-31.basil, or null');
    store.versions = {
      accountDefault: body.default ?? store.versions.accountDefault,
      forced: body.force === undefined ? store.versions.forced : body.force,
    };
    return show();
  });
  return router;
}

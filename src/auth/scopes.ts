/** Principals and the checks on their scopes. The scope list itself is configuration's (API keys name scopes). */
import { isScope, SCOPES, type Scope } from '../config.ts';

export { isScope, SCOPES, type Scope };

export type PrincipalKind = 'api-key' | 'jwt';

/** Who is calling, as every resolver and plugin sees it. */
export interface Principal {
  /** `api-key:<name>` or `jwt:<sub>` — stable, safe to log and to key rate limits by. */
  id: string;
  kind: PrincipalKind;
  scopes: ReadonlySet<Scope>;
  /** Requests per minute for this principal; undefined means the configured default. */
  rateLimitPerMinute?: number;
}

/** Scopes the principal lacks out of `required` (all are needed). */
export function missingScopes(principal: Principal | undefined, required: readonly string[]): string[] {
  return required.filter((scope) => !principal?.scopes.has(scope as Scope));
}

/** The check subscriptions run for each event they deliver: may this principal see it? */
export function hasScopes(principal: Principal | undefined, required: readonly string[]): boolean {
  return missingScopes(principal, required).length === 0;
}

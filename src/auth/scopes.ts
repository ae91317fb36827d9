/**
 * The closed set of scopes a principal can hold. Each system has a read and a write scope;
 * `audit:read` guards the audit log. `*` in configuration means every scope.
 */
export const SCOPES = ['crm:read', 'crm:write', 'billing:read', 'billing:write', 'chat:read', 'chat:write', 'audit:read'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

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

/**
 * The closed set of scopes a principal can hold. Each system has a read and a write scope;
 * `audit:read` guards the audit log. `*` in configuration means every scope.
 */
export const SCOPES = ['crm:read', 'crm:write', 'billing:read', 'billing:write', 'chat:read', 'chat:write', 'audit:read'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

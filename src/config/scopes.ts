/**
 * The closed set of scopes a principal can hold. Each system has a read and a write scope
 * (`crm:read`, `crm:write`, … in the catalog's order); `audit:read` guards the audit log;
 * `ops:read` guards what operators see of the gateway itself (deprecated-field usage, health).
 * `*` in configuration means every scope.
 */
import { SYSTEM_NAMES, type SystemName } from '../systems/catalog.ts';

export type Scope = `${SystemName}:${'read' | 'write'}` | 'audit:read' | 'ops:read';

export const SCOPES: readonly Scope[] = [
  ...SYSTEM_NAMES.flatMap((system) => [`${system}:read`, `${system}:write`] as const),
  'audit:read',
  'ops:read',
];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

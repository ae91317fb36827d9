/**
 * What a client is told when its operation uses something deprecated: one warning per
 * element in `extensions.warnings`, and on HTTP the headers of RFC 9745 (`Deprecation`, the
 * moment the element was deprecated) and RFC 8594 (`Sunset`, the moment it may be gone).
 *
 * Everything comes from the schema's `@deprecated` reason, which by the contract's rule
 * (src/schema-contract) ends "Removal after YYYY-MM-DD." and, when there is a successor,
 * starts "Use `field`…". The day a deprecation was announced is not part of a reason: it is
 * recorded beside the contract (src/schema-contract/announced.ts), which schema:check enforces.
 */
import { DEPRECATED_ON } from '../schema-contract/announced.ts';
import type { Deprecation } from '../schema-contract/deprecation.ts';

/** One entry of `extensions.warnings`. */
export interface DeprecationWarning {
  code: 'DEPRECATED_FIELD';
  /** Schema coordinate: `Type.field`, `Type.field(arg:)`, `Input.field` or `Enum.VALUE`. */
  field: string;
  message: string;
  /** The coordinate the reason names as its successor (`Deal.value`), when it names one. */
  replacement?: string;
  /** The day after which the element may be removed (YYYY-MM-DD), when the reason names one. */
  removalAfter?: string;
}

export const WARNING_CODE = 'DEPRECATED_FIELD';

const SUCCESSOR = /^Use `([_A-Za-z][_0-9A-Za-z]*(?:\.[_A-Za-z][_0-9A-Za-z]*)?)`/;

/** "Use `value`…" on `Deal.amount` → `Deal.value`; "Use `Deal.value`…" is taken as it is. */
export function replacementOf(deprecation: Pick<Deprecation, 'coordinate' | 'reason'>): string | undefined {
  const named = SUCCESSOR.exec(deprecation.reason.trim())?.[1];
  if (!named) return undefined;
  if (named.includes('.')) return named;
  // The successor is a sibling: of the same type, or of the same field for an argument.
  const owner = deprecation.coordinate.replace(/\([^)]*\)$/, '').split('.')[0];
  return `${owner}.${named}`;
}

export function warningOf(deprecation: Deprecation): DeprecationWarning {
  const replacement = replacementOf(deprecation);
  return {
    code: WARNING_CODE,
    field: deprecation.coordinate,
    message: `${deprecation.coordinate} is deprecated: ${deprecation.reason}`,
    ...(replacement ? { replacement } : {}),
    ...(deprecation.removalDate ? { removalAfter: deprecation.removalDate } : {}),
  };
}

const DAY_MS = 86_400_000;

/**
 * The response headers for the elements an operation used: `Deprecation` at the earliest
 * announcement among them, `Sunset` at the earliest removal — the first instant after the
 * announced day, since "Removal after 2027-03-08" keeps the element through that day.
 */
export function deprecationHeaders(uses: readonly Deprecation[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const announced = uses.map((use) => DEPRECATED_ON[use.coordinate]).filter((day) => day !== undefined);
  if (announced.length > 0) {
    headers.deprecation = `@${Math.floor(Date.parse(`${announced.sort()[0]}T00:00:00Z`) / 1000)}`;
  } else if (uses.length > 0) {
    // RFC 9745 needs a date; until one is recorded, the form of its drafts still says "deprecated".
    headers.deprecation = 'true';
  }
  const removals = uses.map((use) => use.removalDate).filter((day) => day !== undefined);
  if (removals.length > 0) headers.sunset = new Date(Date.parse(`${removals.sort()[0]}T00:00:00Z`) + DAY_MS).toUTCString();
  return headers;
}

/**
 * When each deprecation was announced, and the shortest window the contract promises between
 * that day and the removal. A reason names only the removal date (it is what clients read),
 * so the announcement day is recorded here, by schema coordinate; `schema:check` refuses a
 * deprecation missing here, or one whose removal comes less than MIN_WINDOW_DAYS after it.
 */
import type { Deprecation } from './deprecation.ts';

/** Add a line with each new `@deprecated` (YYYY-MM-DD, UTC: the day the schema that carries it ships). */
export const DEPRECATED_ON: Readonly<Record<string, string>> = {
  'Deal.amount': '2026-12-07',
  'Company.billingCustomers': '2026-12-08',
  'Company.contacts': '2026-12-08',
  'Company.deals': '2026-12-08',
  'Contact.companies': '2026-12-08',
  'Contact.deals': '2026-12-08',
  'Contact.invoices': '2026-12-08',
  'Contact.subscriptions': '2026-12-08',
  'Customer.charges': '2026-12-08',
  'Customer.invoices': '2026-12-08',
  'Customer.subscriptions': '2026-12-08',
  'Deal.contacts': '2026-12-08',
};

export const MIN_WINDOW_DAYS = 90;

const DAY_MS = 86_400_000;

/** Why a deprecation's window breaks the promise, or undefined when it keeps it. */
export function windowProblem(deprecation: Deprecation, announced: Readonly<Record<string, string>>): string | undefined {
  const on = announced[deprecation.coordinate];
  if (on === undefined) return `no announcement date: add '${deprecation.coordinate}' to DEPRECATED_ON in src/schema-contract/announced.ts`;
  if (deprecation.removalDate === undefined) return undefined; // reported as undated
  const days = (Date.parse(`${deprecation.removalDate}T00:00:00Z`) - Date.parse(`${on}T00:00:00Z`)) / DAY_MS;
  return days < MIN_WINDOW_DAYS
    ? `announced ${on}, removal after ${deprecation.removalDate}: ${days} days, less than the ${MIN_WINDOW_DAYS} promised`
    : undefined;
}

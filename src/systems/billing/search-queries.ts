/**
 * Conditions on invoices and customers as Stripe search queries. Stripe's query language
 * joins at most ten clauses with AND or with OR, never both, so every condition here is
 * one or more AND-ed clauses: a set of statuses is written as the negation of the others.
 */
import type { Bounds } from './connector-types.ts';
import type { StripeInvoiceStatus } from './schemas.ts';
import { allOf, fieldClause, quoteSearchValue } from './wire.ts';

/** Every invoice status of the pinned API version (2023-08-16). */
export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const satisfies readonly StripeInvoiceStatus[];

export interface InvoiceConditions {
  customer?: string;
  /** Unix seconds. */
  created?: Bounds;
  /** Minor units of the invoice's currency. */
  total?: Bounds;
  currency?: string;
  /** Any of these; the others are excluded one clause each. */
  statuses?: readonly (typeof INVOICE_STATUSES)[number][];
}

export interface CustomerConditions {
  /** Exact, case-insensitive. */
  email?: string;
  /** Substrings, case-insensitive; Stripe needs at least three characters. */
  nameContains?: string;
  emailContains?: string;
}

function range(field: string, bounds: Bounds | undefined): string[] {
  if (!bounds) return [];
  return [
    ...(bounds.gte !== undefined ? [`${field}>=${bounds.gte}`] : []),
    ...(bounds.lte !== undefined ? [`${field}<=${bounds.lte}`] : []),
  ];
}

const contains = (field: string, value: string | undefined) => (value === undefined ? [] : [`${field}~${quoteSearchValue(value)}`]);

/** The clauses of the conditions, AND-ed; at least one condition must be given. */
export function invoiceSearchQuery(conditions: InvoiceConditions): string {
  const excluded = conditions.statuses ? INVOICE_STATUSES.filter((status) => !conditions.statuses!.includes(status)) : [];
  return allOf([
    ...(conditions.customer !== undefined ? [fieldClause('customer', conditions.customer)] : []),
    ...range('created', conditions.created),
    ...range('total', conditions.total),
    ...(conditions.currency !== undefined ? [fieldClause('currency', conditions.currency)] : []),
    ...excluded.map((status) => `-${fieldClause('status', status)}`),
  ]);
}

export function customerSearchQuery(conditions: CustomerConditions): string {
  return allOf([
    ...(conditions.email !== undefined ? [fieldClause('email', conditions.email)] : []),
    ...contains('name', conditions.nameContains),
    ...contains('email', conditions.emailContains),
  ]);
}

/**
 * A connector's contract with its vendor, as data: the API version it speaks, and per route
 * the parameters it sends, the response fields it reads (listed from the zod schema that
 * validates the response) and the public GraphQL fields that depend on them.
 */
import type { z } from 'zod';

/** `Type.field` in the public schema, e.g. `Customer.email`. */
export type GraphqlField = string;

export interface RouteContract {
  /** Method and path template exactly as the vendor's document spells it: `GET /v1/customers/{customer}`. */
  route: string;
  /** The connector methods that call it, for the report. */
  calls: string;
  /**
   * Top-level parameters the connector may send (query, form or JSON body, header). Path
   * parameters are sent by construction and need not be listed.
   */
  params: readonly string[];
  /** The schema that validates the success body; null when the body is not read. */
  response: z.ZodType | null;
  /** Public fields that need the route at all: it failing fails them. */
  graphql: readonly GraphqlField[];
  /** Response field path (as `zodFields` lists it) → the public fields it feeds. */
  reads: Readonly<Record<string, readonly GraphqlField[]>>;
  /**
   * Fields read as enums whose validator keeps them open (any string passes) while the
   * public schema knows only these values: a new one reaches clients as `OTHER`.
   */
  enums?: Readonly<Record<string, readonly string[]>>;
  /**
   * Fields the connector reads that the vendor sends but its document does not declare,
   * each with why it is trusted anyway. Reported, never hidden; a finding if the document
   * declares the field after all and it does not fit.
   */
  undocumented?: Readonly<Record<string, string>>;
  /**
   * Fields the document marks optional that this route always sends, each with why: the
   * validator may require them here. Reported as notes.
   */
  alwaysSent?: Readonly<Record<string, string>>;
}

export interface SystemContract {
  system: 'crm' | 'billing' | 'chat';
  vendor: string;
  /** The API version or generation the connector speaks, e.g. Stripe's pinned `Stripe-Version`. */
  apiVersion: string;
  /** Which published document it is checked against; null when the vendor publishes none we keep. */
  document: 'stripe' | 'slack' | null;
  routes: readonly RouteContract[];
}

export type FindingKind = 'route-missing' | 'field-missing' | 'field-retyped' | 'field-optional' | 'enum-value-added' | 'param-required';

export interface Finding {
  system: SystemContract['system'];
  route: string;
  kind: FindingKind;
  /** The response field path, or the parameter name for `param-required`. */
  field?: string;
  detail: string;
  /**
   * `rejects`: the validator (or the vendor, for a parameter) refuses the whole call, so every
   * field that needs the route fails; `degrades`: the call passes and the field reads
   * null, its default or `OTHER`.
   */
  effect: 'rejects' | 'degrades';
  impact: { graphql: GraphqlField[]; documents: string[] };
}

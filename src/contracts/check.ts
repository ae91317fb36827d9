/**
 * Checks one system's contract against a vendor document: every route the connector uses must
 * be there, every response field it reads must be declared with a type its validator accepts
 * (and be always sent where the validator requires it), no new required parameter may go
 * unsent, and no enum the connector reads may have grown a value it does not know.
 */
import { enumOf, locate, operation, typesOf, type ApiDocument, type JsonNode } from './openapi.ts';
import type { Finding, FindingKind, GraphqlField, RouteContract, SystemContract } from './types.ts';
import { zodFields, type JsonType, type Literal, type ZodField } from './zod-fields.ts';

export interface CheckResult {
  system: SystemContract['system'];
  routes: number;
  findings: Finding[];
  /** What was not checked, and why: fields the document does not declare or describes only loosely. */
  notes: string[];
}

/** Which trusted documents select any of these public fields. */
export type DocumentsSelecting = (fields: readonly GraphqlField[]) => string[];

/** A node that allows all seven JSON kinds leaves its type open: nothing to hold the validator to. */
const ALL_TYPES = 7;

const isUnder = (path: string, parent: string) => path === parent || path.startsWith(`${parent}.`) || path.startsWith(`${parent}[]`);

/** The public fields a field and everything under it feed. */
export function fieldImpact(route: RouteContract, path: string): GraphqlField[] {
  return unique(Object.entries(route.reads).flatMap(([read, fields]) => (isUnder(read, path) ? fields : [])));
}

/** Everything that needs the route: what fails when the call fails. */
export function routeImpact(route: RouteContract): GraphqlField[] {
  return unique([...route.graphql, ...Object.values(route.reads).flat()]);
}

function unique(fields: readonly GraphqlField[]): GraphqlField[] {
  return [...new Set(fields)].sort();
}

const list = (values: readonly (Literal | JsonType)[]) => values.map((value) => JSON.stringify(value)).join(', ');

interface Draft {
  kind: FindingKind;
  field?: string;
  detail: string;
  effect: Finding['effect'];
}

export function checkContract(contract: SystemContract, doc: ApiDocument, documentsSelecting: DocumentsSelecting = () => []): CheckResult {
  const findings: Finding[] = [];
  const notes: string[] = [];
  for (const route of contract.routes) {
    for (const draft of checkRoute(route, doc, notes)) {
      const own = draft.field && draft.kind !== 'param-required' ? fieldImpact(route, draft.field) : [];
      const graphql = draft.effect === 'rejects' ? [...own, ...routeImpact(route).filter((field) => !own.includes(field))] : own;
      findings.push({ system: contract.system, route: route.route, ...draft, impact: { graphql, documents: documentsSelecting(graphql) } });
    }
  }
  return { system: contract.system, routes: contract.routes.length, findings, notes };
}

function checkRoute(route: RouteContract, doc: ApiDocument, notes: string[]): Draft[] {
  const op = operation(doc, route.route);
  if (!op) return [{ kind: 'route-missing', detail: `the document has no ${route.route}`, effect: 'rejects' }];
  const drafts = checkParams(route, op.parameters, op.requiredBody);
  if (!route.response) return drafts;
  if (!op.response) {
    notes.push(`${route.route}: the document gives no success body to check the fields against`);
    return drafts;
  }
  return [...drafts, ...checkFields(route, doc, op.response, notes)];
}

function checkParams(route: RouteContract, parameters: { name: string; in: string; required: boolean }[], requiredBody: string[]): Draft[] {
  const required = [
    ...parameters.filter((param) => param.required && param.in !== 'path' && param.in !== 'body').map((param) => param.name),
    ...requiredBody,
  ];
  return [...new Set(required)]
    .filter((name) => !route.params.includes(name))
    .map((name) => ({
      kind: 'param-required' as const,
      field: name,
      detail: `the document requires parameter \`${name}\`, which the connector does not send`,
      effect: 'rejects' as const,
    }));
}

function checkFields(route: RouteContract, doc: ApiDocument, body: JsonNode, notes: string[]): Draft[] {
  const drafts: Draft[] = [];
  const skipped: string[] = [];
  for (const field of zodFields(route.response!)) {
    if (skipped.some((parent) => isUnder(field.path, parent))) continue;
    const found = locate(doc, body, field.path);
    const undocumented = route.undocumented?.[field.path];
    if (found.found === 'unknown') {
      notes.push(`${route.route}: \`${field.path}\` is under a part the document does not describe`);
      skipped.push(field.path);
    } else if (!found.found) {
      skipped.push(field.path);
      if (undocumented) notes.push(`${route.route}: \`${field.path}\` is read but not in the document (${undocumented})`);
      else
        drafts.push({
          kind: 'field-missing',
          field: field.path,
          detail: `\`${field.path}\` is not in the response any more`,
          effect: field.optional ? 'degrades' : 'rejects',
        });
    } else {
      const always = found.required ? undefined : route.alwaysSent?.[field.path];
      if (always) notes.push(`${route.route}: \`${field.path}\` is optional in the document but always sent here (${always})`);
      drafts.push(...checkField(route, doc, field, found.nodes, found.required || always !== undefined));
    }
  }
  return drafts;
}

function checkField(route: RouteContract, doc: ApiDocument, field: ZodField, nodes: JsonNode[], required: boolean): Draft[] {
  const drafts: Draft[] = [];
  const types = typesOf(doc, nodes);
  const foreign = types.filter((type) => !field.accepts.includes(type));
  if (types.length < ALL_TYPES && foreign.length > 0) {
    drafts.push({
      kind: 'field-retyped',
      field: field.path,
      detail: `\`${field.path}\` may be ${list(foreign)} (the document says ${list(types)}); the validator accepts ${list(field.accepts)}`,
      effect: 'rejects',
    });
  }
  if (!required && !field.optional) {
    drafts.push({
      kind: 'field-optional',
      field: field.path,
      detail: `\`${field.path}\` is no longer always sent; the validator requires it`,
      effect: 'rejects',
    });
  }
  const values = enumOf(doc, nodes)?.filter((value) => value !== null);
  if (values && field.values) {
    const unknown = values.filter((value) => !field.values!.includes(value));
    if (unknown.length > 0)
      drafts.push({
        kind: 'enum-value-added',
        field: field.path,
        detail: `\`${field.path}\` may be ${list(unknown)}, which the validator rejects`,
        effect: 'rejects',
      });
  }
  const known = route.enums?.[field.path];
  if (values && known) {
    const unknown = values.filter((value) => !known.includes(String(value)));
    if (unknown.length > 0)
      drafts.push({
        kind: 'enum-value-added',
        field: field.path,
        detail: `\`${field.path}\` may be ${list(unknown)}, unknown to the public enum (clients see OTHER)`,
        effect: 'degrades',
      });
  }
  return drafts;
}

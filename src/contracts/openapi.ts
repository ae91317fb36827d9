/**
 * Reading a vendor's published API document (OpenAPI 3 for Stripe, Swagger 2.0 for Slack) the
 * way a response validator sees it: an operation by `METHOD /path`, its parameters, its
 * success body, and for a field path the schema nodes that may answer it. Alternatives
 * (`anyOf`, `oneOf`, and the Slack copy's `x-items-alternatives`, see its `x-note`) are all
 * kept: a field is there when any alternative declares it.
 */
import type { JsonType, Literal } from './zod-fields.ts';

export type JsonNode = Readonly<Record<string, unknown>>;
export type ApiDocument = JsonNode;

const ALL_TYPES: JsonType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];
const ALTERNATIVES = ['anyOf', 'oneOf', 'x-items-alternatives'] as const;

const isNode = (value: unknown): value is JsonNode => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `#/components/schemas/customer` or `#/definitions/objs_user` → the node; other refs are not followed. */
function follow(doc: ApiDocument, node: JsonNode, seen = new Set<string>()): JsonNode {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/') || seen.has(ref)) return node;
  seen.add(ref);
  let target: unknown = doc;
  for (const part of ref.slice(2).split('/')) target = isNode(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return isNode(target) ? follow(doc, target, seen) : {};
}

/** The concrete schemas a node may be: refs followed, alternatives spread (`allOf` is one of each part). */
export function alternatives(doc: ApiDocument, node: JsonNode): JsonNode[] {
  const resolved = follow(doc, node);
  for (const key of ALTERNATIVES) {
    const list = resolved[key];
    if (Array.isArray(list)) {
      const spread = list.filter(isNode).flatMap((alt) => alternatives(doc, alt));
      // `nullable` beside the alternatives applies to all of them.
      return resolved.nullable === true ? [...spread, { type: 'null' }] : spread;
    }
  }
  const all = resolved.allOf;
  if (Array.isArray(all)) return all.filter(isNode).flatMap((part) => alternatives(doc, part));
  return [resolved];
}

function typesOfOne(node: JsonNode): JsonType[] {
  const declared = node.type;
  const types: JsonType[] = Array.isArray(declared)
    ? (declared as JsonType[])
    : typeof declared === 'string'
      ? [declared as JsonType]
      : Array.isArray(node.enum)
        ? (node.enum as Literal[]).map((value) => (value === null ? 'null' : (typeof value as JsonType)))
        : isNode(node.properties)
          ? ['object']
          : node.items !== undefined
            ? ['array']
            : ALL_TYPES;
  return node.nullable === true ? [...types, 'null'] : types;
}

/** The JSON kinds a value at this node may have. */
export function typesOf(doc: ApiDocument, nodes: readonly JsonNode[]): JsonType[] {
  const types = new Set(nodes.flatMap((node) => alternatives(doc, node)).flatMap(typesOfOne));
  return [...types].sort();
}

/** The values a node allows, or undefined when some alternative is open (no `enum`). */
export function enumOf(doc: ApiDocument, nodes: readonly JsonNode[]): Literal[] | undefined {
  const values = new Set<Literal>();
  for (const alt of nodes.flatMap((node) => alternatives(doc, node))) {
    if (alt.type === 'null') values.add(null);
    else if (Array.isArray(alt.enum)) for (const value of alt.enum as Literal[]) values.add(value);
    else return undefined;
  }
  return [...values];
}

export type Lookup =
  | { found: true; nodes: JsonNode[]; required: boolean }
  /** No alternative declares it. */
  | { found: false }
  /** Some alternative is an object the document does not describe (a trimmed stub): nothing to say. */
  | { found: 'unknown' };

/** The property `key` of a value at `nodes`. */
export function property(doc: ApiDocument, nodes: readonly JsonNode[], key: string): Lookup {
  const found: JsonNode[] = [];
  let required = true;
  let open = false;
  for (const alt of nodes.flatMap((node) => alternatives(doc, node))) {
    const properties = alt.properties;
    if (!isNode(properties)) {
      if (typesOfOne(alt).includes('object') && alt.additionalProperties !== false) open = true;
      continue;
    }
    const child = properties[key];
    if (!isNode(child)) continue;
    found.push(child);
    // OpenAPI 3 `nullable` fields count as always sent: Stripe's documents leave them out of
    // `required` (a customer's `email`, an invoice's `status`) though every answer carries
    // them, null or not. Only a field neither required nor nullable may be absent.
    const listed = Array.isArray(alt.required) && alt.required.includes(key);
    if (!listed && follow(doc, child).nullable !== true) required = false;
  }
  if (found.length > 0) return { found: true, nodes: found, required };
  return open ? { found: 'unknown' } : { found: false };
}

/** The item schemas of an array at `nodes`. */
export function items(doc: ApiDocument, nodes: readonly JsonNode[]): JsonNode[] {
  return nodes
    .flatMap((node) => alternatives(doc, node))
    .map((alt) => alt.items)
    .filter(isNode);
}

/** Splits `data[].lines.data[].amount` into keys and `[]` steps. */
export function pathSteps(path: string): string[] {
  return path.split('.').flatMap((part) => {
    const key = part.replace(/(\[\])+$/, '');
    const arrays = (part.length - key.length) / 2;
    return [key, ...Array.from({ length: arrays }, () => '[]')];
  });
}

/** The schema nodes at a field path under a body schema. */
export function locate(doc: ApiDocument, body: JsonNode, path: string): Lookup {
  let nodes: JsonNode[] = [body];
  let required = true;
  for (const step of pathSteps(path)) {
    if (step === '[]') {
      nodes = items(doc, nodes);
      if (nodes.length === 0) return { found: false };
      continue;
    }
    const next = property(doc, nodes, step);
    if (next.found !== true) return next;
    nodes = next.nodes;
    required = next.required;
  }
  return { found: true, nodes, required };
}

export interface Operation {
  node: JsonNode;
  /** Parameters with `$ref`s followed: path, query, header and (Swagger) formData. */
  parameters: { name: string; in: string; required: boolean }[];
  /** Required fields of an OpenAPI 3 form or JSON request body. */
  requiredBody: string[];
  /** The success body's schema, if the document gives one. */
  response: JsonNode | undefined;
}

/** `GET /v1/customers/{customer}` in the document, or undefined when it has no such operation. */
export function operation(doc: ApiDocument, route: string): Operation | undefined {
  const [method, path] = route.split(' ', 2) as [string, string];
  const paths = doc.paths;
  const item = isNode(paths) ? paths[path] : undefined;
  const node = isNode(item) ? item[method.toLowerCase()] : undefined;
  if (!isNode(node)) return undefined;
  const shared = isNode(item) && Array.isArray(item.parameters) ? item.parameters : [];
  const parameters = [...shared, ...(Array.isArray(node.parameters) ? node.parameters : [])]
    .filter(isNode)
    .map((raw) => follow(doc, raw))
    .map((param) => ({ name: String(param.name), in: String(param.in), required: param.required === true }));
  return { node, parameters, requiredBody: requiredBody(doc, node), response: successBody(node) };
}

function requiredBody(doc: ApiDocument, node: JsonNode): string[] {
  const content = isNode(node.requestBody) && isNode(node.requestBody.content) ? node.requestBody.content : {};
  const required = new Set<string>();
  for (const media of Object.values(content)) {
    if (!isNode(media) || !isNode(media.schema)) continue;
    for (const alt of alternatives(doc, media.schema))
      if (Array.isArray(alt.required)) for (const name of alt.required) required.add(String(name));
  }
  return [...required];
}

function successBody(node: JsonNode): JsonNode | undefined {
  const responses = isNode(node.responses) ? node.responses : {};
  const ok = responses['200'] ?? responses['201'];
  if (!isNode(ok)) return undefined;
  if (isNode(ok.schema)) return ok.schema;
  const content = isNode(ok.content) ? ok.content['application/json'] : undefined;
  return isNode(content) && isNode(content.schema) ? content.schema : undefined;
}

/**
 * `@defer` done by the gateway over whole executions. Stitching's own handling of deferred
 * fragments failed requests and doubled error paths (the property test over generated
 * fragments found both), so no delegated document ever carries the directive.
 * Instead a query is executed twice at once, on one context, so the request's loaders and
 * in-flight reads serve both:
 * - `initial`: the document without its deferred fragments, the first part as soon as it is done;
 * - `full`: the document with `@defer` (and `@stream`, which is ignored) removed, whence each
 *   deferred fragment's data, at each object it applies to, and the errors under it.
 * The schema has no abstract types, so a fragment applies to every object at its place.
 */
import { Kind, visit, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

const INCREMENTAL = new Set(['defer', 'stream']);

/** Stands in for the selections of a set left empty; its key is removed from the answer. */
export const PLACEHOLDER = '__switchboardPlaceholder';

type Json = Record<string, unknown>;
type Path = (string | number)[];

export interface DeferredItem {
  path: Path;
  data: Json | null;
  label?: string;
  errors?: unknown[];
}

const isDeferred = (node: { directives?: readonly { name: { value: string } }[] }) =>
  node.directives?.some((directive) => directive.name.value === 'defer') ?? false;

const named = new WeakMap<DocumentNode, { defer: boolean; stream: boolean }>();

/** Which of the two directives a document uses (once per parsed document). */
export function incrementalIn(document: DocumentNode): { defer: boolean; stream: boolean } {
  let found = named.get(document);
  if (!found) {
    const uses = { defer: false, stream: false };
    visit(document, {
      Directive(node) {
        if (node.name.value === 'defer') uses.defer = true;
        if (node.name.value === 'stream') uses.stream = true;
      },
    });
    named.set(document, (found = uses));
  }
  return found;
}

/** The document without `@defer` and `@stream` (the deferred fragments kept, inline). */
export function withoutIncremental(document: DocumentNode): DocumentNode {
  return visit(document, { Directive: (node) => (INCREMENTAL.has(node.name.value) ? null : undefined) });
}

/** The document without its deferred fragments; a selection set left empty gets the placeholder. */
export function withoutDeferred(document: DocumentNode): DocumentNode {
  const placeholder = { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: PLACEHOLDER }, name: { kind: Kind.NAME, value: '__typename' } };
  return visit(document, {
    Directive: (node) => (node.name.value === 'stream' ? null : undefined),
    InlineFragment: (node) => (isDeferred(node) ? null : undefined),
    FragmentSpread: (node) => (isDeferred(node) ? null : undefined),
    SelectionSet: {
      leave: (node: SelectionSetNode) => (node.selections.length === 0 ? { ...node, selections: [placeholder] } : undefined),
    },
  });
}

/** Removes the placeholder's keys from an answer, in place. */
export function dropPlaceholders(value: unknown): void {
  if (Array.isArray(value)) for (const item of value) dropPlaceholders(item);
  else if (value && typeof value === 'object') {
    delete (value as Json)[PLACEHOLDER];
    for (const child of Object.values(value)) dropPlaceholders(child);
  }
}

interface Walk {
  fragments: Record<string, FragmentDefinitionNode>;
  items: DeferredItem[];
}

const labelOf = (node: {
  directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: unknown }[] }[];
}) => {
  const label = node.directives
    ?.find((directive) => directive.name.value === 'defer')
    ?.arguments?.find((argument) => argument.name.value === 'label')?.value as { kind?: string; value?: unknown } | undefined;
  return label?.kind === Kind.STRING && typeof label.value === 'string' ? label.value : undefined;
};

/** Every field a selection set asks of `object`, deferred or not, with its sub-selections. */
function pick(set: SelectionSetNode, object: Json, walk: Walk): Json {
  const out: Json = {};
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      if (!(key in object)) continue;
      const value = object[key];
      out[key] = selection.selectionSet ? pickValue(selection.selectionSet, value, walk) : value;
    } else {
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : walk.fragments[selection.name.value]?.selectionSet;
      if (inner) mergeInto(out, pick(inner, object, walk));
    }
  }
  return out;
}

function pickValue(set: SelectionSetNode, value: unknown, walk: Walk): unknown {
  if (Array.isArray(value)) return value.map((item) => pickValue(set, item, walk));
  return value && typeof value === 'object' ? pick(set, value as Json, walk) : value;
}

function mergeInto(target: Json, source: Json): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing && value && typeof existing === 'object' && typeof value === 'object' && !Array.isArray(value))
      mergeInto(existing as Json, value as Json);
    else target[key] = value;
  }
}

/**
 * Finds the outermost deferred fragments under `set`, at each object the first part has
 * (where a client merges), taking their data from the full answer at the same place: null
 * there (an error in the fragment nulled its object) makes the item's data null.
 */
function findDeferred(set: SelectionSetNode, first: Json, full: Json | null, path: Path, walk: Walk): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      if (selection.selectionSet) descend(selection.selectionSet, first[key], full?.[key], [...path, key], walk);
      continue;
    }
    const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : walk.fragments[selection.name.value]?.selectionSet;
    if (!inner) continue;
    if (!isDeferred(selection)) findDeferred(inner, first, full, path, walk);
    else {
      const label = labelOf(selection);
      walk.items.push({ path, data: full ? pick(inner, full, walk) : null, ...(label ? { label } : {}) });
    }
  }
}

function descend(set: SelectionSetNode, first: unknown, full: unknown, path: Path, walk: Walk): void {
  const object = (value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null);
  if (Array.isArray(first))
    first.forEach((item, index) => descend(set, item, Array.isArray(full) ? full[index] : null, [...path, index], walk));
  else if (object(first)) findDeferred(set, object(first)!, object(full), path, walk);
}

const startsWith = (path: readonly unknown[], prefix: readonly unknown[]) =>
  path.length > prefix.length && prefix.every((segment, index) => path[index] === segment);

/**
 * The deferred parts of `document` (the client's, with `@defer`): one item per outermost
 * deferred fragment and object of the first part it applies to, its data from the full
 * answer, with each error of the full answer under the fields it delivers (once).
 */
export function deferredItems(
  document: DocumentNode,
  operationSet: SelectionSetNode,
  first: Json,
  full: { data?: Json | null; errors?: readonly { path?: readonly (string | number)[] }[] },
): DeferredItem[] {
  const fragments = Object.fromEntries(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [],
    ),
  );
  const walk: Walk = { fragments, items: [] };
  findDeferred(operationSet, first, full.data ?? null, [], walk);
  const unclaimed = new Set(full.errors ?? []);
  for (const item of walk.items) {
    const errors = [...unclaimed].filter(
      (error) =>
        error.path && startsWith(error.path, item.path) && (item.data === null || String(error.path[item.path.length]) in item.data),
    );
    for (const error of errors) unclaimed.delete(error);
    if (errors.length > 0) item.errors = errors;
  }
  return walk.items;
}

/**
 * Fragments merged into the selections around them, before stitching plans anything.
 * Stitching mishandles some fragments: `company { ... { name } }` under a merged object
 * answered null, and `edges { ... { __typename } }` failed the whole field with
 * INTERNAL_SERVER_ERROR (found by the property test over generated fragments). The schema has
 * no abstract types, so every fragment applies to every object where it stands and merging it
 * in gives the answer graphql-js would: only fragments that carry a directive (`@defer`; the
 * conditions are folded before) are kept, with their insides merged likewise.
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionNode, type SelectionSetNode } from 'graphql';

const flattened = new WeakMap<DocumentNode, DocumentNode>();

function hasFragments(document: DocumentNode): boolean {
  const inSet = (set: SelectionSetNode | undefined): boolean =>
    !!set && set.selections.some((selection) => selection.kind !== Kind.FIELD || inSet(selection.selectionSet));
  return document.definitions.some(
    (definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION || (definition.kind === Kind.OPERATION_DEFINITION && inSet(definition.selectionSet)),
  );
}

export function flattenFragments(document: DocumentNode): DocumentNode {
  const known = flattened.get(document);
  if (known) return known;
  const result = hasFragments(document) ? flatten(document) : document;
  flattened.set(document, result);
  return result;
}

function flatten(document: DocumentNode): DocumentNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const kept = new Set<string>();
  const flat = (set: SelectionSetNode): SelectionSetNode => {
    const selections: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD)
        selections.push(selection.selectionSet ? { ...selection, selectionSet: flat(selection.selectionSet) } : selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const inner = flat(selection.selectionSet);
        if (selection.directives?.length) selections.push({ ...selection, selectionSet: inner });
        else selections.push(...inner.selections);
      } else if (selection.directives?.length) {
        kept.add(selection.name.value);
        selections.push(selection);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) selections.push(...flat(fragment.selectionSet).selections);
      }
    }
    return { ...set, selections };
  };
  const operations = document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION ? [{ ...definition, selectionSet: flat(definition.selectionSet) }] : [],
  );
  // A spread kept for its directive still needs its fragment, merged inside likewise (which may keep more).
  const definitions: FragmentDefinitionNode[] = [];
  const done = new Set<string>();
  for (let pending = [...kept]; pending.length > 0; pending = [...kept].filter((name) => !done.has(name))) {
    for (const name of pending) {
      done.add(name);
      const fragment = fragments.get(name);
      if (fragment) definitions.push({ ...fragment, selectionSet: flat(fragment.selectionSet) });
    }
  }
  return { ...document, definitions: [...operations, ...definitions] };
}

/** What a field's own selection asks for, through inline fragments and named ones. */
import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';

export interface SelectedFields {
  /** Field names (`totalCount`, whatever the alias). */
  names: ReadonlySet<string>;
  /** Response keys (the alias where there is one). */
  keys: ReadonlySet<string>;
}

export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): SelectedFields {
  const names = new Set<string>();
  const keys = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): void => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === 'Field') {
        names.add(selection.name.value);
        keys.add(selection.alias?.value ?? selection.name.value);
      } else if (selection.kind === 'InlineFragment') walk(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        walk(info.fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet);
  return { names, keys };
}

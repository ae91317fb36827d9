/**
 * Which trusted documents select which public fields: each document is walked once with
 * graphql's TypeInfo against the public schema, and every `Type.field` it selects is noted
 * (by the type the selection is made on, so a fragment on `Customer` counts for `Customer`).
 */
import { parse, TypeInfo, visit, visitWithTypeInfo, type GraphQLSchema } from 'graphql';
import type { DocumentsSelecting } from './check.ts';

export interface SourceDocument {
  /** The file name under documents/, e.g. `WinDeal.graphql`. */
  name: string;
  source: string;
}

/** Every `Type.field` a document selects. Fields the schema lacks are skipped: validation reports those. */
export function selectedFields(schema: GraphQLSchema, document: SourceDocument): Set<string> {
  const typeInfo = new TypeInfo(schema);
  const selected = new Set<string>();
  visit(
    parse(document.source),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && typeInfo.getFieldDef()) selected.add(`${parent.name}.${node.name.value}`);
      },
    }),
  );
  return selected;
}

/** A lookup from public fields to the documents that select any of them, built once. */
export function documentsSelecting(schema: GraphQLSchema, documents: readonly SourceDocument[]): DocumentsSelecting {
  const selections = documents.map((document) => ({ name: document.name, fields: selectedFields(schema, document) }));
  return (fields) =>
    selections.filter((selection) => fields.some((field) => selection.fields.has(field))).map((selection) => selection.name);
}

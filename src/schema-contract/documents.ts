/**
 * Which trusted documents use what is deprecated. The trusted documents are the operations in
 * documents/ (codegen.documents.ts hashes them into the manifest the gateway runs with
 * TRUSTED_DOCUMENTS=1); a deprecated element one of them uses cannot be removed without
 * breaking that client, so each use is listed with the date it is due to go.
 */
import { readdirSync, readFileSync } from 'node:fs';
import {
  getNamedType,
  isInputObjectType,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { fromRoot } from '../paths.ts';
import { deprecationOf, type Deprecation } from './deprecation.ts';

export interface TrustedDocument {
  /** The file name under documents/, e.g. `WinDeal.graphql`. */
  name: string;
  source: string;
}

export interface DeprecatedUse extends Deprecation {
  document: string;
}

export const DOCUMENTS_DIR = fromRoot('documents/');

/** The trusted documents' sources, by file name. */
export function readTrustedDocuments(dir: URL = DOCUMENTS_DIR): TrustedDocument[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => ({ name, source: readFileSync(new URL(name, dir), 'utf8') }));
}

function inputFieldReason(parent: GraphQLInputType | null | undefined, name: string): { coordinate: string; reason?: string | null } {
  const named = parent ? getNamedType(parent) : undefined;
  if (!isInputObjectType(named)) return { coordinate: name };
  return { coordinate: `${named.name}.${name}`, reason: named.getFields()[name]?.deprecationReason };
}

/**
 * The deprecated fields, arguments, input fields and enum values (written as literals) a
 * document selects or sets, against `schema`, once each. Elements the schema does not have are
 * skipped: validation reports those.
 */
export function deprecatedUsesIn(schema: GraphQLSchema, document: TrustedDocument): DeprecatedUse[] {
  const typeInfo = new TypeInfo(schema);
  const uses = new Map<string, DeprecatedUse>();
  const note = (coordinate: string, reason: string | null | undefined) => {
    const deprecation = deprecationOf(coordinate, reason);
    if (deprecation && !uses.has(coordinate)) uses.set(coordinate, { document: document.name, ...deprecation });
  };
  visit(
    parse(document.source),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (parent && field) note(`${parent.name}.${node.name.value}`, field.deprecationReason);
      },
      Argument(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const argument = typeInfo.getArgument();
        if (parent && field && argument) note(`${parent.name}.${field.name}(${node.name.value}:)`, argument.deprecationReason);
      },
      ObjectField(node) {
        const { coordinate, reason } = inputFieldReason(typeInfo.getParentInputType(), node.name.value);
        note(coordinate, reason);
      },
      EnumValue(node) {
        const value = typeInfo.getEnumValue();
        const type = getNamedType(typeInfo.getInputType());
        if (value && type) note(`${type.name}.${node.value}`, value.deprecationReason);
      },
    }),
  );
  return [...uses.values()];
}

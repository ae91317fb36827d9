/**
 * W3 needs a write, and the gateway's mutations are being added alongside this bench:
 * rather than hard-code a signature, read the SDL files and build a contact update from
 * whatever `updateContact` looks like (introspection is off in production mode).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Kind, parse, type FieldDefinitionNode, type InputValueDefinitionNode, type TypeNode } from 'graphql';
import { fromRoot } from '../src/index.ts';

export interface W3Plan {
  mutation: string;
  variables(contactId: string, jobTitle: string): Record<string, unknown>;
}

const named = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : named(type.type));
const print = (type: TypeNode): string =>
  type.kind === Kind.NAMED_TYPE ? type.name.value : type.kind === Kind.LIST_TYPE ? `[${print(type.type)}]` : `${print(type.type)}!`;

/** The plan, or the reason there is none. */
export function planW3(): W3Plan | string {
  const dir = fromRoot('schemas/');
  const fields = new Map<string, FieldDefinitionNode[]>();
  const inputs = new Map<string, readonly InputValueDefinitionNode[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.graphql'))) {
    const doc = parse(readFileSync(new URL(file, dir), 'utf8'));
    for (const def of doc.definitions) {
      if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) {
        fields.set(def.name.value, [...(fields.get(def.name.value) ?? []), ...(def.fields ?? [])]);
      } else if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
        inputs.set(def.name.value, def.fields ?? []);
      }
    }
  }
  const update = fields.get('Mutation')?.find((f) => f.name.value === 'updateContact');
  if (!update) return 'the schema has no Mutation.updateContact yet';

  const params: string[] = [];
  const args: string[] = [];
  let build: ((id: string, title: string) => Record<string, unknown>) | undefined;
  const idArg = update.arguments?.find((a) => a.name.value === 'id');
  const inputArg = update.arguments?.find((a) => a.name.value === 'input');
  if (inputArg) {
    const inputFields = inputs.get(named(inputArg.type)) ?? [];
    const idInInput = inputFields.some((f) => f.name.value === 'id');
    if (!inputFields.some((f) => f.name.value === 'jobTitle')) return `${named(inputArg.type)} has no jobTitle field`;
    params.push(`$input: ${print(inputArg.type)}`);
    args.push('input: $input');
    if (idArg) {
      params.push(`$id: ${print(idArg.type)}`);
      args.push('id: $id');
    }
    build = (id, title) =>
      idArg ? { id, input: { jobTitle: title } } : idInInput ? { input: { id, jobTitle: title } } : { input: { jobTitle: title } };
  } else if (idArg && update.arguments?.some((a) => a.name.value === 'jobTitle')) {
    params.push(`$id: ${print(idArg.type)}`, '$jobTitle: String');
    args.push('id: $id', 'jobTitle: $jobTitle');
    build = (id, title) => ({ id, jobTitle: title });
  }
  if (!build) return 'updateContact takes neither an input object nor an id with jobTitle';
  const others = (update.arguments ?? []).filter(
    (a) => !['id', 'input', 'jobTitle'].includes(a.name.value) && a.type.kind === Kind.NON_NULL_TYPE && !a.defaultValue,
  );
  if (others.length > 0) return `updateContact requires arguments this bench does not know: ${others.map((a) => a.name.value).join(', ')}`;

  const returned = named(update.type);
  const returnedFields = fields.get(returned)?.map((f) => f.name.value) ?? [];
  const selection = returnedFields.includes('jobTitle')
    ? '{ id jobTitle }'
    : returnedFields.includes('contact')
      ? '{ contact { id jobTitle } }'
      : undefined;
  if (!selection) return `updateContact returns ${returned}, with neither jobTitle nor contact`;
  return { mutation: `mutation W3Update(${params.join(', ')}) { updateContact(${args.join(', ')}) ${selection} }`, variables: build };
}

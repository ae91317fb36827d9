/**
 * A type left behind by a removal. Removing the last field that returned a type removes the
 * type too, and inspector reports that as a breaking change of its own; it is part of the
 * removal, so it may ship when every use of the type went in removals their deprecation
 * window allows. A type that is also a union member or an implemented interface is used in
 * ways no deprecation covers, and stays breaking.
 */
import { getNamedType, isInputObjectType, isInterfaceType, isObjectType, isUnionType, type GraphQLSchema, type GraphQLType } from 'graphql';

function namedTypeOf(type: GraphQLType): string {
  return getNamedType(type).name;
}

/**
 * Where a type is used, as inspector's change paths (`Type.field`, `Type.field.argument`,
 * `Input.field`); undefined when it is also used as a union member or an interface.
 */
export function usesOfType(schema: GraphQLSchema, typeName: string): string[] | undefined {
  const paths: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isUnionType(type) && type.getTypes().some((member) => member.name === typeName)) return undefined;
    if ((isObjectType(type) || isInterfaceType(type)) && type.getInterfaces().some((face) => face.name === typeName)) return undefined;
    if (!isObjectType(type) && !isInterfaceType(type) && !isInputObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (namedTypeOf(field.type) === typeName) paths.push(`${type.name}.${field.name}`);
      for (const arg of 'args' in field ? field.args : []) {
        if (namedTypeOf(arg.type) === typeName) paths.push(`${type.name}.${field.name}.${arg.name}`);
      }
    }
  }
  return paths;
}

/** The allowed removal that covers a use: the removal of that very path, or of the field whose argument it is. */
export function coveringRemoval<T>(path: string, allowed: ReadonlyMap<string, T>): T | undefined {
  const [typeName, field] = path.split('.');
  return allowed.get(path) ?? allowed.get(`${typeName}.${field}`);
}

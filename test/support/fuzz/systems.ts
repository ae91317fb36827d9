/**
 * Which system answers each field of the stitched graph, read from the SDL each subschema
 * is built from (schemas/<system>.graphql): a field defined by one subschema belongs to it;
 * a field several define (a merged type's keys, e.g. `Contact.id`) is answered by whichever
 * of them fetched the parent object, as stitching plans it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kind, parse } from 'graphql';
import type { SystemName } from '@switchboard/sandbox';
import { fromRoot } from '../../../src/paths.ts';

export const SYSTEMS: readonly SystemName[] = ['crm', 'billing', 'chat'];

export class FieldSystems {
  /** `Type.field` → the subschemas that define it. */
  private readonly defs = new Map<string, SystemName[]>();

  constructor() {
    for (const system of SYSTEMS) {
      const document = parse(readFileSync(fileURLToPath(fromRoot(`schemas/${system}.graphql`)), 'utf8'));
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
        for (const field of definition.fields ?? []) {
          const key = `${definition.name.value}.${field.name.value}`;
          this.defs.set(key, [...(this.defs.get(key) ?? []), system]);
        }
      }
    }
  }

  /**
   * The system that resolves `type.field` when the parent object came from `parent`
   * (undefined at the root); undefined for fields no vendor subschema defines (the
   * gateway's own, and `__typename`, which the parent's system answers).
   */
  systemOf(type: string, field: string, parent: SystemName | undefined): SystemName | undefined {
    const defs = this.defs.get(`${type}.${field}`);
    if (!defs || defs.length === 0) return parent;
    if (defs.length === 1) return defs[0];
    return parent !== undefined && defs.includes(parent) ? parent : defs[0];
  }
}

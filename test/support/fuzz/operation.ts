/**
 * A generated operation: a tree of field selections with their arguments already printed
 * as GraphQL literals. Each node remembers the type that declares it, so a response can be
 * walked field by field and every value attributed to the system that answered it.
 */
import * as fc from 'fast-check';

export interface FieldSelection {
  /** The object type declaring the field (`Query` at the root). */
  parentType: string;
  name: string;
  alias?: string;
  /** Argument name → GraphQL literal text. */
  args: readonly (readonly [string, string])[];
  /** Sub-selection, for fields of object type. */
  selections?: readonly FieldSelection[];
  /** `@include(if: …)` or `@skip(if: …)`, rarely. */
  directive?: string;
  /**
   * The sub-selection written inside a fragment, rarely: bare (`... { }`) or on the field's type
   * (`... on Customer { }`). The schema has no abstract types, so the answer's shape is the same.
   */
  fragment?: 'bare' | string;
}

export function responseKey(field: FieldSelection): string {
  return field.alias ?? field.name;
}

function printSelections(selections: readonly FieldSelection[]): string {
  return selections
    .map((f) => {
      const args = f.args.length > 0 ? `(${f.args.map(([name, value]) => `${name}: ${value}`).join(', ')})` : '';
      const inner = f.selections ? printSelections(f.selections) : '';
      const fragment = f.fragment === 'bare' ? '...' : f.fragment ? `... on ${f.fragment}` : '';
      const sub = f.selections ? (fragment ? ` { ${fragment} { ${inner} } }` : ` { ${inner} }`) : '';
      return `${f.alias ? `${f.alias}: ` : ''}${f.name}${args}${f.directive ? ` ${f.directive}` : ''}${sub}`;
    })
    .join(' ');
}

export class Operation {
  constructor(readonly selections: readonly FieldSelection[]) {}

  get text(): string {
    return `{ ${printSelections(this.selections)} }`;
  }

  toString(): string {
    return this.text;
  }

  /** How fast-check prints a counterexample: the query itself. */
  [fc.toStringMethod](): string {
    return this.text;
  }
}

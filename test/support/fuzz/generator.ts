/**
 * Builds valid read operations from the live gateway schema: any mix of root Query fields,
 * nested selections that follow object fields to a bounded depth (duplicates under aliases,
 * so reads of one system batch together), and arguments drawn from the seeded world, from
 * IDs that name nothing or another system's records, bad cursors, out-of-range `first`,
 * enum values and filters. Every choice shrinks towards "leave it out", so a failure
 * shrinks to the smallest query that still fails.
 */
import * as fc from 'fast-check';
import {
  getNamedType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLSchema,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { type FieldSelection, Operation } from './operation.ts';
import { AWKWARD_STRINGS, BAD_CURSORS, ID_KINDS, type IdKind, type WorldValues } from './world-values.ts';

export interface GeneratorOptions {
  /** Nesting of fields below the root (the gateway's LIMIT_MAX_DEPTH is 10 by default). */
  maxDepth: number;
  /** Root fields left out: gateway-owned ones that call no vendor (and whose answers change with every operation, by design). */
  excludeRootFields: readonly string[];
}

const DEFAULT_OPTIONS: GeneratorOptions = { maxDepth: 5, excludeRootFields: ['auditLog', 'deprecatedFieldUsage', 'integrationHealth'] };

type Entry = readonly FieldSelection[];

export class OperationGenerator {
  private readonly options: GeneratorOptions;
  private readonly selectionCache = new Map<string, fc.Arbitrary<readonly FieldSelection[]>>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly values: WorldValues,
    options: Partial<GeneratorOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  operation(): fc.Arbitrary<Operation> {
    const query = this.schema.getQueryType();
    if (!query) throw new Error('the schema has no Query type');
    const fields = Object.values(query.getFields()).filter((f) => !this.options.excludeRootFields.includes(f.name));
    // About three root fields per operation; at least one.
    const entries = fields.map((f) => this.entry(query, f, this.options.maxDepth, 40));
    const fallback = fc.constantFrom(...fields).chain((f) => this.field(query, f, this.options.maxDepth));
    return fc.tuple(fc.tuple(...entries), fallback).map(([chosen, first]) => {
      const selections = withAliases(chosen.flat());
      return new Operation(selections.length > 0 ? selections : [first]);
    });
  }

  /** Zero, one or (aliased) two selections of `field`; `weightOut` is how much likelier zero is. */
  private entry(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>, depth: number, weightOut: number): fc.Arbitrary<Entry> {
    const one = this.field(parent, field, depth);
    return fc.oneof(
      { withCrossShrink: true },
      { weight: weightOut, arbitrary: fc.constant([] as Entry) },
      { weight: 4, arbitrary: one.map((f) => [f] as Entry) },
      { weight: 1, arbitrary: fc.tuple(one, one).map((pair) => pair as Entry) },
    );
  }

  private field(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>, depth: number): fc.Arbitrary<FieldSelection> {
    const named = getNamedType(field.type);
    const head = fc.tuple(this.args(parent, field), directive());
    if (!isObjectType(named)) return head.map(([args, d]) => ({ parentType: parent.name, name: field.name, args, ...d }));
    return fc
      .tuple(head, this.selections(named, depth - 1), fragment(named.name))
      .map(([[args, d], selections, f]) => ({ parentType: parent.name, name: field.name, args, ...d, selections, ...f }));
  }

  private selections(type: GraphQLObjectType, depth: number): fc.Arbitrary<readonly FieldSelection[]> {
    const key = `${type.name}@${depth}`;
    const cached = this.selectionCache.get(key);
    if (cached) return cached;
    const fields = Object.values(type.getFields()).filter((f) => depth > 0 || !isObjectType(getNamedType(f.type)));
    // Scalars are picked often, links rarely and more rarely the deeper they are.
    const deeper = 30 + 20 * (this.options.maxDepth - depth);
    const weightOut = (f: GraphQLField<unknown, unknown>) => (isObjectType(getNamedType(f.type)) ? deeper : 20);
    const entries = fields.map((f) => this.entry(type, f, depth, weightOut(f)));
    const typename: FieldSelection = { parentType: type.name, name: '__typename', args: [] };
    const arbitrary = fc.tuple(...entries).map((chosen) => {
      const selections = withAliases(chosen.flat());
      return selections.length > 0 ? selections : [typename];
    });
    this.selectionCache.set(key, arbitrary);
    return arbitrary;
  }

  private args(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>): fc.Arbitrary<readonly (readonly [string, string])[]> {
    const parts = field.args.map((arg) => {
      const value = this.argValue(parent, field, arg);
      const pair = value.map((v) => [arg.name, v] as const);
      if (isNonNullType(arg.type)) return pair.map((p) => [p]);
      return fc.oneof(
        { withCrossShrink: true },
        fc.constant([] as (readonly [string, string])[]),
        pair.map((p) => [p]),
      );
    });
    return fc.tuple(...parts).map((chosen) => chosen.flat());
  }

  private argValue(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>, arg: GraphQLArgument): fc.Arbitrary<string> {
    if (arg.name === 'first') return withNull(arg.type, firstValue());
    if (arg.name === 'after') return withNull(arg.type, this.cursor(field.name));
    if (arg.name === 'id') return this.id(idKindOf(field.name) ?? idKindOf(parent.name));
    if (arg.name === 'channel') return this.id('channel');
    if (arg.name === 'email') return this.email();
    if (arg.name === 'name' && field.name === 'channelByName') {
      return string(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...this.values.channelNames) }, fc.constantFrom(...AWKWARD_STRINGS)));
    }
    return this.input(arg.name, arg.type);
  }

  private input(name: string, type: GraphQLInputType): fc.Arbitrary<string> {
    const named = getNamedType(type);
    let value: fc.Arbitrary<string>;
    if (named instanceof GraphQLInputObjectType) value = this.inputObject(named);
    else if (named instanceof GraphQLEnumType) value = fc.constantFrom(...named.getValues().map((v) => v.name));
    else if (named.name === 'Boolean') value = fc.boolean().map(String);
    else if (named.name === 'Int') value = name === 'first' ? firstValue() : fc.integer({ min: -5, max: 200 }).map(String);
    else if (named.name === 'Float')
      value = fc
        .oneof(fc.integer({ min: -5, max: 100_000 }), fc.double({ min: -1e6, max: 1e9, noNaN: true, noDefaultInfinity: true }))
        .map(String);
    else if (named.name === 'DateTime') value = dateTime();
    else if (named.name === 'ID' && idKindOf(name)) value = this.id(idKindOf(name)!);
    else value = this.stringFor(name);
    return withNull(type, value);
  }

  private inputObject(type: GraphQLInputObjectType): fc.Arbitrary<string> {
    const parts = Object.values(type.getFields()).map((f: GraphQLInputField) => {
      const pair = this.input(f.name, f.type).map((v) => `${f.name}: ${v}`);
      if (isNonNullType(f.type)) return pair.map((p) => [p]);
      return fc.oneof(
        { withCrossShrink: true },
        { weight: 2, arbitrary: fc.constant([] as string[]) },
        pair.map((p) => [p]),
      );
    });
    return fc.tuple(...parts).map((chosen) => `{ ${chosen.flat().join(', ')} }`);
  }

  private stringFor(name: string): fc.Arbitrary<string> {
    const known =
      name === 'email'
        ? this.values.emails
        : name === 'domain'
          ? this.values.domains
          : name === 'name'
            ? this.values.names
            : name === 'stageRaw'
              ? ['closedwon', 'appointmentscheduled', 'custom-stage-1']
              : name === 'lifecycleStageRaw'
                ? ['lead', 'customer', 'other', 'custom-stage-1']
                : [];
    const awkward = fc.constantFrom(...AWKWARD_STRINGS);
    if (known.length === 0) return string(fc.oneof(awkward, fc.string({ maxLength: 12 })));
    return string(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, awkward));
  }

  private email(): fc.Arbitrary<string> {
    const known = fc.constantFrom(...this.values.emails);
    return string(fc.oneof({ weight: 6, arbitrary: known }, fc.constantFrom(...AWKWARD_STRINGS), fc.emailAddress()));
  }

  /** A real ID of the kind most of the time; else one naming nothing, another system's, or an awkward string. */
  private id(kind: IdKind | undefined): fc.Arbitrary<string> {
    const all = ID_KINDS.flatMap((k) => this.values.ids[k].slice(0, 5));
    if (!kind) return string(fc.constantFrom(...all, ...AWKWARD_STRINGS));
    const foreign = ID_KINDS.filter((k) => k !== kind).flatMap((k) => this.values.ids[k].slice(0, 3));
    return string(
      fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...this.values.ids[kind]) },
        { weight: 2, arbitrary: fc.constantFrom(...this.values.unknownIds[kind]) },
        { weight: 2, arbitrary: fc.constantFrom(...foreign) },
        { weight: 1, arbitrary: fc.constantFrom(...AWKWARD_STRINGS) },
      ),
    );
  }

  /** A real cursor of this list (when one was read) or of another list, or garbage. */
  private cursor(field: string): fc.Arbitrary<string> {
    const own = this.values.cursors[field] ?? [];
    const others = Object.entries(this.values.cursors).flatMap(([name, c]) => (name === field ? [] : c));
    const options: fc.WeightedArbitrary<string>[] = [
      { weight: 3, arbitrary: fc.constantFrom(...BAD_CURSORS) },
      { weight: 1, arbitrary: fc.constantFrom(...others) },
    ];
    if (own.length > 0) options.unshift({ weight: 4, arbitrary: fc.constantFrom(...own) });
    return string(fc.oneof(...options));
  }
}

/** Now and then a field is conditional (the look-ahead must not read ahead for what is skipped). */
/** Now and then, the sub-selection inside a fragment (stitching once mishandled those). */
function fragment(type: string): fc.Arbitrary<{ fragment?: string }> {
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 12, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.constant({ fragment: 'bare' }) },
    { weight: 1, arbitrary: fc.constant({ fragment: type }) },
  );
}

function directive(): fc.Arbitrary<{ directive?: string }> {
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 20, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('@include(if: true)', '@include(if: false)', '@skip(if: true)', '@skip(if: false)')
        .map((d) => ({ directive: d })),
    },
  );
}

/** The second and later selections of one field get aliases, so their arguments may differ. */
function withAliases(selections: readonly FieldSelection[]): FieldSelection[] {
  const seen = new Map<string, number>();
  return selections.map((s) => {
    const n = seen.get(s.name) ?? 0;
    seen.set(s.name, n + 1);
    return n === 0 ? s : { ...s, alias: `${s.name}_${n}` };
  });
}

const ID_KIND_BY_NAME: Record<string, IdKind> = {
  contact: 'contact',
  contactId: 'contact',
  Contact: 'contact',
  company: 'company',
  companyId: 'company',
  Company: 'company',
  deal: 'deal',
  dealId: 'deal',
  Deal: 'deal',
  owner: 'owner',
  ownerId: 'owner',
  Owner: 'owner',
  customer: 'customer',
  customerId: 'customer',
  Customer: 'customer',
  invoice: 'invoice',
  invoiceId: 'invoice',
  Invoice: 'invoice',
  subscription: 'subscription',
  subscriptionId: 'subscription',
  BillingSubscription: 'subscription',
  charge: 'charge',
  chargeId: 'charge',
  Charge: 'charge',
  chatUser: 'chatUser',
  userId: 'chatUser',
  ChatUser: 'chatUser',
  channel: 'channel',
  channelId: 'channel',
  Channel: 'channel',
};

function idKindOf(name: string): IdKind | undefined {
  return ID_KIND_BY_NAME[name];
}

function string(arbitrary: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return arbitrary.map((s) => JSON.stringify(s));
}

/** Mostly a small valid page; sometimes 0, negative, past the maximum of 100, or the Int extremes. */
function firstValue(): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 12, arbitrary: fc.integer({ min: 1, max: 4 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, -1, 101, 1000, 2147483647, -2147483648, 100) },
    )
    .map(String);
}

function dateTime(): fc.Arbitrary<string> {
  return fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2028, 0, 1) }).map((ms) => JSON.stringify(new Date(ms).toISOString()));
}

/** A nullable argument may also be given an explicit null (which is not the same as leaving it out). */
function withNull(type: GraphQLInputType, value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return isNonNullType(type) ? value : fc.oneof({ weight: 12, arbitrary: value }, { weight: 1, arbitrary: fc.constant('null') });
}

/**
 * The schema contract check: what changed between the last released schema and the current
 * one, classified by @graphql-inspector's criticality, and whether the change may ship.
 *
 * A breaking change fails the check unless what it removes or changes was deprecated in the
 * released schema with a removal date that has passed: that is the deprecation window
 * clients were promised. Every deprecation in the current schema must name its removal date,
 * and a trusted document still using something past its date fails the check too (removing
 * it would break that client), and every deprecation must have been announced at least
 * MIN_WINDOW_DAYS before its removal date (./announced.ts). Pure: SDL and documents in, a result out; `today` is given.
 */
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { DEPRECATED_ON, windowProblem } from './announced.ts';
import { compareText, coordinatesOf, deprecationsAt, deprecationsIn, removalDatePassed, type Deprecation } from './deprecation.ts';
import { coveringRemoval, usesOfType } from './orphans.ts';
import { deprecatedUsesIn, type DeprecatedUse, type TrustedDocument } from './documents.ts';

export type Level = 'BREAKING' | 'DANGEROUS' | 'SAFE';

export const LEVELS: readonly Level[] = ['BREAKING', 'DANGEROUS', 'SAFE'];

export interface ClassifiedChange {
  level: Level;
  /** Inspector's change type, e.g. FIELD_REMOVED. */
  type: string;
  /** What changed, as inspector names it: `Type.field`, `Type.field.argument`, `Enum.VALUE`. */
  path?: string;
  message: string;
  /** For a breaking change: the released deprecation whose removal date has passed, which lets it ship. */
  allowedBy?: Deprecation;
}

export interface CheckInput {
  releasedSDL: string;
  currentSDL: string;
  documents: readonly TrustedDocument[];
  /** The day the check runs for, YYYY-MM-DD (UTC). */
  today: string;
  /** When each deprecation was announced, by coordinate (default: src/schema-contract/announced.ts). */
  announced?: Readonly<Record<string, string>>;
}

export interface CheckResult {
  /** Every change, breaking first, then dangerous, then safe; each group sorted. */
  changes: ClassifiedChange[];
  /** Breaking changes no passed deprecation window allows: each fails the check. */
  breaking: ClassifiedChange[];
  /** Breaking changes to elements whose deprecation window has closed. */
  allowed: ClassifiedChange[];
  dangerous: ClassifiedChange[];
  safe: ClassifiedChange[];
  /** Deprecations in the current schema whose reason names no "Removal after YYYY-MM-DD.": each fails the check. */
  undated: Deprecation[];
  /** Deprecations with no announcement date, or less than MIN_WINDOW_DAYS before their removal: each fails the check. */
  windows: { coordinate: string; problem: string }[];
  /** Every use of a deprecated element by a trusted document, sorted by document then coordinate. */
  documentUses: DeprecatedUse[];
  /** The uses whose removal date has passed: each fails the check. */
  expiredUses: DeprecatedUse[];
  ok: boolean;
}

const LEVEL_OF: Record<CriticalityLevel, Level> = {
  [CriticalityLevel.Breaking]: 'BREAKING',
  [CriticalityLevel.Dangerous]: 'DANGEROUS',
  [CriticalityLevel.NonBreaking]: 'SAFE',
};

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

function classify(change: Change, released: GraphQLSchema, today: string): ClassifiedChange {
  const level = LEVEL_OF[change.criticality.level];
  const classified: ClassifiedChange = { level, type: change.type, path: change.path, message: change.message };
  if (level !== 'BREAKING') return classified;
  const allowedBy = deprecationsAt(released, change.path).find((deprecation) => removalDatePassed(deprecation, today));
  return allowedBy ? { ...classified, allowedBy } : classified;
}

export function compareChanges(a: ClassifiedChange, b: ClassifiedChange): number {
  return LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) || compareText(a.path ?? '', b.path ?? '') || compareText(a.message, b.message);
}

/**
 * Inspector reports a deprecation twice: as FIELD_DEPRECATION_* / ENUM_VALUE_DEPRECATION_*, and as
 * the use of the `@deprecated` directive, with its `reason` argument as a third change whose
 * message ("Argument 'reason' was added to '@deprecated'") names no field. Only the first says
 * something to a client. Arguments and input fields have no change of their own, so the
 * directive's use is kept for them. (Inspector's ignoreDirectives rule would do this, but in
 * 8.0.0 it compares a change's type with the whole ChangeType table and never matches.)
 */
function restatesDeprecation(change: Change): boolean {
  const meta = change.meta as { addedDirectiveName?: string; removedDirectiveName?: string; directiveName?: string };
  const directive = meta.addedDirectiveName ?? meta.removedDirectiveName ?? meta.directiveName;
  return directive === 'deprecated' && /^DIRECTIVE_USAGE_(FIELD_DEFINITION|ENUM_VALUE|ARGUMENT)_(ADDED|REMOVED)$/.test(change.type);
}

/** A type removed because the allowed removals took its every use goes with them (src/schema-contract/orphans.ts). */
function withOrphansAllowed(changes: ClassifiedChange[], released: GraphQLSchema): ClassifiedChange[] {
  const allowed = new Map(changes.flatMap((change) => (change.allowedBy && change.path ? [[change.path, change.allowedBy] as const] : [])));
  return changes.map((change) => {
    if (change.type !== 'TYPE_REMOVED' || change.allowedBy || !change.path) return change;
    const uses = usesOfType(released, change.path);
    const covering = uses?.map((path) => coveringRemoval(path, allowed));
    const allowedBy = covering && covering.length > 0 && covering.every((found) => found !== undefined) ? covering[0] : undefined;
    return allowedBy ? { ...change, allowedBy } : change;
  });
}

/** The changes from `released` to `current`, classified and sorted. */
export async function classifiedChanges(released: GraphQLSchema, current: GraphQLSchema, today: string): Promise<ClassifiedChange[]> {
  const changes = (await diff(released, current)).filter((change) => !restatesDeprecation(change));
  return withOrphansAllowed(
    changes.map((change) => classify(change, released, today)),
    released,
  ).sort(compareChanges);
}

/**
 * A document's uses of deprecated elements: as the current schema marks them, plus those of
 * the released schema that the current one no longer has (a removal the document still needs).
 */
function usesOf(document: TrustedDocument, released: GraphQLSchema, current: GraphQLSchema, currentCoordinates: Set<string>) {
  const removed = deprecatedUsesIn(released, document).filter((use) => !currentCoordinates.has(use.coordinate));
  return [...deprecatedUsesIn(current, document), ...removed];
}

export async function checkSchemaContract(input: CheckInput): Promise<CheckResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.today)) throw new Error(`today must be YYYY-MM-DD, not ${JSON.stringify(input.today)}`);
  const released = buildSchema(input.releasedSDL);
  const current = buildSchema(input.currentSDL);
  const changes = await classifiedChanges(released, current, input.today);
  const currentCoordinates = coordinatesOf(current);
  const documentUses = input.documents
    .flatMap((document) => usesOf(document, released, current, currentCoordinates))
    .sort((a, b) => compareText(a.document, b.document) || compareText(a.coordinate, b.coordinate));
  const deprecations = deprecationsIn(current);
  const result = {
    changes,
    breaking: changes.filter((change) => change.level === 'BREAKING' && !change.allowedBy),
    allowed: changes.filter((change) => change.level === 'BREAKING' && change.allowedBy),
    dangerous: changes.filter((change) => change.level === 'DANGEROUS'),
    safe: changes.filter((change) => change.level === 'SAFE'),
    undated: deprecations.filter((deprecation) => deprecation.removalDate === undefined),
    windows: deprecations.flatMap((deprecation) => {
      const problem = windowProblem(deprecation, input.announced ?? DEPRECATED_ON);
      return problem ? [{ coordinate: deprecation.coordinate, problem }] : [];
    }),
    documentUses,
    expiredUses: documentUses.filter((use) => removalDatePassed(use, input.today)),
  };
  return {
    ...result,
    ok: result.breaking.length === 0 && result.undated.length === 0 && result.windows.length === 0 && result.expiredUses.length === 0,
  };
}

/**
 * The SDL files a subschema is built from: the declarations every system shares, then the
 * system's own. Run time (each resolvers/<system>/index.ts) and the resolver types
 * (resolvers/codegen.config.ts) take the list from here, so the generated types describe the
 * schema that runs; codegen.documents.ts adds SHARED_SDL to the files it reads.
 */
import { readFileSync } from 'node:fs';
import type { SystemName } from '../src/errors.ts';
import { fromRoot } from '../src/paths.ts';

/** Relative to the repository root: the scope directive, DateTime and PageInfo. */
export const SHARED_SDL = 'schemas/shared.graphql';

/** A system's SDL files, relative to the repository root, in the order they are merged. */
export function subschemaSdlFiles(system: SystemName): string[] {
  return [SHARED_SDL, `schemas/${system}.graphql`];
}

/** The texts of `subschemaSdlFiles(system)`, found from the repository root so they load from any working directory and from dist/. */
export function subschemaTypeDefs(system: SystemName): string[] {
  return subschemaSdlFiles(system).map((file) => readFileSync(fromRoot(file), 'utf8'));
}

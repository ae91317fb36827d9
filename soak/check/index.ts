/** Runs every invariant check over a finished soak. */
import { checkErrors } from './errors.ts';
import type { CheckInput, InvariantResult } from './types.ts';

export type { InvariantResult } from './types.ts';

export async function checkAll(input: CheckInput): Promise<InvariantResult[]> {
  const results = [checkErrors(input)];
  return results.sort((a, b) => a.id - b.id);
}

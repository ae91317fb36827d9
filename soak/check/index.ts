/** Runs every invariant check over a finished soak. */
import { checkErrors } from './errors.ts';
import { checkQuotas } from './quotas.ts';
import { checkReadYourWrites } from './read-your-writes.ts';
import { checkSubscriptions } from './subscriptions.ts';
import type { CheckInput, InvariantResult } from './types.ts';

export type { InvariantResult } from './types.ts';

export async function checkAll(input: CheckInput): Promise<InvariantResult[]> {
  const results = [checkErrors(input), checkReadYourWrites(input), checkQuotas(input)];
  if (input.live) results.push(checkSubscriptions(input, input.live));
  return results.sort((a, b) => a.id - b.id);
}

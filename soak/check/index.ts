/** Runs every invariant check over a finished soak. */
import { checkAudit } from './audit.ts';
import { checkErrors } from './errors.ts';
import { checkIdempotency } from './idempotency.ts';
import { checkQuotas } from './quotas.ts';
import { checkReadYourWrites } from './read-your-writes.ts';
import { snapshot } from './snapshot.ts';
import { checkSubscriptions } from './subscriptions.ts';
import type { CheckInput, InvariantResult } from './types.ts';
import { checkWorkflows } from './workflows.ts';
import { checkWrites } from './writes.ts';

export type { InvariantResult } from './types.ts';

export async function checkAll(input: CheckInput): Promise<InvariantResult[]> {
  // Let the replicas finish what clients left running, then read the systems of record once, before any check judges them.
  await snapshot(input);
  const results = [
    checkErrors(input),
    checkReadYourWrites(input),
    checkQuotas(input),
    await checkWrites(input),
    await checkWorkflows(input),
    await checkIdempotency(input),
    await checkAudit(input),
  ];
  if (input.live) results.push(checkSubscriptions(input, input.live));
  return results.sort((a, b) => a.id - b.id);
}

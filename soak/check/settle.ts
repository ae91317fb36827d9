/**
 * Waits for the gateway to finish what clients left behind before the systems of record are
 * read: a mutation whose client hung up or gave up keeps running on its replica, and a
 * checker reading meanwhile would judge a write half-done that is merely unfinished.
 */
import type { Cluster } from '../cluster.ts';
import { runningKeys } from './gateway-store.ts';

const POLL_MS = 200;
/** Beyond any write's own deadlines and the key lease: a replica still busy after this is stuck, which the checks then show. */
const GIVE_UP_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Operations executing or queued on a replica, by its metrics; 0 when it does not answer (it runs nothing then). */
async function busy(url: string): Promise<number> {
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    let n = 0;
    for (const match of text.matchAll(/^switchboard_operations\{state="(?:active|queued)"\} (\d+)/gm)) n += Number(match[1]);
    return n;
  } catch {
    return 0;
  }
}

/** Resolves once neither replica executes an operation and no key is held under a live lease; false when that never came. */
export async function settle(cluster: Cluster): Promise<boolean> {
  const until = Date.now() + GIVE_UP_MS;
  while (Date.now() < until) {
    const load = await Promise.all(cluster.replicas.map((replica) => busy(replica.url)));
    if (load.every((n) => n === 0) && (await runningKeys(cluster.schema)) === 0) return true;
    await sleep(POLL_MS);
  }
  return false;
}

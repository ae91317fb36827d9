/** Counting what the sandbox recorded over time, for tests that must not rely on timing margins. */

/** The most of `times` (ms) that any half-open window [t, t + windowMs) holds. */
export function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last] - sorted[first] >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/**
 * Slack message timestamps. A `ts` is both the time and the message id within a channel, so
 * the emulator keeps them as integer microseconds (exact below 2^53 until the year 2255) and
 * formats them with exactly six decimals, which also makes equal-length strings sort by time.
 */

export function formatTs(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  return `${seconds}.${String(micros - seconds * 1_000_000).padStart(6, '0')}`;
}

/** Accepts what Slack accepts for `latest`/`oldest`/`ts`: `"1700000000"`, `"1700000000.5"`, `"1700000000.000100"`. */
export function parseTs(value: string): number | null {
  const m = /^(\d{1,12})(?:\.(\d{0,6}))?$/.exec(value.trim());
  if (!m) return null;
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/**
 * Hands out message timestamps that only ever grow: new posts must sort above every seeded
 * message even when the machine clock is behind the world's fixed "now", and two posts in
 * the same microsecond still need distinct ids.
 */
export class TsClock {
  private last: number;

  constructor(floorMicros: number) {
    this.last = floorMicros;
  }

  next(): string {
    this.last = Math.max(Date.now() * 1000, this.last + 1);
    return formatTs(this.last);
  }
}

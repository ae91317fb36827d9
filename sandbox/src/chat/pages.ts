/**
 * Paging over one channel's messages. History runs newest first, replies oldest first; both
 * cursors are `next_ts:<ts>` of the next message to return (as Slack's own cursors decode),
 * so posts arriving between two pages — always newer than anything paged so far — can
 * neither repeat nor shift a message across a page boundary.
 */
import type { SlackMessage } from './types.ts';

/** Binary search by `ts` (equal-length strings sort as times); -1 when absent. */
export function timelineIndex(timeline: readonly SlackMessage[], ts: string): number {
  let lo = 0;
  let hi = timeline.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = timeline[mid].ts;
    if (t === ts) return mid;
    if (t < ts) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Integer microseconds of a stored `ts` (always `dddddddddd.dddddd`). */
export function tsMicros(ts: string): number {
  const dot = ts.indexOf('.');
  return Number(ts.slice(0, dot)) * 1_000_000 + Number(ts.slice(dot + 1));
}

export interface Window {
  /** Exclusive bounds in microseconds, widened by `inclusive`. */
  oldest: number;
  latest: number;
  inclusive: boolean;
}

/** Index of the last message at or before `micros` (or strictly before, when `strict`). */
function lastAtOrBefore(timeline: readonly SlackMessage[], micros: number, strict: boolean): number {
  let lo = 0;
  let hi = timeline.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tsMicros(timeline[mid].ts);
    if (t < micros || (!strict && t === micros)) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export interface Page {
  messages: SlackMessage[];
  /** `ts` of the first message of the next page, when there is one. */
  next: string | null;
}

/** Newest first. `from` (a cursor position) replaces the `latest` bound and is inclusive. */
export function historyPage(timeline: readonly SlackMessage[], window: Window, limit: number, from: number | null): Page {
  const top =
    from !== null
      ? lastAtOrBefore(timeline, Math.min(from, window.inclusive ? window.latest : window.latest - 1), false)
      : lastAtOrBefore(timeline, window.latest, !window.inclusive);
  const aboveOldest = (m: SlackMessage) => {
    const t = tsMicros(m.ts);
    return t > window.oldest || (window.inclusive && t === window.oldest);
  };
  const messages: SlackMessage[] = [];
  let i = top;
  for (; i >= 0 && messages.length < limit && aboveOldest(timeline[i]); i--) messages.push(timeline[i]);
  const next = i >= 0 && aboveOldest(timeline[i]) ? timeline[i].ts : null;
  return { messages, next };
}

/** Oldest first over `[parent, ...replies]`; `from` is inclusive. */
export function repliesPage(thread: readonly SlackMessage[], window: Window, limit: number, from: number | null): Page {
  const inWindow = (m: SlackMessage) => {
    const t = tsMicros(m.ts);
    const lower = t > window.oldest || (window.inclusive && t === window.oldest);
    const upper = t < window.latest || (window.inclusive && t === window.latest);
    return lower && upper && (from === null || t >= from);
  };
  const messages: SlackMessage[] = [];
  let next: string | null = null;
  for (const m of thread) {
    if (!inWindow(m)) continue;
    if (messages.length === limit) {
      next = m.ts;
      break;
    }
    messages.push(m);
  }
  return { messages, next };
}

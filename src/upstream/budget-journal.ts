/**
 * A replica's own vendor calls of the last window, on its disk. The shared window in Redis
 * holds every replica's calls; a Redis that restarts empty gets them back from the replicas
 * (budget.ts). A replica killed and started again has forgotten its calls in memory, and
 * if Redis also lost them meanwhile nobody would put them back, while the vendor still
 * counts them: the journal is where the new process finds them. A line is appended as each
 * call is granted and another as it ends (the kernel keeps what was written when the process
 * dies), and the file is rewritten with only the live entries once it grows.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface JournalEntry {
  key: string;
  id: string;
  /** When the call was granted, or when it ended. */
  at: number;
  /** The length of its window. */
  windowMs: number;
  /** The line of the call's end: the vendor saw it before then. */
  ended?: boolean;
}

export interface BudgetJournal {
  /**
   * The calls the vendor may still count, as recorded before this process started and since:
   * an ended call for a window after its end; one never ended (its process died mid-call) for a
   * window after the latest it can have been sent, `inFlightMs` after its grant.
   */
  live(inFlightMs: number): JournalEntry[];
  record(entry: JournalEntry): void;
}

const REWRITE_AFTER_LINES = 20_000;
/** Longer than any call's in-flight lease, for the rewrite (which keeps more than needed rather than less). */
const MAX_IN_FLIGHT_MS = 10 * 60_000;

export function createBudgetJournal(path: string): BudgetJournal {
  let entries: JournalEntry[] = [];
  try {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const [key, id, at, windowMs, ended] = line.split('\t');
      const entry = { key, id, at: Number(at), windowMs: Number(windowMs), ...(ended === 'e' ? { ended: true } : {}) };
      if (key && id && Number.isFinite(entry.at) && Number.isFinite(entry.windowMs)) entries.push(entry);
    }
  } catch {
    // No journal yet: a first start.
  }
  mkdirSync(dirname(path), { recursive: true });
  const text = (entry: JournalEntry) => `${entry.key}\t${entry.id}\t${entry.at}\t${entry.windowMs}${entry.ended ? '\te' : ''}\n`;
  const live = (inFlightMs: number) => {
    const now = Date.now();
    return entries.filter((entry) => entry.at + entry.windowMs + (entry.ended ? 0 : inFlightMs) > now);
  };
  return {
    live,
    record(entry) {
      entries.push(entry);
      if (entries.length < REWRITE_AFTER_LINES) {
        appendFileSync(path, text(entry));
        return;
      }
      // A grant's line is kept as long as a call in flight can count, so its end line finds it.
      entries = live(MAX_IN_FLIGHT_MS);
      writeFileSync(path, entries.map(text).join(''));
    },
  };
}

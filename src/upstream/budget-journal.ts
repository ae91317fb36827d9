/**
 * A replica's own vendor calls of the last window, on its disk. The shared window in Redis
 * holds every replica's calls; a Redis that restarts empty gets them back from the replicas
 * (budget.ts). A replica killed and started again has forgotten its calls in memory, and
 * if Redis also lost them meanwhile nobody would put them back, while the vendor still
 * counts them: the journal is where the new process finds them. A line is appended as each
 * call is granted (the kernel keeps what was written when the process dies), and the file is
 * rewritten with only the live entries once it grows.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface JournalEntry {
  key: string;
  id: string;
  /** When the call was granted. */
  at: number;
  /** The length of its window. */
  windowMs: number;
}

export interface BudgetJournal {
  /** The calls still counted in their windows, as recorded before this process started and since. */
  live(): JournalEntry[];
  record(entry: JournalEntry): void;
}

const REWRITE_AFTER_LINES = 20_000;

export function createBudgetJournal(path: string): BudgetJournal {
  let entries: JournalEntry[] = [];
  try {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const [key, id, at, windowMs] = line.split('\t');
      const entry = { key, id, at: Number(at), windowMs: Number(windowMs) };
      if (key && id && Number.isFinite(entry.at) && Number.isFinite(entry.windowMs)) entries.push(entry);
    }
  } catch {
    // No journal yet: a first start.
  }
  mkdirSync(dirname(path), { recursive: true });
  const text = (entry: JournalEntry) => `${entry.key}\t${entry.id}\t${entry.at}\t${entry.windowMs}\n`;
  const live = () => entries.filter((entry) => entry.at + entry.windowMs > Date.now());
  return {
    live,
    record(entry) {
      entries.push(entry);
      if (entries.length < REWRITE_AFTER_LINES) {
        appendFileSync(path, text(entry));
        return;
      }
      entries = live();
      writeFileSync(path, entries.map(text).join(''));
    },
  };
}

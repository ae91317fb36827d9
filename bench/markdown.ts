/** The few formatting helpers the bench's markdown report is written with. */
import type { LoadResult } from './load.ts';

export const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
export const f1 = (n: number) => (Math.round(n * 10) / 10).toString();
/** A latency only means something when a request completed within the run. */
export const ms = (r: LoadResult, value: number) => (r.requests > 0 ? value : '—');
export const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
export const mark = (ok: boolean) => (ok ? '**met**' : '**missed**');

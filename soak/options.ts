/** `npm run soak -- [--minutes M] [--ops N] [--seed S] [--out DIR]`: how long, how much, which seed, where the history goes. */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromRoot } from '../src/paths.ts';

export interface SoakOptions {
  minutes: number;
  ops: number;
  seed: number;
  clients: number;
  contacts: number;
  /** Where the history, the replicas' logs and the report go. */
  out: string;
  /** The nemesis on (default) or off (a calm run: the workload and checker alone). */
  nemesis: boolean;
}

export function parseOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string' },
      ops: { type: 'string' },
      seed: { type: 'string' },
      clients: { type: 'string' },
      out: { type: 'string' },
      calm: { type: 'boolean' },
    },
    strict: true,
  });
  const number = (name: string, text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${text}'`);
    return n;
  };
  const seed = number('seed', values.seed, Math.floor(Math.random() * 2 ** 31));
  return {
    minutes: number('minutes', values.minutes, 8),
    ops: number('ops', values.ops, Number.POSITIVE_INFINITY),
    seed,
    clients: number('clients', values.clients, 8),
    contacts: 300,
    out: values.out ?? join(fileURLToPath(fromRoot('.data/')), 'soak', `seed-${seed}`),
    nemesis: !values.calm,
  };
}

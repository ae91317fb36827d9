/** Reads settings from the environment, then the SWITCHBOARD_CONFIG file, collecting every problem. */
import { readFileSync } from 'node:fs';
import { FIELDS, type FieldName, type FieldValue } from './fields.ts';
import { TTL_PREFIX, type FieldSpec } from './schemas.ts';
import type { EnvLike } from './types.ts';

export interface RawValue {
  value: string;
  /** '' for the environment, ' (in <file>)' for the config file, to suffix the variable name. */
  where: string;
}

/** Reads variables from env-then-file and collects every problem instead of stopping at the first. */
export class Reader {
  readonly problems: string[] = [];
  private readonly file: { path: string; values: Record<string, string> } | undefined;

  constructor(private readonly env: EnvLike) {
    this.file = this.readFile();
  }

  raw(name: string): RawValue | undefined {
    const fromEnv = this.env[name]?.trim();
    if (fromEnv) return { value: fromEnv, where: '' };
    const fromFile = this.file?.values[name]?.trim();
    if (fromFile) return { value: fromFile, where: ` (in ${this.file!.path})` };
    // An empty variable counts as unset: `PORT=` in a .env file means "use the default".
    return undefined;
  }

  get<N extends FieldName>(name: N): FieldValue<N> | undefined {
    const raw = this.raw(name);
    if (!raw) return undefined;
    const spec: FieldSpec<unknown> = FIELDS[name];
    return this.parse(name, raw, spec) as FieldValue<N> | undefined;
  }

  parse<T>(name: string, raw: RawValue, spec: FieldSpec<T>): T | undefined {
    const result = spec.schema.safeParse(raw.value);
    if (result.success) return result.data;
    const what = result.error.issues[0]?.message ?? 'is invalid';
    const shown = spec.secret ? '' : ` (got ${JSON.stringify(raw.value)})`;
    this.problem(`${name}${raw.where}`, `${what}${shown}`, spec.hint);
    return undefined;
  }

  problem(name: string, what: string, fix: string): void {
    this.problems.push(`${name}: ${what} — ${fix}`);
  }

  /** Names of CACHE_TTL_* variables from both sources. */
  ttlNames(): string[] {
    const names = new Set(Object.keys(this.env).filter((key) => key.startsWith(TTL_PREFIX)));
    for (const key of Object.keys(this.file?.values ?? {})) if (key.startsWith(TTL_PREFIX)) names.add(key);
    return [...names].sort();
  }

  private readFile(): { path: string; values: Record<string, string> } | undefined {
    const path = this.env.SWITCHBOARD_CONFIG?.trim();
    if (!path) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      const reason =
        error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(error as { code?: string }).code ?? 'error'})`;
      this.problem('SWITCHBOARD_CONFIG', `the file ${path} ${reason}`, 'point it at a readable JSON file, or unset it');
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.problem(
        'SWITCHBOARD_CONFIG',
        `the file ${path} is not a JSON object`,
        'write an object whose keys are variable names, e.g. { "PORT": 4000 }',
      );
      return undefined;
    }
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (!Object.hasOwn(FIELDS, key) && !key.startsWith(TTL_PREFIX)) {
        this.problem(`${key} (in ${path})`, 'is not a Switchboard setting', 'remove it or check the spelling against the README');
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        values[key] = String(value);
      } else if (value !== null) {
        this.problem(`${key} (in ${path})`, 'must be a string or a number', 'write the value as you would in the environment');
      }
    }
    return { path, values };
  }
}

/**
 * Typed reading of decoded form params, failing the way Stripe's parameter validation does
 * (`parameter_missing`, `parameter_invalid_integer`, `parameter_unknown` …). All of these are
 * pre-execution failures, so nothing is stored under an Idempotency-Key for them.
 */
import { invalidInteger, invalidParam, parameterMissing, parameterUnknown, StripeError } from './errors.ts';
import type { FormParams, FormValue } from './form.ts';
import type { Metadata } from './records.ts';

export interface Range {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/** A metadata update: `metadata=` clears all keys, `metadata[k]=` removes one key. */
export interface MetadataPatch {
  clear: boolean;
  set: Metadata;
  unset: string[];
}

const INT = /^-?\d+$/;

export class Params {
  constructor(
    readonly raw: FormParams,
    /** Prefix for error `param` names of nested hashes (`items[0]`). */
    private readonly prefix = '',
  ) {}

  private name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined;
  }

  /** Rejects any top-level parameter not in `allowed` (Stripe: 400 `parameter_unknown`). */
  allow(allowed: readonly string[]): this {
    for (const key of Object.keys(this.raw)) if (!allowed.includes(key)) throw parameterUnknown(this.name(key));
    return this;
  }

  private scalar(key: string): string | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw invalidParam(this.name(key), `Invalid string: ${JSON.stringify(v)}`);
    return v;
  }

  string(key: string, options: { required?: boolean; max?: number } = {}): string | undefined {
    const v = this.scalar(key);
    if (v === undefined || (options.required && v === '')) {
      if (options.required) throw parameterMissing(this.name(key));
      return undefined;
    }
    const max = options.max ?? 5000;
    if (v.length > max) throw invalidParam(this.name(key), `Invalid string: ${v.slice(0, 20)}...; must be at most ${max} characters`);
    return v;
  }

  /** An updatable nullable field: an empty string unsets it (null). */
  nullableString(key: string, max?: number): string | null | undefined {
    const v = this.string(key, { max });
    if (v === undefined) return undefined;
    return v === '' ? null : v;
  }

  int(key: string, options: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const v = this.scalar(key);
    if (v === undefined || v === '') {
      if (options.required) throw parameterMissing(this.name(key));
      if (v === '') throw invalidInteger(this.name(key), v);
      return undefined;
    }
    if (!INT.test(v)) throw invalidInteger(this.name(key), v);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw invalidInteger(this.name(key), v);
    if (options.min !== undefined && n < options.min)
      throw invalidParam(this.name(key), `This value must be greater than or equal to ${options.min}.`);
    if (options.max !== undefined && n > options.max)
      throw invalidParam(this.name(key), `This value must be less than or equal to ${options.max}.`);
    return n;
  }

  bool(key: string): boolean | undefined {
    const v = this.scalar(key);
    if (v === undefined) return undefined;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw invalidParam(this.name(key), `Invalid boolean: ${v}`);
  }

  enum<T extends string>(key: string, values: readonly T[], options: { required?: boolean } = {}): T | undefined {
    const v = this.string(key, options);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) {
      const list = values.length > 1 ? `${values.slice(0, -1).join(', ')}, or ${values[values.length - 1]}` : values[0];
      throw invalidParam(this.name(key), `Invalid ${key}: must be one of ${list}`);
    }
    return v as T;
  }

  hash(key: string): Params | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string' || Array.isArray(v)) {
      if (v === '') return new Params({}, this.name(key));
      throw invalidParam(this.name(key), `Invalid object`);
    }
    return new Params(v, this.name(key));
  }

  array(key: string): FormValue[] | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return v;
    if (v === '') return [];
    throw invalidParam(this.name(key), `Invalid array`);
  }

  /** `created=123` (exact) or `created[gte]=…` hashes. */
  range(key: string): Range | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string') {
      const n = this.int(key);
      return n === undefined ? undefined : { gte: n, lte: n };
    }
    const h = this.hash(key)!;
    h.allow(['gt', 'gte', 'lt', 'lte']);
    const out: Range = {};
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      const n = h.int(op);
      if (n !== undefined) out[op] = n;
    }
    return out;
  }

  metadata(key = 'metadata'): MetadataPatch | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (v === '') return { clear: true, set: {}, unset: [] };
    if (typeof v === 'string' || Array.isArray(v)) throw invalidParam(this.name(key), 'Invalid object');
    const patch: MetadataPatch = { clear: false, set: {}, unset: [] };
    for (const [k, value] of Object.entries(v)) {
      const param = `${this.name(key)}[${k}]`;
      if (typeof value !== 'string') throw invalidParam(param, `Invalid string: ${JSON.stringify(value)}`);
      if (k.length > 40)
        throw invalidParam(
          param,
          `Metadata keys can have up to 40 characters, but you passed in a key that is ${k.length} characters. Invalid key: ${k}`,
        );
      if (value.length > 500)
        throw invalidParam(
          param,
          `Metadata values can have up to 500 characters, but you passed in a value that is ${value.length} characters. Invalid value: ${value.slice(0, 40)}...`,
        );
      if (value === '') patch.unset.push(k);
      else patch.set[k] = value;
    }
    return patch;
  }

  /** `expand[]` / `expand[0]` paths, at most four levels deep. */
  expand(): string[] {
    const list = this.array('expand');
    if (!list) return [];
    return list.map((p, i) => {
      if (typeof p !== 'string') throw invalidParam(`expand[${i}]`, 'Invalid string');
      if (p.split('.').length > 4) throw invalidParam('expand', `You cannot expand more than 4 levels of a property. Property: ${p}`);
      return p;
    });
  }
}

export function applyMetadata(current: Metadata, patch: MetadataPatch | undefined, param = 'metadata'): Metadata {
  if (!patch) return current;
  const next: Metadata = patch.clear ? {} : { ...current };
  for (const k of patch.unset) delete next[k];
  Object.assign(next, patch.set);
  if (Object.keys(next).length > 50)
    throw new StripeError(
      400,
      { type: 'invalid_request_error', param, message: 'You can only have 50 metadata keys. Remove some keys and try again.' },
      'validation',
    );
  return next;
}

export function inRange(value: number, range: Range | undefined): boolean {
  if (!range) return true;
  if (range.gt !== undefined && !(value > range.gt)) return false;
  if (range.gte !== undefined && !(value >= range.gte)) return false;
  if (range.lt !== undefined && !(value < range.lt)) return false;
  if (range.lte !== undefined && !(value <= range.lte)) return false;
  return true;
}

export interface ListParams {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  expand: string[];
}

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'expand'] as const;

export function listParams(p: Params): ListParams {
  const limit = p.int('limit', { min: 1, max: 100 }) ?? 10;
  const startingAfter = p.string('starting_after') || undefined;
  const endingBefore = p.string('ending_before') || undefined;
  if (startingAfter && endingBefore) {
    throw new StripeError(
      400,
      {
        type: 'invalid_request_error',
        code: 'parameters_exclusive',
        message: 'You may only specify one of these parameters: ending_before, starting_after.',
        param: 'ending_before',
      },
      'validation',
    );
  }
  return { limit, startingAfter, endingBefore, expand: p.expand() };
}

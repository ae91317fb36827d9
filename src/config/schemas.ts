/** The value formats settings are written in (whole numbers in a range, URLs, credentials, flags, budgets). */
import { z } from 'zod';
import type { BudgetSetting } from './types.ts';

export const TTL_PREFIX = 'CACHE_TTL_';
export const MAX_TTL_SECONDS = 7 * 24 * 3600;

export const whole = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, { error: 'is not a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

export const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), { error: 'is not an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

export const redisUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^rediss?:$/.test(new URL(value).protocol), { error: 'is not a redis:// or rediss:// URL' });

export const credential = z.string().regex(/^\S+$/, { error: 'contains whitespace' });

const DURATION_MS = { ms: 1, s: 1000, m: 60_000 } as const;
export const budget = z.union([
  z.literal('off'),
  z
    .string()
    .regex(/^[1-9]\d{0,6}\/[1-9]\d{0,6}(ms|s|m)$/, { error: 'is not <calls>/<window> like 100/10s, or off' })
    .transform((value): BudgetSetting => {
      const [, calls = '0', amount = '0', unit = 's'] = /^(\d+)\/(\d+)(ms|s|m)$/.exec(value) ?? [];
      return { limit: Number(calls), windowMs: Number(amount) * DURATION_MS[unit as keyof typeof DURATION_MS] };
    }),
]);
export const budgetHint = 'write calls per window, e.g. 100/10s, 25/1s or 50/1m, or off';

export const flag = z
  .enum(['0', '1', 'true', 'false'], { error: 'must be 1, 0, true or false' })
  .transform((value) => value === '1' || value === 'true');

export interface FieldSpec<T> {
  schema: z.ZodType<T>;
  hint: string;
  /** Never echo the value (credentials, and URLs that may embed a password). */
  secret?: boolean;
}

/**
 * Stripe amounts are integers in the currency's smallest unit, and Stripe decides how
 * many decimals that unit has — which differs from ISO 4217 for a few currencies, so the
 * exponent comes from Stripe's lists, not from Intl.
 * https://docs.stripe.com/currencies#zero-decimal and #three-decimal
 */
import type { Money } from '../../src/generated/billing.ts';

const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

export function minorUnitExponent(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

// Intl.NumberFormat is costly to build and holds no caller data: one per currency per process.
const formatters = new Map<string, Intl.NumberFormat | null>();

function formatterFor(code: string, exponent: number): Intl.NumberFormat | null {
  const key = `${code}:${exponent}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    try {
      formatter = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency: code,
        minimumFractionDigits: exponent,
        maximumFractionDigits: exponent,
      });
    } catch {
      // Not an ISO code Intl knows; formatMoney falls back to plain digits and the code.
      formatter = null;
    }
    formatters.set(key, formatter);
  }
  return formatter;
}

/** `1234550, 'usd'` → `$12,345.50`; `1234, 'jpy'` → `¥1,234`. */
export function formatMoney(amount: number, currency: string): string {
  const exponent = minorUnitExponent(currency);
  const major = amount / 10 ** exponent;
  const code = currency.toUpperCase();
  return formatterFor(code, exponent)?.format(major) ?? `${major.toFixed(exponent)} ${code}`;
}

export function money(amount: number, currency: string): Money {
  return { amount, currency, formatted: formatMoney(amount, currency) };
}

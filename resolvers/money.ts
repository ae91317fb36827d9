/**
 * The `Money` type every subschema shares (schemas/shared.graphql): an integer amount in
 * the currency's smallest unit, its lower-case ISO 4217 code, and one rendering for people.
 * Billing reads Stripe's integers as they are; the CRM turns HubSpot's decimal strings in
 * major units into minor units with `moneyFromMajor`, so both speak the same unit.
 *
 * How many decimals a minor unit has follows Stripe's lists, which differ from ISO 4217 for
 * a few currencies, so the exponent comes from them rather than from Intl — one table for
 * every system, so a deal and its invoice never disagree on what 1234 JPY means.
 * https://docs.stripe.com/currencies#zero-decimal and #three-decimal
 */

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

/** What the SDL's `Money` resolves to; structurally the generated `Money` of every subschema. */
export interface MoneyValue {
  amount: number;
  currency: string;
  formatted: string;
}

export function money(amount: number, currency: string): MoneyValue {
  return { amount, currency, formatted: formatMoney(amount, currency) };
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const INT_MAX = 2n ** 31n - 1n;

/**
 * A decimal string in major units (`"12500.5"`, as HubSpot holds number properties) as
 * Money in minor units, computed on the digits (BigInt), never through a float: `"0.29"`
 * USD is 29 cents, not 28.999…. Digits beyond the currency's exponent are rounded half away
 * from zero (`"1.005"` USD → 101). Null when the text is no plain decimal, or when the
 * amount does not fit GraphQL's 32-bit `Int` (Money.amount).
 */
export function moneyFromMajor(decimal: string, currency: string): MoneyValue | null {
  const match = DECIMAL.exec(decimal.trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return null;
  const [, sign, whole, fraction = ''] = match;
  const exponent = minorUnitExponent(currency);
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  let minor = BigInt(`${whole || '0'}${kept}`);
  if ((fraction[exponent] ?? '0') >= '5') minor += 1n;
  if (sign === '-') minor = -minor;
  if (minor > INT_MAX || minor < -INT_MAX - 1n) return null;
  const code = currency.toLowerCase();
  // `-0` would print as `-$0.00`.
  return money(Number(minor) || 0, code);
}

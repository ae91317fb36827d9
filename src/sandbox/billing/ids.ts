/**
 * Stripe-shaped identifiers (`in_1Nv…`, 24 base62 characters after the prefix) drawn from a
 * seeded stream, so the same world always yields the same ids. Five base62 characters come
 * out of each 32-bit draw: seeding half a million invoices must not spend a draw per char.
 */
import type { Prng } from '../prng.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export class IdFactory {
  constructor(private readonly rng: Prng) {}

  body(length: number): string {
    let out = '';
    while (out.length < length) {
      let n = Math.floor(this.rng.next() * 4294967296);
      for (let i = 0; i < 5 && out.length < length; i++) {
        out += ALPHABET[n % 62];
        n = Math.floor(n / 62);
      }
    }
    return out;
  }

  /** Upper-case hex, as Stripe's customer `invoice_prefix`. */
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += '0123456789ABCDEF'[Math.floor(this.rng.next() * 16)];
    return out;
  }

  /** `prefix_1…`: Stripe's current ids start with a version digit. */
  next(prefix: string, length = 24): string {
    return `${prefix}_1${this.body(length - 1)}`;
  }
}

/** A stable 32-bit hash (FNV-1a), to derive details from an id without storing them. */
export function hash32(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A derived base62 string of `length` characters. */
export function derivedBody(text: string, length: number): string {
  let out = '';
  let salt = 0;
  while (out.length < length) {
    let n = hash32(text, salt++);
    for (let i = 0; i < 5 && out.length < length; i++) {
      out += ALPHABET[n % 62];
      n = Math.floor(n / 62);
    }
  }
  return out;
}

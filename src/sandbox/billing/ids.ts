/**
 * Stripe-shaped identifiers (`in_1Nv…`, 24 base62 characters after the prefix) drawn from a
 * seeded stream, so the same world always yields the same ids. Five base62 characters come
 * out of each 32-bit draw: seeding half a million invoices must not spend a draw per char.
 */
import type { Prng } from '../prng.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CODES = Array.from(ALPHABET, (ch) => ch.charCodeAt(0));

export class IdFactory {
  constructor(private readonly rng: Prng) {}

  body(length: number): string {
    // Built from char codes in one go: appending char by char leaves a rope of `length`
    // nodes per id, which at millions of ids costs gigabytes of heap.
    const codes = new Array<number>(length);
    let i = 0;
    while (i < length) {
      let n = Math.floor(this.rng.next() * 4294967296);
      for (let k = 0; k < 5 && i < length; k++) {
        codes[i++] = CODES[n % 62];
        n = Math.floor(n / 62);
      }
    }
    return String.fromCharCode(...codes);
  }

  /** Upper-case hex, as Stripe's customer `invoice_prefix`. */
  hex(length: number): string {
    const codes = new Array<number>(length);
    for (let i = 0; i < length; i++) codes[i] = CODES[Math.floor(this.rng.next() * 16)];
    return String.fromCharCode(...codes);
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

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

/** A derived base62 string of `length` characters (one hash, then an xorshift stream). */
export function derivedBody(text: string, length: number): string {
  let h = hash32(text) || 1;
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) {
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    codes[i] = CODES[(h >>> 0) % 62];
  }
  return String.fromCharCode(...codes);
}

/*
 * Seeded ids encode their record's index, so half a million seeded invoices need no id map:
 * the first six characters are a scrambled index (an invertible 32-bit multiply), the rest a
 * hash-derived filler. Decoding re-encodes and compares, so a random id never aliases one.
 */
const SCRAMBLE = 0x9e3779b1;
const UNSCRAMBLE = (() => {
  let inv = SCRAMBLE;
  for (let i = 0; i < 5; i++) inv = Math.imul(inv, 2 - Math.imul(SCRAMBLE, inv));
  return inv >>> 0;
})();
const DECODE = new Int8Array(128).fill(-1);
CODES.forEach((code, i) => (DECODE[code] = i));

export function seededId(prefix: string, index: number, salt: number): string {
  let x = Math.imul((index ^ salt) >>> 0, SCRAMBLE) >>> 0;
  const codes = new Array<number>(23);
  for (let i = 0; i < 6; i++) {
    codes[i] = CODES[x % 62];
    x = Math.floor(x / 62);
  }
  let h = hash32(prefix, index ^ salt) || 1;
  for (let i = 6; i < 23; i++) {
    // xorshift32 filler
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    codes[i] = CODES[(h >>> 0) % 62];
  }
  return `${prefix}_1${String.fromCharCode(...codes)}`;
}

/** The index a seeded id encodes, or -1 when the id is not one of `prefix`'s seeded ids below `count`. */
export function seededIndex(prefix: string, id: string, salt: number, count: number): number {
  const start = prefix.length + 2;
  if (id.length !== start + 23 || !id.startsWith(prefix) || id[prefix.length] !== '_' || id[prefix.length + 1] !== '1') return -1;
  let x = 0;
  for (let i = 5; i >= 0; i--) {
    const code = id.charCodeAt(start + i);
    const digit = code < 128 ? DECODE[code] : -1;
    if (digit < 0) return -1;
    x = x * 62 + digit;
  }
  if (x > 0xffffffff) return -1;
  const index = (Math.imul(x, UNSCRAMBLE) >>> 0) ^ salt;
  const i = index >>> 0;
  if (i >= count) return -1;
  return seededId(prefix, i, salt) === id ? i : -1;
}

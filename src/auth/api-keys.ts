/**
 * API keys for services. Configuration holds only each key's SHA-256 (a key is 32 random
 * bytes, so a fast hash is enough — there is nothing to brute-force); a presented key is
 * hashed and compared to every stored hash in constant time, so timing reveals neither
 * which key nearly matched nor how much of it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry } from '../config.ts';
import { SCOPES, type Principal, type Scope } from './scopes.ts';

// The entry's format belongs to the configuration that parses it (SWITCHBOARD_API_KEYS).
export type { ApiKeyEntry };

const KEY_PREFIX = 'sbk_';

/** A fresh key: recognisable prefix (secret scanners) + 32 random bytes. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The SWITCHBOARD_API_KEYS entry for a key: `name:sha256:scope+scope[:rate]`. */
export function apiKeyConfigEntry(name: string, key: string, scopes: readonly string[] = ['*'], rateLimitPerMinute?: number): string {
  return [name, hashApiKey(key), scopes.join('+'), ...(rateLimitPerMinute === undefined ? [] : [String(rateLimitPerMinute)])].join(':');
}

export interface ApiKeyRegistry {
  /** The principal for a presented key, or undefined when it matches none. */
  verify(key: string): Principal | undefined;
}

export function createApiKeyRegistry(entries: readonly ApiKeyEntry[]): ApiKeyRegistry {
  const stored = entries.map((entry) => ({ entry, digest: Buffer.from(entry.sha256, 'hex') }));
  return {
    verify(key) {
      const digest = createHash('sha256').update(key, 'utf8').digest();
      let found: ApiKeyEntry | undefined;
      // No early exit: every stored hash is compared whatever matched.
      for (const { entry, digest: candidate } of stored) {
        if (timingSafeEqual(digest, candidate) && !found) found = entry;
      }
      if (!found) return undefined;
      return { id: `api-key:${found.name}`, kind: 'api-key', scopes: new Set(found.scopes), rateLimitPerMinute: found.rateLimitPerMinute };
    },
  };
}

export const ALL_SCOPES: readonly Scope[] = SCOPES;

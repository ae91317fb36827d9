/**
 * The SWITCHBOARD_API_KEYS format: entries separated by commas or newlines, each
 * `name:sha256hex:scopes[:ratePerMinute]`, scopes joined by `+` (or `*` for all). Only
 * hashes are configured, never keys; `tsx src/main.ts hash-key` prints an entry.
 */
import { z } from 'zod';
import { isScope, SCOPES, type Scope } from './scopes.ts';

/** One configured key: its name, the SHA-256 of the key (never the key), its scopes and optional rate. */
export interface ApiKeyEntry {
  name: string;
  /** Lower-case hex SHA-256 of the key. */
  sha256: string;
  scopes: readonly Scope[];
  rateLimitPerMinute?: number;
}

/** What a key this gateway minted looks like (also the rule for SWITCHBOARD_DEV_KEY). */
export const DEV_KEY_SHAPE = /^sbk_[A-Za-z0-9_-]{32,}$/;

function parseEntry(text: string, index: number): ApiKeyEntry | string {
  // Scopes contain colons themselves (crm:read), so only name, hash and a trailing numeric rate are split off.
  const parts = text.split(':');
  if (parts.length < 3) return `entry ${index + 1} is not name:sha256:scopes[:rate]`;
  const [name = '', sha256 = ''] = parts;
  const rest = parts.slice(2);
  const rate = rest.length > 1 && /^\d+$/.test(rest.at(-1)!) ? rest.pop() : undefined;
  const scopeText = rest.join(':');
  if (!/^[\w.-]{1,64}$/.test(name)) return `entry ${index + 1} has an invalid name (letters, digits, _ . - only)`;
  if (!/^[0-9a-f]{64}$/i.test(sha256)) return `entry ${index + 1} (${name}) does not hold a 64-hex-digit SHA-256`;
  const scopes: Scope[] = [];
  for (const scope of scopeText.split('+')) {
    if (scope === '*') scopes.push(...SCOPES);
    else if (isScope(scope)) scopes.push(scope);
    else return `entry ${index + 1} (${name}) names an unknown scope ${JSON.stringify(scope)}`;
  }
  let rateLimitPerMinute: number | undefined;
  if (rate !== undefined) {
    if (rate.length > 9 || Number(rate) < 1) return `entry ${index + 1} (${name}) has a rate that is not a positive whole number`;
    rateLimitPerMinute = Number(rate);
  }
  return { name, sha256: sha256.toLowerCase(), scopes: [...new Set(scopes)], rateLimitPerMinute };
}

export const apiKeyList = z.string().transform((value, ctx) => {
  const entries: ApiKeyEntry[] = [];
  const texts = value
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const [index, text] of texts.entries()) {
    const parsed = parseEntry(text, index);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    else if (entries.some((e) => e.name === parsed.name))
      ctx.addIssue({ code: 'custom', message: `the name ${parsed.name} is used twice` });
    else entries.push(parsed);
  }
  return entries;
});

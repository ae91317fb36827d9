/**
 * `tsx src/main.ts hash-key <name> [scopes] [ratePerMinute]`: mints a new API key, prints
 * it once (hand it to the client), and prints the SWITCHBOARD_API_KEYS entry holding only
 * its hash (give that to the gateway). Scopes are joined by `+`; `*` (default) means all.
 */
import { apiKeyConfigEntry, generateApiKey } from './api-keys.ts';
import { apiKeyList } from '../config.ts';

export function hashKeyCommand(args: readonly string[]): { ok: boolean; output: string } {
  const [name, scopes = '*', rate] = args;
  if (!name) return { ok: false, output: 'usage: hash-key <name> [scope+scope|*] [requestsPerMinute]' };
  const key = generateApiKey();
  const entry = apiKeyConfigEntry(name, key, scopes.split('+'), rate === undefined ? undefined : Number(rate));
  const parsed = apiKeyList.safeParse(entry);
  if (!parsed.success) return { ok: false, output: parsed.error.issues.map((issue) => issue.message).join('\n') };
  return {
    ok: true,
    output: [
      `API key (shown once; give it to the client): ${key}`,
      `SWITCHBOARD_API_KEYS entry (add it to the gateway's configuration): ${entry}`,
    ].join('\n'),
  };
}

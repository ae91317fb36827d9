/**
 * Demo mode's development API key (every scope, preset in GraphiQL). It must survive a
 * restart — saved curl commands and open GraphiQL tabs carry it — so it is kept beside the
 * demo's other state, in `<SWITCHBOARD_DATA_DIR>/dev-api-key` (owner-only), unless
 * SWITCHBOARD_DEV_KEY gives it. Only demo mode has one.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_KEY_SHAPE } from '../config.ts';
import { generateApiKey } from './api-keys.ts';

export const DEV_KEY_FILE = 'dev-api-key';

export interface DevApiKey {
  key: string;
  /** Where it came from: the environment, the data directory, or minted now (and stored there). */
  source: 'env' | 'stored' | 'new';
  /** The file that holds it (absent for `env`). */
  path?: string;
}

export class DevKeyError extends Error {}

export function resolveDevApiKey(options: { fromEnv?: string; dataDir: string }): DevApiKey {
  if (options.fromEnv) return { key: options.fromEnv, source: 'env' };
  const path = join(options.dataDir, DEV_KEY_FILE);
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim();
    if (!DEV_KEY_SHAPE.test(stored)) {
      throw new DevKeyError(
        `${path} does not hold a Switchboard API key — delete it to mint a new development key, or set SWITCHBOARD_DEV_KEY`,
      );
    }
    return { key: stored, source: 'stored', path };
  }
  const key = generateApiKey();
  mkdirSync(options.dataDir, { recursive: true });
  // `wx`: two processes starting at once must not each write a key of their own.
  try {
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') return resolveDevApiKey(options);
    throw error;
  }
  chmodSync(path, 0o600);
  return { key, source: 'new', path };
}

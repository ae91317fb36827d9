/**
 * Demo mode's development API key (every scope, preset in GraphiQL). It must survive a
 * restart — saved curl commands and open GraphiQL tabs carry it — so it is kept beside the
 * demo's other state, in `<SWITCHBOARD_DATA_DIR>/dev-api-key` (owner-only), unless
 * SWITCHBOARD_DEV_KEY gives it. Only demo mode has one.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  // Written whole under a name of its own, then linked into place: the link fails if the file exists, so two
  // processes starting at once never each keep a key of their own, and neither ever reads the other's file
  // half-written (with `wx` the file existed, empty, before its key was in it: found by fresh-clone CI).
  const written = `${path}.${randomUUID()}.tmp`;
  writeFileSync(written, `${key}\n`, { mode: 0o600 });
  try {
    linkSync(written, path);
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') return resolveDevApiKey(options);
    throw error;
  } finally {
    rmSync(written, { force: true });
  }
  return { key, source: 'new', path };
}

/**
 * Where the example's gateway is and which key it presents: SWITCHBOARD_URL and
 * SWITCHBOARD_API_KEY when set; otherwise `npm start`'s gateway and the development key it keeps
 * in `<SWITCHBOARD_DATA_DIR>/dev-api-key` (`.data/` at the repository root by default), so that
 * the example runs with nothing copied by hand.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Connection {
  url: string;
  apiKey: string;
}

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function resolveConnection(env: NodeJS.ProcessEnv = process.env): Connection {
  const url = env.SWITCHBOARD_URL ?? 'http://localhost:4000/graphql';
  if (env.SWITCHBOARD_API_KEY) return { url, apiKey: env.SWITCHBOARD_API_KEY };
  const keyFile = join(resolve(REPOSITORY_ROOT, env.SWITCHBOARD_DATA_DIR ?? '.data'), 'dev-api-key');
  if (!existsSync(keyFile)) {
    throw new Error(
      `No API key: set SWITCHBOARD_API_KEY, or start the demo gateway first (\`npm start\` keeps its development key in ${keyFile}).`,
    );
  }
  return { url, apiKey: readFileSync(keyFile, 'utf8').trim() };
}

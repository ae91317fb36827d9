/**
 * Files the gateway reads at run time (schemas/, documents/, the generated manifest) are
 * found from the repository root rather than from the reading module, so the same code finds them whether it runs from its sources
 * under tsx or compiled into dist/ by `npm run build`, one directory deeper.
 */
import { existsSync } from 'node:fs';

/** The repository root as a file URL ending in `/`: the nearest directory above with a package.json. */
export const ROOT = findRoot(new URL('./', import.meta.url));

/** A file or directory (end it with `/`) relative to the repository root. */
export function fromRoot(relative: string): URL {
  return new URL(relative, ROOT);
}

function findRoot(start: URL): URL {
  for (let dir = start; ; dir = new URL('../', dir)) {
    if (existsSync(new URL('package.json', dir))) return dir;
    if (dir.pathname === '/') throw new Error(`no package.json above ${start.pathname}`);
  }
}

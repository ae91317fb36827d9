/**
 * The vendors' published API documents the emulators serve at `GET /openapi.json` and the
 * contract tests check every answer against. They are carried in this package (`sandbox/specs/`,
 * with their source and licence in sandbox/specs/README.md), so a checkout anywhere has them.
 */
import { readFileSync } from 'node:fs';

/** `specs/` beside `src/` and `dist/`: this module runs from either, one directory below the package root. */
const SPECS = new URL('../specs/', import.meta.url);

export type VendorSpec = 'stripe.subset.json' | 'slack-web.subset.json';

const loaded = new Map<VendorSpec, unknown>();

/** The parsed document, read once. */
export function vendorSpec(name: VendorSpec): unknown {
  if (!loaded.has(name)) loaded.set(name, JSON.parse(readFileSync(vendorSpecUrl(name), 'utf8')));
  return loaded.get(name);
}

export function vendorSpecUrl(name: VendorSpec): URL {
  return new URL(name, SPECS);
}

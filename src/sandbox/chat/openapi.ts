/**
 * Serves the trimmed Slack Web API spec the contract tests validate against, read once from
 * `shared/specs/`. The sandbox must still start from a checkout without that folder, so a
 * missing or unreadable file yields a stub document that says why instead of an error.
 */
import { readFileSync } from 'node:fs';
import { fromRoot } from '../../paths.ts';

const SPEC_URL = fromRoot('../shared/specs/slack-web.subset.json');

let cached: unknown;

export function slackOpenApi(): unknown {
  if (cached !== undefined) return cached;
  try {
    cached = JSON.parse(readFileSync(SPEC_URL, 'utf8'));
  } catch (error) {
    cached = {
      swagger: '2.0',
      info: { title: 'Slack Web API (sandbox subset)', version: 'unavailable' },
      basePath: '/api',
      paths: {},
      'x-note': `spec file not available at ${SPEC_URL.pathname}: ${String(error)}`,
    };
  }
  return cached;
}

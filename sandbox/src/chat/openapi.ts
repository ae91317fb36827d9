/** Serves the trimmed Slack Web API spec (`specs/slack-web.subset.json`) the contract tests validate against. */
import { vendorSpec } from '../specs.ts';

export function slackOpenApi(): unknown {
  return vendorSpec('slack-web.subset.json');
}

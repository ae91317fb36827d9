/**
 * Slack Events API deliveries: an `event_callback` envelope per event, `X-Slack-Signature`
 * over `v0:ts:body`, and retries (`X-Slack-Retry-Num`, `X-Slack-Retry-Reason`) when the
 * target does not answer 2xx within 3 s. A target must pass the `url_verification`
 * handshake before it is registered, as in Slack's app settings.
 */
import { randomBytes } from 'node:crypto';
import type { ChatChange } from '../chat/types.ts';
import type { WebhookDeliverer, WebhookTarget } from './deliverer.ts';
import { slackSignature } from './signatures.ts';

/** The legacy verification token Slack still puts in payloads (deprecated in favour of signing). */
const LEGACY_TOKEN = 'sandbox-verification-token';

function signedHeaders(secret: string, body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': slackSignature(secret, body, ts),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots) (sandbox)',
  };
}

export function slackWebhooks(deliverer: WebhookDeliverer): (change: ChatChange) => void {
  return (change) => {
    const body = JSON.stringify({
      token: LEGACY_TOKEN,
      team_id: change.team_id,
      api_app_id: change.api_app_id,
      event: change.event,
      type: 'event_callback',
      event_id: change.event_id,
      event_time: change.event_time,
      authorizations: [{ team_id: change.team_id, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    });
    deliverer.send({
      ids: [change.event_id],
      build(target, attempt, reason) {
        const headers = signedHeaders(target.secret, body);
        if (attempt > 0) {
          headers['x-slack-retry-num'] = String(attempt);
          headers['x-slack-retry-reason'] = reason ?? 'http_error';
        }
        return { body, headers };
      },
    });
  };
}

/** Slack's `url_verification` handshake: the target must echo the challenge. */
export async function verifySlackUrl(target: WebhookTarget): Promise<string | null> {
  const challenge = randomBytes(24).toString('base64url');
  const body = JSON.stringify({ token: LEGACY_TOKEN, challenge, type: 'url_verification' });
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: signedHeaders(target.secret, body),
      body,
      signal: AbortSignal.timeout(3000),
    });
    const text = await response.text();
    if (!response.ok) return `the URL answered ${response.status} to url_verification`;
    let echoed = text;
    try {
      const parsed = JSON.parse(text) as { challenge?: unknown };
      if (typeof parsed.challenge === 'string') echoed = parsed.challenge;
    } catch {
      // a plain-text challenge is accepted too
    }
    return echoed === challenge ? null : 'the URL did not echo the url_verification challenge';
  } catch {
    return 'the URL did not answer url_verification within 3 s';
  }
}

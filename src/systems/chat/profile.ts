/**
 * What the shared upstream layer needs to know about Slack's Web API.
 *
 * Slack reports almost every failure as HTTP 200 with `{"ok": false, "error": "<code>"}`;
 * only rate limiting uses a status of its own (429 + `Retry-After` seconds). So `classify`
 * reads the body before the status, and maps Slack's error codes — a closed vocabulary of
 * snake_case words, never user data — to GatewayError codes. Messages name the method's
 * problem in plain words; the token and the response body never go into them.
 */
import { GatewayError, type ErrorCode } from '../../errors.ts';
import type { UpstreamResponse, VendorProfile } from '../../upstream/types.ts';

const NOT_FOUND_ERRORS = new Set([
  'user_not_found',
  'users_not_found',
  'user_not_visible',
  'channel_not_found',
  'thread_not_found',
  'message_not_found',
]);

const AUTH_ERRORS = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'no_permission',
  'not_allowed_token_type',
  'ekm_access_denied',
  'team_access_not_granted',
  'enterprise_is_restricted',
  'org_login_required',
  'team_added_to_org',
]);

const RATE_LIMIT_ERRORS = new Set(['ratelimited', 'rate_limited']);

/** Argument errors with a reason worth spelling out; other `invalid_*` / `missing_*` codes get a generic sentence. */
const ARGUMENT_REASONS: Record<string, string> = {
  invalid_cursor: 'the paging cursor is not valid (it may have expired)',
  limit_required: 'a page size is required',
  invalid_limit: 'the page size is out of range',
  invalid_ts_latest: 'the latest timestamp is not valid',
  invalid_ts_oldest: 'the oldest timestamp is not valid',
  invalid_email: 'the email address is not valid',
  is_archived: 'the channel is archived',
  msg_too_long: 'the message text is too long',
  no_text: 'the message has no text',
  too_many_attachments: 'the message has too many attachments',
};

const CONFLICT_ERRORS = new Set(['name_taken', 'already_in_channel', 'already_archived']);

/** Only Slack-vocabulary words reach a message; anything else is reported without the code. */
const SAFE_CODE = /^[a-z][a-z0-9_]{0,63}$/;

function slackErrorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  return typeof error === 'string' && SAFE_CODE.test(error) ? error : undefined;
}

function isArgumentError(code: string): boolean {
  if (code in ARGUMENT_REASONS) return true;
  return (code.startsWith('invalid_') || code.startsWith('missing_')) && code !== 'invalid_auth' && code !== 'missing_scope';
}

function fromSlackError(code: string, status: number, retryAfter: number | undefined): GatewayError {
  const options = { service: 'chat' as const, upstreamStatus: status };
  const make = (errorCode: ErrorCode, message: string, extra: { retryAfter?: number } = {}) =>
    new GatewayError(errorCode, message, { ...options, ...extra });
  if (NOT_FOUND_ERRORS.has(code)) {
    const what = code.startsWith('user')
      ? 'user'
      : code.startsWith('thread')
        ? 'thread'
        : code.startsWith('message')
          ? 'message'
          : 'channel';
    return make('NOT_FOUND', `Slack has no such ${what}`);
  }
  if (AUTH_ERRORS.has(code)) return make('UPSTREAM_AUTH_FAILED', `Slack rejected the configured bot token (${code})`);
  // Slack answers an unknown method with 404: a wrong base URL, not a missing record.
  if (code === 'unknown_method')
    return make('UPSTREAM_UNAVAILABLE', 'Slack does not serve this method (check the configured Slack base URL)');
  if (RATE_LIMIT_ERRORS.has(code)) return make('RATE_LIMITED', 'Slack rate limit reached', { retryAfter: retryAfter ?? 1 });
  if (CONFLICT_ERRORS.has(code)) return make('UPSTREAM_CONFLICT', `Slack refused the change (${code})`);
  // Not the caller's input and not a broken token: the channel exists, the bot may not read it.
  if (code === 'not_in_channel') {
    return make(
      'UPSTREAM_FORBIDDEN',
      "Slack does not let the gateway's bot into this channel: it is not a member (invite it to read or post there)",
    );
  }
  if (isArgumentError(code)) {
    return make('BAD_USER_INPUT', `Slack rejected the request: ${ARGUMENT_REASONS[code] ?? `invalid argument (${code})`}`);
  }
  return make('UPSTREAM_UNAVAILABLE', `Slack could not answer (${code})`);
}

function header(response: UpstreamResponse, name: string): string | undefined {
  return response.headers[name];
}

/** `Retry-After` in whole seconds, as Slack sends it on 429; undefined when absent or unparsable. */
function retryAfterSeconds(response: UpstreamResponse): number | undefined {
  const raw = header(response, 'retry-after')?.trim();
  if (!raw || !/^\d+(\.\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}

export const slackProfile: VendorProfile = {
  system: 'chat',

  authHeaders(token: string) {
    return { authorization: `Bearer ${token}` };
  },

  classify(response: UpstreamResponse): GatewayError | null {
    const { status, body } = response;
    const retryAfter = retryAfterSeconds(response);
    if (status >= 200 && status < 300) {
      // A 2xx is success unless Slack says `ok: false`. A body without `ok` is left to the
      // response schemas, which report it as UPSTREAM_BAD_RESPONSE with the missing field.
      if (typeof body !== 'object' || body === null || (body as { ok?: unknown }).ok !== false) return null;
      const code = slackErrorCode(body);
      if (code === undefined)
        return new GatewayError('UPSTREAM_UNAVAILABLE', 'Slack reported an unspecified failure', {
          service: 'chat',
          upstreamStatus: status,
        });
      return fromSlackError(code, status, retryAfter);
    }
    if (status === 429) {
      return new GatewayError('RATE_LIMITED', 'Slack rate limit reached', {
        service: 'chat',
        upstreamStatus: status,
        retryAfter: retryAfter === undefined ? 1 : Math.max(1, Math.ceil(retryAfter)),
      });
    }
    const code = slackErrorCode(body);
    // An auth or argument code in the body says more than a generic status does.
    const known = AUTH_ERRORS.has(code ?? '') || NOT_FOUND_ERRORS.has(code ?? '') || code === 'not_in_channel' || code === 'unknown_method';
    if (code !== undefined && status < 500 && (known || isArgumentError(code))) {
      return fromSlackError(code, status, retryAfter);
    }
    const options = { service: 'chat' as const, upstreamStatus: status };
    if (status === 401 || status === 403)
      return new GatewayError('UPSTREAM_AUTH_FAILED', 'Slack rejected the configured bot token', options);
    if (status === 404) return new GatewayError('NOT_FOUND', 'Slack has no such method or record', options);
    if (status === 409)
      return new GatewayError('UPSTREAM_CONFLICT', 'Slack refused the change because it conflicts with existing data', options);
    if (status === 400 || status === 422) return new GatewayError('BAD_USER_INPUT', 'Slack rejected the request arguments', options);
    if (status >= 500) return new GatewayError('UPSTREAM_UNAVAILABLE', `Slack is unavailable (HTTP ${status})`, options);
    return new GatewayError('UPSTREAM_UNAVAILABLE', `Slack answered with unexpected HTTP ${status}`, options);
  },

  retryAfterMs(response: UpstreamResponse): number | undefined {
    const seconds = retryAfterSeconds(response);
    return seconds === undefined ? undefined : seconds * 1000;
  },
};

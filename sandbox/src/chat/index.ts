/**
 * The Slack Web API emulator: `/api/<method>` for the methods Switchboard uses, Slack's
 * envelope (HTTP 200 + `ok:false` for every failure but rate limits), its cursor paging,
 * bot-token visibility rules and per-method rate-limit tiers. Every change — API write or
 * admin edit — is one `ChatChange` on `events` (event name `'change'`).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Router, type SandboxRequest, type SandboxResponse, type VendorEmulator } from '../http.ts';
import type { World } from '../world.ts';
import { createChatAdmin } from './admin.ts';
import type { ChatDeps } from './method.ts';
import { slackOpenApi } from './openapi.ts';
import { TierLimiter } from './rate-limits.ts';
import { registerChatRoutes } from './routes-chat.ts';
import { registerConversationRoutes } from './routes-conversations.ts';
import { registerUserRoutes } from './routes-users.ts';
import { ChatStore } from './store.ts';
import { argsOf, fail, methodName, ratelimited } from './wire.ts';

export { CHAT_CHANGE_EVENT } from './types.ts';
export type { ChatChange, ChatEventType, SlackConversation, SlackMessage, SlackUser } from './types.ts';
export type { EditBody } from './admin.ts';

/** The scopes a Slack bot needs for the methods served here, echoed as Slack does. */
const SCOPES = 'channels:read,groups:read,channels:history,groups:history,chat:write,users:read,users:read.email';

export interface ChatEmulator extends VendorEmulator {
  events: EventEmitter;
  /** The workspace state, for in-process tests and the webhook deliverer. */
  store: ChatStore;
  limiter: TierLimiter;
}

export function createChatEmulator(world: World, options: { token: string }): ChatEmulator {
  const events = new EventEmitter();
  // Many subscribers (webhook deliverer, caches, tests) are normal here, not a leak.
  events.setMaxListeners(0);
  const store = new ChatStore(world, events);
  const limiter = new TierLimiter();
  const deps: ChatDeps = { store, limiter };
  const router = new Router();
  registerUserRoutes(router, deps);
  registerConversationRoutes(router, deps);
  registerChatRoutes(router, deps);

  const emulator: ChatEmulator = {
    system: 'chat',
    router,
    admin: createChatAdmin(store, limiter, events),
    events,
    store,
    limiter,

    authenticate(req: SandboxRequest): SandboxResponse | null {
      const header = req.headers.authorization;
      let token: string | undefined;
      if (header !== undefined && header !== '') {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
        if (!m) return fail('invalid_auth');
        token = m[1];
      } else token = argsOf(req).token;
      if (!token) return fail('not_authed');
      return token === options.token ? null : fail('invalid_auth');
    },

    rateLimited(): SandboxResponse {
      const until = emulator.knobs?.rateLimitedUntil ?? 0;
      return ratelimited((until - Date.now()) / 1000);
    },

    internalError(): SandboxResponse {
      return { status: 500, body: { ok: false, error: 'internal_error' } };
    },

    notFound(req: SandboxRequest): SandboxResponse {
      return { status: 404, body: { ok: false, error: 'unknown_method', req_method: methodName(req) } };
    },

    reset(): void {
      store.load();
      limiter.reset();
    },

    decorate(_req: SandboxRequest, res: SandboxResponse): void {
      res.headers = { 'x-slack-req-id': randomUUID().replace(/-/g, ''), 'x-oauth-scopes': SCOPES, ...res.headers };
    },

    openapi: slackOpenApi,
  };
  return emulator;
}

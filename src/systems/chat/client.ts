/**
 * Typed client for the Slack Web API methods the gateway reads. One method per Slack
 * method; it knows Slack's wire format (GET with query parameters, `{ok}` envelopes,
 * cursor paging) and nothing about GraphQL.
 *
 * Endpoints (base URL `https://slack.com/api`, `Authorization: Bearer xoxb-…`):
 * - `GET /users.list?limit&cursor` — the workspace's members, cursor-paged. No batch read by
 *   id exists, so the directory (all pages) is how users are read in bulk. Slack advises
 *   `limit` ≤ 200. Tier 2 (20+/min).
 * - `GET /users.info?user` — one user. Tier 4 (100+/min). Error `user_not_found`.
 * - `GET /users.lookupByEmail?email` — one user by exact address. Tier 3 (50+/min).
 *   Error `users_not_found`.
 * - `GET /conversations.list?types&exclude_archived&limit&cursor` — channels, cursor-paged,
 *   `limit` ≤ 1000 (we use 200, as Slack advises). Tier 2.
 * - `GET /conversations.info?channel&include_num_members` — one channel. Tier 3.
 *   Error `channel_not_found`.
 * - `GET /conversations.history?channel&limit&cursor&oldest&latest&inclusive` — one page of a
 *   channel's messages, newest first, `has_more` + `next_cursor`. Tier 3. Error
 *   `channel_not_found`.
 * None of them takes several ids; loaders fan per-id calls out and lean on the directories.
 */
import { z } from 'zod';
import type { UpstreamClient, UpstreamRequest } from '../../upstream/types.ts';
import {
  slackMessageSchema,
  conversationResponseSchema,
  conversationsListResponseSchema,
  historyResponseSchema,
  parseSlack,
  userResponseSchema,
  usersListResponseSchema,
  type ChatMessage,
  type SlackConversation,
  type SlackUser,
} from './schemas.ts';

/** Slack's advice for `limit` on list methods; larger pages risk `limit_required`/500s on big workspaces. */
export const SLACK_PAGE_LIMIT = 200;
/** conversations.history returns at most this many messages per call. */
export const SLACK_HISTORY_MAX_LIMIT = 1000;

export interface ChatConnectorOptions {
  /** Sent as `x-request-id` on every call, so a gateway request can be traced upstream. */
  requestId?: string;
  /** Aborts in-flight calls when the gateway request is cancelled or its deadline passes. */
  signal?: AbortSignal;
}

export interface Page<T> {
  items: T[];
  /** Slack's `response_metadata.next_cursor`; null at the end (Slack sends `""`). */
  nextCursor: string | null;
}

export interface HistoryParams {
  channel: string;
  limit: number;
  cursor?: string;
  /** Slack ts strings (`"1700000000.000000"`). */
  oldest?: string;
  latest?: string;
}

export interface ChatConnector {
  listUsers(params: { limit?: number; cursor?: string }): Promise<Page<SlackUser>>;
  getUser(id: string): Promise<SlackUser>;
  lookupUserByEmail(email: string): Promise<SlackUser>;
  listConversations(params: { limit?: number; cursor?: string; excludeArchived?: boolean }): Promise<Page<SlackConversation>>;
  getConversation(id: string): Promise<SlackConversation>;
  history(params: HistoryParams): Promise<Page<ChatMessage> & { hasMore: boolean }>;
  /**
   * The same connector, sending `x-request-id: requestId` on every call. The gateway builds
   * one connector per process and one of these per request (in `createChatLoaders`).
   */
  withRequestId(requestId: string): ChatConnector;
  /**
   * chat.postMessage (JSON body). Slack takes no idempotency key, so the shared layer sends
   * it once and never retries it; `channel` is an id or a name.
   */
  postMessage(params: PostMessageParams): Promise<ChatMessage>;
}

export interface PostMessageParams {
  channel: string;
  text?: string;
  /** Block Kit blocks, passed through as Slack defines them. */
  blocks?: readonly Record<string, unknown>[];
  threadTs?: string;
}

export const postMessageResponseSchema = z.object({
  ok: z.literal(true),
  channel: z.string(),
  ts: z.string(),
  message: slackMessageSchema,
});

/** The channel kinds the gateway exposes; DMs and group DMs belong to people, not to analysts. */
const CHANNEL_TYPES = 'public_channel,private_channel';

type ConnectorPart<K extends keyof ChatConnector> = Pick<ChatConnector, K>;
/** A read: GET /{method} with query parameters; the body, not yet checked. */
type Get = (method: string, query: UpstreamRequest['query']) => Promise<unknown>;

export function createChatConnector(http: UpstreamClient, options: ChatConnectorOptions = {}): ChatConnector {
  const headers = options.requestId ? { 'x-request-id': options.requestId } : undefined;

  async function get(method: string, query: UpstreamRequest['query']): Promise<unknown> {
    const response = await http.request({
      method: 'GET',
      path: `/${method}`,
      query,
      headers,
      route: `GET /${method}`,
      idempotent: true,
      signal: options.signal,
    });
    return response.body;
  }

  return {
    ...userReads(get),
    ...conversationReads(get),
    withRequestId(requestId) {
      return createChatConnector(http, { ...options, requestId });
    },

    async postMessage({ channel, text, blocks, threadTs }) {
      const response = await http.request({
        method: 'POST',
        path: '/chat.postMessage',
        route: 'POST /chat.postMessage',
        body: { json: { channel, text, blocks, thread_ts: threadTs } },
        headers,
        idempotent: false,
        signal: options.signal,
      });
      const body = parseSlack(postMessageResponseSchema, response.body, 'chat.postMessage');
      return { ...body.message, channel: body.channel };
    },
  };
}

/** Slack sends `""` for "no more pages". */
const nextCursor = (cursor: string | undefined) => (cursor ? cursor : null);

/** Users: the directory's pages, one by id, one by email. */
function userReads(get: Get): ConnectorPart<'listUsers' | 'getUser' | 'lookupUserByEmail'> {
  return {
    async listUsers({ limit = SLACK_PAGE_LIMIT, cursor }) {
      const body = parseSlack(usersListResponseSchema, await get('users.list', { limit, cursor }), 'users.list');
      return { items: body.members, nextCursor: nextCursor(body.response_metadata?.next_cursor) };
    },

    async getUser(id) {
      return parseSlack(userResponseSchema, await get('users.info', { user: id }), 'users.info').user;
    },

    async lookupUserByEmail(email) {
      return parseSlack(userResponseSchema, await get('users.lookupByEmail', { email }), 'users.lookupByEmail').user;
    },
  };
}

/** Channels: their pages, one by id, and a page of one channel's history. */
function conversationReads(get: Get): ConnectorPart<'listConversations' | 'getConversation' | 'history'> {
  return {
    async listConversations({ limit = SLACK_PAGE_LIMIT, cursor, excludeArchived = false }) {
      const body = parseSlack(
        conversationsListResponseSchema,
        await get('conversations.list', { types: CHANNEL_TYPES, exclude_archived: excludeArchived, limit, cursor }),
        'conversations.list',
      );
      return { items: body.channels, nextCursor: nextCursor(body.response_metadata?.next_cursor) };
    },

    async getConversation(id) {
      return parseSlack(
        conversationResponseSchema,
        await get('conversations.info', { channel: id, include_num_members: true }),
        'conversations.info',
      ).channel;
    },

    async history({ channel, limit, cursor, oldest, latest }) {
      const body = parseSlack(
        historyResponseSchema,
        // `inclusive` makes oldest/latest closed bounds, matching what the GraphQL arguments promise.
        await get('conversations.history', { channel, limit, cursor, oldest, latest, inclusive: oldest || latest ? true : undefined }),
        'conversations.history',
      );
      return {
        items: body.messages.map((message) => ({ ...message, channel })),
        nextCursor: nextCursor(body.response_metadata?.next_cursor),
        hasMore: body.has_more,
      };
    },
  };
}

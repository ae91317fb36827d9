/**
 * Slack's own Node client (`@slack/web-api` 7.19.0) against the emulator: if the official
 * SDK pages, posts, and surfaces errors and rate limits the same way it does against
 * slack.com, the emulator's wire format is right where connectors will touch it.
 */
import {
  type ConversationsHistoryResponse,
  ErrorCode,
  LogLevel,
  type UsersListResponse,
  WebClient,
  WebClientEvent,
  type WebAPIPlatformError,
  type WebAPIRateLimitedError,
} from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_TOKEN, type ChatHarness, startChat } from './chat-support.ts';

let chat: ChatHarness;
let client: WebClient;

const newClient = (options: { rejectRateLimitedCalls?: boolean; token?: string } = {}) =>
  new WebClient(options.token ?? CHAT_TOKEN, {
    slackApiUrl: `${chat.url}/api/`,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
    rejectRateLimitedCalls: options.rejectRateLimitedCalls ?? false,
  });

beforeAll(async () => {
  chat = await startChat(200);
  client = newClient();
});
afterAll(async () => {
  await chat.close();
});

describe('@slack/web-api against the emulator', () => {
  it('pages users.list with client.paginate to exactly the seeded users', async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of client.paginate('users.list', { limit: 3 })) {
      pages++;
      for (const m of (page as UsersListResponse).members ?? []) ids.push(m.id ?? '');
    }
    expect(ids).toHaveLength(chat.world.chatUsers.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBe(Math.ceil(chat.world.chatUsers.length / 3));
  });

  it('pages conversations.history with the reducer form of paginate', async () => {
    const general = (await client.conversations.list({ limit: 100 })).channels?.find((c) => c.name === 'general');
    const total = await client.paginate(
      'conversations.history',
      { channel: general?.id, limit: 6 },
      (page) => !(page as ConversationsHistoryResponse).has_more,
      (sum: number | undefined, page) => (sum ?? 0) + ((page as ConversationsHistoryResponse).messages?.length ?? 0),
    );
    expect(total).toBe(chat.world.size.messagesPerChannel);
  });

  it('reads users.info and users.lookupByEmail', async () => {
    const person = chat.world.chatUsers.find((u) => u.email && !u.deleted);
    const info = await client.users.info({ user: person?.id ?? '' });
    expect(info.user?.profile?.email).toBe(person?.email);
    const lookup = await client.users.lookupByEmail({ email: (person?.email ?? '').toUpperCase() });
    expect(lookup.user?.id).toBe(person?.id);
  });

  it('lists conversations by type', async () => {
    const res = await client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true });
    expect(res.channels?.some((c) => c.is_private)).toBe(true);
    expect(res.channels?.some((c) => c.is_archived)).toBe(false);
    expect(res.response_metadata?.next_cursor).toBe('');
  });

  it('posts text and blocks with chat.postMessage and reads them back with conversations.history', async () => {
    const text = await client.chat.postMessage({ channel: '#sales', text: 'SDK says hi' });
    expect(text.ok).toBe(true);
    const blocks = await client.chat.postMessage({
      channel: text.channel as string,
      text: 'Deal won: Acme',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Deal won:* Acme' } }],
    });
    expect(blocks.message?.blocks?.[0]?.type).toBe('section');
    const history = await client.conversations.history({ channel: text.channel as string, limit: 2 });
    expect(history.messages?.map((m) => m.ts)).toEqual([blocks.ts, text.ts]);
    expect(history.messages?.[1]?.text).toBe('SDK says hi');
  });

  it('answers auth.test for the bot token', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({
      ok: true,
      team_id: 'T0SWITCHBD',
      user_id: chat.emulator.store.workspace.botUserId,
      bot_id: chat.emulator.store.workspace.botId,
    });
  });

  it('surfaces ok:false as a platform error carrying data.error', async () => {
    const error = (await client.chat.postMessage({ channel: 'C000NOPE00', text: 'x' }).catch((e: unknown) => e)) as WebAPIPlatformError;
    expect(error.code).toBe(ErrorCode.PlatformError);
    expect(error.data.error).toBe('channel_not_found');
    const badToken = (await newClient({ token: 'xoxb-wrong' })
      .auth.test()
      .catch((e: unknown) => e)) as WebAPIPlatformError;
    expect(badToken.data.error).toBe('invalid_auth');
  });

  describe('rate limits', () => {
    afterEach(async () => {
      await chat.server.setKnobs({ rateLimitedUntil: 0 });
      await chat.admin('POST', 'limits', { enforce: false, scale: 1 });
    });

    it('raises a rate-limited error with retryAfter for a tier limit when the client rejects rate-limited calls', async () => {
      await chat.admin('POST', 'limits', { enforce: true, scale: 0.05 });
      const rejecting = newClient({ rejectRateLimitedCalls: true });
      await rejecting.users.list({ limit: 1 });
      const error = (await rejecting.users.list({ limit: 1 }).catch((e: unknown) => e)) as WebAPIRateLimitedError;
      expect(error.code).toBe(ErrorCode.RateLimitedError);
      expect(error.retryAfter).toBeGreaterThanOrEqual(59);
      expect(error.retryAfter).toBeLessThanOrEqual(60);
    });

    it('emits rate_limited and fails after Retry-After when retries are off', async () => {
      const retrying = newClient();
      const events: number[] = [];
      retrying.on(WebClientEvent.RATE_LIMITED, (seconds: number) => events.push(seconds));
      await chat.admin('POST', 'knobs', { rateLimitForMs: 1_000 });
      const error = (await retrying.users.list({ limit: 1 }).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/rate limit was exceeded/);
      expect(events).toEqual([1]);
    });
  });
});

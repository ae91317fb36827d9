/**
 * The Slack emulator's read methods over real HTTP: seeded shapes, cursor paging to the end
 * (also while records are created), history windows and threads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatHarness, startChat } from './chat-support.ts';

let chat: ChatHarness;

beforeAll(async () => {
  chat = await startChat(200);
});
afterAll(async () => {
  await chat.close();
});

type Json = any;

async function pageAll(method: string, params: Record<string, string | number | boolean>, key: string) {
  const items: Json[] = [];
  const pageSizes: number[] = [];
  let cursor = '';
  for (let guard = 0; guard < 500; guard++) {
    const res = await chat.get(method, { ...params, ...(cursor ? { cursor } : {}) });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    items.push(...res.body[key]);
    pageSizes.push(res.body[key].length);
    cursor = res.body.response_metadata.next_cursor;
    if (cursor === '') return { items, pageSizes };
  }
  throw new Error('paging did not end');
}

const channelNamed = async (name: string) => {
  const res = await chat.get('conversations.list', { types: 'public_channel,private_channel', limit: 1000 });
  return res.body.channels.find((c: Json) => c.name === name);
};

describe('users', () => {
  it('pages users.list to the end with exact counts, no duplicates and "" as the last cursor', async () => {
    const { items, pageSizes } = await pageAll('users.list', { limit: 7 }, 'members');
    const ids = items.map((u) => u.id);
    expect(ids).toHaveLength(chat.world.chatUsers.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(chat.world.chatUsers.map((u) => u.id)));
    expect(pageSizes.slice(0, -1).every((n) => n === 7)).toBe(true);
  });

  it('returns every member in one page when no limit is given, with an integer cache_ts', async () => {
    const res = await chat.get('users.list');
    expect(res.body.members).toHaveLength(chat.world.chatUsers.length);
    expect(Number.isInteger(res.body.cache_ts)).toBe(true);
    expect(res.body.response_metadata).toEqual({ next_cursor: '' });
  });

  it('keeps users.list paging exact while new members join between pages', async () => {
    const before = chat.emulator.store.users.length;
    const first = await chat.get('users.list', { limit: 3 });
    for (const name of ['pat.new', 'sam.new']) {
      const created = await chat.admin('POST', 'edit', { kind: 'user', set: { name, real_name: name } });
      expect(created.status).toBe(200);
    }
    const rest = await (async () => {
      const items: Json[] = [];
      let cursor = first.body.response_metadata.next_cursor;
      while (cursor) {
        const res = await chat.get('users.list', { limit: 3, cursor });
        items.push(...res.body.members);
        cursor = res.body.response_metadata.next_cursor;
      }
      return items;
    })();
    const ids = [...first.body.members, ...rest].map((u: Json) => u.id);
    expect(ids).toHaveLength(before + 2);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('turns each world chat user into a Slack user: bot without email, deactivated user flagged', async () => {
    const res = await chat.get('users.list');
    const bySeed = new Map(res.body.members.map((u: Json) => [u.id, u]));
    const bot = chat.world.chatUsers.find((u) => u.isBot);
    const gone = chat.world.chatUsers.find((u) => u.deleted);
    const owner = chat.world.chatUsers.find((u) => u.ownerId);
    const botUser: Json = bySeed.get(bot?.id);
    expect(botUser).toMatchObject({ is_bot: true, deleted: false, team_id: 'T0SWITCHBD' });
    expect(botUser.profile.email).toBeUndefined();
    expect(botUser.profile.bot_id).toMatch(/^B[A-Z0-9]{8,}$/);
    expect(bySeed.get(gone?.id)).toMatchObject({ deleted: true });
    const person: Json = bySeed.get(owner?.id);
    expect(person).toMatchObject({ name: owner?.name, real_name: owner?.realName, is_bot: false, tz: owner?.tz });
    expect(person.profile).toMatchObject({
      email: owner?.email,
      display_name: owner?.displayName,
      real_name: owner?.realName,
      team: 'T0SWITCHBD',
    });
    expect(typeof person.tz_offset).toBe('number');
    expect(typeof person.updated).toBe('number');
    expect(person.profile.image_192).toMatch(/^https:\/\//);
  });

  it('answers users.info by id and user_not_found / invalid_arguments otherwise, always with HTTP 200', async () => {
    const id = chat.world.chatUsers[0].id;
    const found = await chat.get('users.info', { user: id });
    expect(found.body).toMatchObject({ ok: true, user: { id } });
    const missing = await chat.get('users.info', { user: 'U000NOPE00' });
    expect(missing).toMatchObject({ status: 200, body: { ok: false, error: 'user_not_found' } });
    const noArg = await chat.get('users.info');
    expect(noArg).toMatchObject({ status: 200, body: { ok: false, error: 'invalid_arguments' } });
  });

  it('finds users by email case-insensitively and answers users_not_found for unknown or deactivated ones', async () => {
    const owner = chat.world.chatUsers.find((u) => u.ownerId && u.email);
    const res = await chat.get('users.lookupByEmail', { email: owner?.email?.toUpperCase() ?? '' });
    expect(res.body).toMatchObject({ ok: true, user: { id: owner?.id } });
    const unknown = await chat.get('users.lookupByEmail', { email: 'nobody@nowhere.example' });
    expect(unknown.body).toEqual({ ok: false, error: 'users_not_found' });
    const gone = chat.world.chatUsers.find((u) => u.deleted && u.email);
    const deactivated = await chat.get('users.lookupByEmail', { email: gone?.email ?? '' });
    expect(deactivated.body.error).toBe('users_not_found');
  });
});

describe('conversations', () => {
  it('lists public channels by default and the private G channel only when asked for', async () => {
    const pub = await chat.get('conversations.list');
    const names = pub.body.channels.map((c: Json) => c.name);
    expect(names).toContain('general');
    expect(names).not.toContain('leadership');
    const all = await chat.get('conversations.list', { types: 'public_channel,private_channel' });
    const leadership = all.body.channels.find((c: Json) => c.name === 'leadership');
    expect(leadership).toMatchObject({ is_private: true, is_channel: false, is_group: true });
    expect(leadership.id).toMatch(/^G[A-Z0-9]{8,}$/);
    expect(all.body.channels).toHaveLength(chat.world.size.channels);
  });

  it('drops archived channels with exclude_archived', async () => {
    const all = await chat.get('conversations.list');
    const archived = all.body.channels.filter((c: Json) => c.is_archived);
    expect(archived.length).toBeGreaterThan(0);
    const live = await chat.get('conversations.list', { exclude_archived: true });
    expect(live.body.channels).toHaveLength(all.body.channels.length - archived.length);
    expect(live.body.channels.some((c: Json) => c.is_archived)).toBe(false);
  });

  it('pages conversations.list to the end with exact counts and no duplicates', async () => {
    const { items } = await pageAll('conversations.list', { limit: 2, types: 'public_channel,private_channel' }, 'channels');
    expect(items).toHaveLength(chat.world.size.channels);
    expect(new Set(items.map((c) => c.id)).size).toBe(items.length);
  });

  it('answers conversations.info with the channel, counting members only on request', async () => {
    const general = await channelNamed('general');
    const plain = await chat.get('conversations.info', { channel: general.id });
    expect(plain.body.channel).toMatchObject({ id: general.id, name: 'general', is_general: true, is_member: true });
    expect(plain.body.channel.num_members).toBeUndefined();
    const counted = await chat.get('conversations.info', { channel: general.id, include_num_members: true });
    expect(counted.body.channel.num_members).toBeGreaterThan(1);
    const missing = await chat.get('conversations.info', { channel: 'C000NOPE00' });
    expect(missing).toMatchObject({ status: 200, body: { ok: false, error: 'channel_not_found' } });
  });
});

describe('history', () => {
  it('pages conversations.history to the end newest first, exactly messagesPerChannel top-level messages', async () => {
    const sales = await channelNamed('sales');
    const { items } = await pageAll('conversations.history', { channel: sales.id, limit: 7 }, 'messages');
    expect(items).toHaveLength(chat.world.size.messagesPerChannel);
    const ts = items.map((m) => m.ts);
    expect(new Set(ts).size).toBe(ts.length);
    expect([...ts].sort().reverse()).toEqual(ts);
    for (const m of items) expect(m.ts).toMatch(/^\d{10}\.\d{6}$/);
  });

  it('reports has_more, pin_count and the cursor on a partial page', async () => {
    const general = await channelNamed('general');
    const res = await chat.get('conversations.history', { channel: general.id, limit: 5 });
    expect(res.body).toMatchObject({ ok: true, has_more: true, pin_count: 0 });
    expect(res.body.messages).toHaveLength(5);
    expect(res.body.response_metadata.next_cursor).not.toBe('');
  });

  it('keeps history paging exact while messages are posted between pages', async () => {
    const deals = await channelNamed('deals-won');
    const first = await chat.get('conversations.history', { channel: deals.id, limit: 10 });
    for (let i = 0; i < 3; i++)
      expect((await chat.form('chat.postMessage', { channel: deals.id, text: `mid-page ${i}` })).body.ok).toBe(true);
    const seen = [...first.body.messages];
    let cursor = first.body.response_metadata.next_cursor;
    while (cursor) {
      const res = await chat.get('conversations.history', { channel: deals.id, limit: 10, cursor });
      seen.push(...res.body.messages);
      cursor = res.body.response_metadata.next_cursor;
    }
    expect(seen).toHaveLength(chat.world.size.messagesPerChannel);
    expect(new Set(seen.map((m: Json) => m.ts)).size).toBe(seen.length);
    const fresh = await chat.get('conversations.history', { channel: deals.id, limit: 3 });
    expect(fresh.body.messages.map((m: Json) => m.text)).toEqual(['mid-page 2', 'mid-page 1', 'mid-page 0']);
  });

  it('applies oldest and latest as exclusive bounds, inclusive when asked', async () => {
    const general = await channelNamed('general');
    const all = (await chat.get('conversations.history', { channel: general.id, limit: 999 })).body.messages
      .map((m: Json) => m.ts)
      .reverse();
    const [oldest, latest] = [all[5], all[10]];
    const exclusive = await chat.get('conversations.history', { channel: general.id, oldest, latest });
    expect(exclusive.body.messages.map((m: Json) => m.ts)).toEqual(all.slice(6, 10).reverse());
    const inclusive = await chat.get('conversations.history', { channel: general.id, oldest, latest, inclusive: true });
    expect(inclusive.body.messages.map((m: Json) => m.ts)).toEqual(all.slice(5, 11).reverse());
    const onlyLatest = await chat.get('conversations.history', { channel: general.id, latest, limit: 3 });
    expect(onlyLatest.body.messages.map((m: Json) => m.ts)).toEqual(all.slice(7, 10).reverse());
    const onlyOldest = await chat.get('conversations.history', { channel: general.id, oldest: all[all.length - 3] });
    expect(onlyOldest.body.messages.map((m: Json) => m.ts)).toEqual(all.slice(-2).reverse());
    const paged = await pageAll('conversations.history', { channel: general.id, oldest, latest, inclusive: true, limit: 2 }, 'messages');
    expect(paged.items.map((m) => m.ts)).toEqual(all.slice(5, 11).reverse());
  });

  it('rejects unreadable bounds and cursors with Slack error codes', async () => {
    const general = await channelNamed('general');
    expect((await chat.get('conversations.history', { channel: general.id, latest: 'yesterday' })).body.error).toBe('invalid_ts_latest');
    expect((await chat.get('conversations.history', { channel: general.id, oldest: 'x' })).body.error).toBe('invalid_ts_oldest');
    expect((await chat.get('conversations.history', { channel: general.id, cursor: 'bm9wZQ==' })).body.error).toBe('invalid_cursor');
    expect((await chat.get('users.list', { cursor: 'garbage' })).body.error).toBe('invalid_cursor');
  });

  it('refuses history where the bot is not a member and for unknown channels', async () => {
    const random = await channelNamed('random');
    expect(random.is_member).toBe(false);
    expect((await chat.get('conversations.history', { channel: random.id })).body).toEqual({ ok: false, error: 'not_in_channel' });
    expect((await chat.get('conversations.history', { channel: 'C000NOPE00' })).body).toEqual({ ok: false, error: 'channel_not_found' });
  });

  it('summarises threads on the parent and serves them through conversations.replies', async () => {
    let found: { channel: string; parent: Json } | undefined;
    for (const c of chat.emulator.store.channels) {
      if (!c.members.has(chat.emulator.store.workspace.botUserId)) continue;
      const parent = c.timeline.find((m) => (m.reply_count ?? 0) > 1);
      if (parent) {
        found = { channel: c.conversation.id, parent };
        break;
      }
    }
    expect(found).toBeDefined();
    const { channel, parent } = found as { channel: string; parent: Json };
    const history = await chat.get('conversations.history', { channel, latest: parent.ts, inclusive: true, limit: 1 });
    expect(history.body.messages[0]).toMatchObject({ ts: parent.ts, thread_ts: parent.ts, reply_count: parent.reply_count });
    const replies = await chat.get('conversations.replies', { channel, ts: parent.ts });
    expect(replies.body.messages).toHaveLength(parent.reply_count + 1);
    expect(replies.body.messages[0].ts).toBe(parent.ts);
    expect(replies.body.messages.slice(1).every((m: Json) => m.thread_ts === parent.ts && m.parent_user_id === parent.user)).toBe(true);
    const paged = await pageAll('conversations.replies', { channel, ts: parent.ts, limit: 1 }, 'messages');
    expect(paged.items.map((m) => m.ts)).toEqual(replies.body.messages.map((m: Json) => m.ts));
    expect((await chat.get('conversations.replies', { channel, ts: '1000000000.000000' })).body.error).toBe('thread_not_found');
  });

  it('seeds bot_message integration posts and a few messages with blocks', async () => {
    const messages = chat.emulator.store.channels.flatMap((c) => c.timeline);
    expect(messages.some((m) => m.subtype === 'bot_message' && /^B[A-Z0-9]{8,}$/.test(m.bot_id ?? '') && m.user === undefined)).toBe(true);
    expect(messages.some((m) => Array.isArray(m.blocks) && m.blocks.length > 0)).toBe(true);
  });
});

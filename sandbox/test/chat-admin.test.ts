/**
 * The Slack emulator's admin side: UI-style edits and the change events they share with API
 * writes, tier rate limits, the core's chaos knobs in Slack's shapes, the request log and
 * reseeding.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_CHANGE_EVENT, type ChatChange, createChatEmulator } from '../src/chat/index.ts';
import { createWorld } from '../src/world.ts';
import { CHAT_TOKEN, type ChatHarness, startChat } from './chat-support.ts';

let chat: ChatHarness;
type Json = any;
let channels: Record<string, Json>;
const seen: ChatChange[] = [];

beforeAll(async () => {
  chat = await startChat(200);
  chat.emulator.events.on(CHAT_CHANGE_EVENT, (c: ChatChange) => seen.push(c));
  const res = await chat.get('conversations.list', { types: 'public_channel,private_channel' });
  channels = Object.fromEntries(res.body.channels.map((c: Json) => [c.name, c]));
});
afterAll(async () => {
  await chat.close();
});

const drain = () => seen.splice(0, seen.length);
const human = () => chat.world.chatUsers.find((u) => u.ownerId !== null && !u.deleted) as (typeof chat.world.chatUsers)[number];

describe('admin edits', () => {
  afterEach(() => drain());

  it('changes a user as the Slack app would: API answers change and user_change is emitted', async () => {
    const user = human();
    const before = (await chat.get('users.info', { user: user.id })).body.user;
    drain();
    const res = await chat.admin('POST', 'edit', {
      kind: 'user',
      id: user.id,
      set: { real_name: 'Ada Renamed', profile: { display_name: 'ada-r', status_text: 'Travelling' } },
    });
    expect(res.status).toBe(200);
    const after = (await chat.get('users.info', { user: user.id })).body.user;
    expect(after).toMatchObject({
      real_name: 'Ada Renamed',
      profile: {
        real_name: 'Ada Renamed',
        real_name_normalized: 'Ada Renamed',
        display_name: 'ada-r',
        display_name_normalized: 'ada-r',
        status_text: 'Travelling',
      },
    });
    expect(after.updated).toBeGreaterThan(before.updated);
    expect(seen).toHaveLength(1);
    const [change] = seen;
    expect(change).toMatchObject({ type: 'user_change', team_id: 'T0SWITCHBD', event: { type: 'user_change', user: after } });
    expect(change.event_id).toMatch(/^Ev[0-9A-Z]{8,}$/);
    expect(Number.isInteger(change.event_time)).toBe(true);
    expect(change.previous).toEqual(before);
    expect(change.object).toEqual(after);
    expect(res.body.changes).toEqual([JSON.parse(JSON.stringify(change))]);
  });

  it('re-indexes a changed email for users.lookupByEmail', async () => {
    const user = chat.world.chatUsers.filter((u) => u.email && !u.deleted)[2];
    await chat.admin('POST', 'edit', { kind: 'user', id: user.id, set: { profile: { email: 'Moved@New.example' } } });
    expect((await chat.get('users.lookupByEmail', { email: 'moved@new.example' })).body.user.id).toBe(user.id);
    expect((await chat.get('users.lookupByEmail', { email: user.email ?? '' })).body.error).toBe('users_not_found');
  });

  it('posts a message as a person typing in Slack: top of history, message event, joins a non-member first', async () => {
    const outsider = chat.world.chatUsers.find(
      (u) => !u.isBot && !u.deleted && !chat.emulator.store.channel(channels.sales.id)?.members.has(u.id),
    );
    const author = outsider ?? human();
    const res = await chat.admin('POST', 'edit', { kind: 'message', channel: 'sales', user: author.id, text: 'typed in the app' });
    expect(res.status).toBe(200);
    const head = (await chat.get('conversations.history', { channel: channels.sales.id, limit: 1 })).body.messages[0];
    expect(head).toMatchObject({ type: 'message', text: 'typed in the app', user: author.id });
    expect(head.client_msg_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(head.bot_id).toBeUndefined();
    const message = seen.find((c) => c.type === 'message');
    expect(message?.event).toMatchObject({
      type: 'message',
      channel: channels.sales.id,
      user: author.id,
      text: 'typed in the app',
      ts: head.ts,
      event_ts: head.ts,
      channel_type: 'channel',
    });
    if (outsider) expect(seen[0]).toMatchObject({ type: 'member_joined_channel', event: { user: author.id, channel: channels.sales.id } });
  });

  it('emits the same message change for an API post as for an admin post', async () => {
    const res = await chat.form('chat.postMessage', { channel: channels.sales.id, text: 'via API' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      type: 'message',
      channel: channels.sales.id,
      object: res.body.message,
      previous: null,
      event: { type: 'message', text: 'via API', bot_id: res.body.message.bot_id },
    });
  });

  it('edits and deletes messages with message_changed and message_deleted events', async () => {
    const posted = await chat.form('chat.postMessage', { channel: channels.general.id, text: 'typo' });
    drain();
    const edit = await chat.admin('POST', 'edit', { kind: 'message', channel: channels.general.id, ts: posted.body.ts, text: 'fixed' });
    expect(edit.status).toBe(200);
    const head = (await chat.get('conversations.history', { channel: channels.general.id, limit: 1 })).body.messages[0];
    expect(head).toMatchObject({ ts: posted.body.ts, text: 'fixed' });
    expect(head.edited.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(seen[0]).toMatchObject({
      type: 'message',
      event: { subtype: 'message_changed', message: { text: 'fixed' }, previous_message: { text: 'typo' } },
    });
    drain();
    await chat.admin('POST', 'edit', { kind: 'message', channel: channels.general.id, ts: posted.body.ts, delete: true });
    const after = (await chat.get('conversations.history', { channel: channels.general.id, limit: 1 })).body.messages[0];
    expect(after.ts).not.toBe(posted.body.ts);
    expect(seen[0]).toMatchObject({ type: 'message', object: null, event: { subtype: 'message_deleted', deleted_ts: posted.body.ts } });
  });

  it('creates, renames and archives channels with channel_created, channel_rename and channel_archive', async () => {
    const bot = chat.emulator.store.workspace.botUserId;
    const created = await chat.admin('POST', 'edit', { kind: 'channel', name: 'launch-room', members: [bot] });
    expect(created.status).toBe(200);
    const id = created.body.object.id;
    expect(seen[0]).toMatchObject({ type: 'channel_created', event: { type: 'channel_created', channel: { id, name: 'launch-room' } } });
    expect((await chat.get('conversations.info', { channel: id })).body.channel).toMatchObject({ name: 'launch-room', is_member: true });
    expect((await chat.form('chat.postMessage', { channel: '#launch-room', text: 'first!' })).body.ok).toBe(true);
    drain();
    await chat.admin('POST', 'edit', { kind: 'channel', id, set: { name: 'launched' } });
    expect(seen[0]).toMatchObject({ type: 'channel_rename', event: { channel: { id, name: 'launched' } } });
    expect((await chat.form('chat.postMessage', { channel: '#launch-room', text: 'x' })).body.error).toBe('channel_not_found');
    expect((await chat.get('conversations.info', { channel: id })).body.channel.previous_names).toEqual(['launch-room']);
    drain();
    await chat.admin('POST', 'edit', { kind: 'channel', id, set: { is_archived: true } });
    expect(seen[0]).toMatchObject({ type: 'channel_archive', event: { type: 'channel_archive', channel: id } });
    expect((await chat.form('chat.postMessage', { channel: id, text: 'x' })).body.error).toBe('is_archived');
  });

  it('announces a topic change as a channel_topic message', async () => {
    await chat.admin('POST', 'edit', { kind: 'channel', id: channels.general.id, set: { topic: 'Launch week' } });
    expect((await chat.get('conversations.info', { channel: channels.general.id })).body.channel.topic.value).toBe('Launch week');
    const head = (await chat.get('conversations.history', { channel: channels.general.id, limit: 1 })).body.messages[0];
    expect(head).toMatchObject({ subtype: 'channel_topic', topic: 'Launch week' });
  });

  it('lists the change log after a given event id', async () => {
    const all = (await chat.admin('GET', 'changes')).body.changes;
    expect(all.length).toBeGreaterThan(3);
    const after = (await chat.admin('GET', `changes?after=${all[1].event_id}`)).body.changes;
    expect(after).toEqual(all.slice(2));
  });

  it('refuses malformed edits with 400 and unknown records with 404', async () => {
    expect((await chat.admin('POST', 'edit', { kind: 'user', id: 'U1', set: { bogus: 1 } })).status).toBe(400);
    expect((await chat.admin('POST', 'edit', { kind: 'planet' })).status).toBe(400);
    expect((await chat.admin('POST', 'edit', { kind: 'user', id: 'U000NOPE00', set: { real_name: 'x' } })).status).toBe(404);
    expect((await chat.admin('POST', 'edit', { kind: 'message', channel: 'nope', text: 'x' })).status).toBe(404);
    expect((await chat.admin('POST', 'edit', { kind: 'channel', name: 'general' })).status).toBe(409);
    expect(seen).toHaveLength(0);
  });
});

describe('rate limits and chaos', () => {
  afterEach(async () => {
    await chat.admin('POST', 'limits', { enforce: false, scale: 1 });
    await chat.server.setKnobs({ rateLimitedUntil: 0, errorRate: 0 });
  });

  it('does not throttle by default', async () => {
    for (let i = 0; i < 25; i++) expect((await chat.get('users.list', { limit: 1 })).status).toBe(200);
  });

  it('enforces Tier 2 (20/min) on users.list with 429, Retry-After and ratelimited when enabled', async () => {
    const limits = await chat.admin('POST', 'limits', { enforce: true });
    expect(limits.body).toMatchObject({ enforce: true, scale: 1 });
    for (let i = 0; i < 20; i++) expect((await chat.get('users.list', { limit: 1 })).status).toBe(200);
    const limited = await chat.get('users.list', { limit: 1 });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Limits are per method: a Tier 4 method is still open.
    expect((await chat.get('users.info', { user: chat.world.chatUsers[0].id })).status).toBe(200);
  });

  it('scales tier limits and limits chat.postMessage per channel', async () => {
    await chat.admin('POST', 'limits', { enforce: true, scale: 0.1 });
    const lookups = [];
    for (let i = 0; i < 6; i++) lookups.push((await chat.get('users.lookupByEmail', { email: 'x@y.example' })).status);
    expect(lookups).toEqual([200, 200, 200, 200, 200, 429]);
    await chat.admin('POST', 'limits', { enforce: true, scale: 1 });
    const posts = [];
    for (let i = 0; i < 4; i++)
      posts.push((await chat.form('chat.postMessage', { channel: channels.sales.id, text: `burst ${i}` })).status);
    expect(posts).toEqual([200, 200, 200, 429]);
    expect((await chat.form('chat.postMessage', { channel: '#sales', text: 'by name counts too' })).status).toBe(429);
    expect((await chat.form('chat.postMessage', { channel: channels.general.id, text: 'other channel' })).status).toBe(200);
  });

  it('answers every method with 429 and Retry-After while the core rateLimitForMs knob holds', async () => {
    await chat.admin('POST', 'knobs', { rateLimitForMs: 5_000 });
    const res = await chat.get('auth.test');
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ ok: false, error: 'ratelimited' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(4);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(5);
  });

  it('answers injected failures with HTTP 500 and ok:false internal_error', async () => {
    await chat.admin('POST', 'knobs', { errorRate: 1 });
    const res = await chat.get('users.list');
    expect(res).toMatchObject({ status: 500, body: { ok: false, error: 'internal_error' } });
  });
});

describe('request log, reset and spec', () => {
  it('counts requests per method route in the request log', async () => {
    await chat.admin('POST', 'reset');
    await chat.get('users.list');
    await chat.get('users.list');
    await chat.form('users.list');
    await chat.get('conversations.history', { channel: channels.general.id });
    const log = (await chat.admin('GET', 'requests')).body;
    expect(log.byRoute).toEqual({ 'GET /api/users.list': 2, 'POST /api/users.list': 1, 'GET /api/conversations.history': 1 });
    expect(log.total).toBe(4);
  });

  it('reseeds on reset?scope=all: posts and edits are gone, limits are off', async () => {
    await chat.form('chat.postMessage', { channel: channels.sales.id, text: 'to be forgotten' });
    await chat.admin('POST', 'limits', { enforce: true });
    await chat.admin('POST', 'reset?scope=all');
    const fresh = createChatEmulator(createWorld({ size: 200 }), { token: CHAT_TOKEN });
    const seededTop = fresh.store.channel(channels.sales.id)?.timeline.at(-1);
    const head = (await chat.get('conversations.history', { channel: channels.sales.id, limit: 1 })).body.messages[0];
    expect(head).toEqual(JSON.parse(JSON.stringify(seededTop)));
    expect((await chat.get('users.info', { user: human().id })).body.user.real_name).toBe(human().realName);
    expect((await chat.admin('GET', 'limits')).body.enforce).toBe(false);
    expect((await chat.admin('GET', 'changes')).body.changes).toEqual([]);
  });

  it('seeds the same workspace from the same world every time', () => {
    const a = createChatEmulator(createWorld({ size: 300 }), { token: CHAT_TOKEN }).store;
    const b = createChatEmulator(createWorld({ size: 300 }), { token: CHAT_TOKEN }).store;
    expect(JSON.stringify(b.users)).toBe(JSON.stringify(a.users));
    expect(JSON.stringify(b.channels.map((c) => [c.conversation, c.timeline]))).toBe(
      JSON.stringify(a.channels.map((c) => [c.conversation, c.timeline])),
    );
  });

  it('serves the Slack subset spec at /openapi.json', async () => {
    const res = await fetch(`${chat.url}/openapi.json`);
    const spec = await res.json();
    expect(spec.swagger).toBe('2.0');
    expect(Object.keys(spec.paths)).toContain('/chat.postMessage');
  });
});

/**
 * `chat.postMessage`, `auth.test`, argument transports and Slack's error envelope: every
 * failure but a rate limit is HTTP 200 with `ok: false`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_TOKEN, type ChatHarness, startChat } from './chat-support.ts';

let chat: ChatHarness;
type Json = any;
let channels: Record<string, Json>;

beforeAll(async () => {
  chat = await startChat(200);
  const res = await chat.get('conversations.list', { types: 'public_channel,private_channel' });
  channels = Object.fromEntries(res.body.channels.map((c: Json) => [c.name, c]));
});
afterAll(async () => {
  await chat.close();
});

const top = async (channel: string) => (await chat.get('conversations.history', { channel, limit: 1 })).body.messages[0];

describe('chat.postMessage', () => {
  it('posts text as the bot and serves it back at the top of history', async () => {
    const res = await chat.form('chat.postMessage', { channel: channels.sales.id, text: 'Hello from the gateway' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, channel: channels.sales.id, message: { type: 'message', text: 'Hello from the gateway' } });
    const ws = chat.emulator.store.workspace;
    expect(res.body.message).toMatchObject({ user: ws.botUserId, bot_id: ws.botId, ts: res.body.ts, team: ws.teamId });
    expect(res.body.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(await top(channels.sales.id)).toEqual(res.body.message);
  });

  it('gives every post a later ts than anything already in the channel', async () => {
    const before = await top(channels.general.id);
    const a = await chat.form('chat.postMessage', { channel: channels.general.id, text: 'a' });
    const b = await chat.form('chat.postMessage', { channel: channels.general.id, text: 'b' });
    expect(a.body.ts > before.ts).toBe(true);
    expect(b.body.ts > a.body.ts).toBe(true);
  });

  it('resolves a channel given as #name or bare name to its id', async () => {
    const hash = await chat.form('chat.postMessage', { channel: '#deals-won', text: 'by hash name' });
    expect(hash.body).toMatchObject({ ok: true, channel: channels['deals-won'].id });
    const bare = await chat.form('chat.postMessage', { channel: 'deals-won', text: 'by bare name' });
    expect(bare.body.channel).toBe(channels['deals-won'].id);
    expect((await top(channels['deals-won'].id)).text).toBe('by bare name');
  });

  it('accepts blocks as a JSON array in a JSON body and as a JSON string in a form, adding block ids', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Deal won*' } }, { type: 'divider' }];
    const viaJson = await chat.json('chat.postMessage', { channel: channels.sales.id, text: 'Deal won', blocks });
    expect(viaJson.body.ok).toBe(true);
    expect(viaJson.body.warning).toBeUndefined();
    expect(viaJson.body.message.blocks).toHaveLength(2);
    expect(viaJson.body.message.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn', text: '*Deal won*' } });
    expect(typeof viaJson.body.message.blocks[1].block_id).toBe('string');
    const viaForm = await chat.form('chat.postMessage', { channel: channels.sales.id, blocks: JSON.stringify(blocks) });
    expect(viaForm.body.ok).toBe(true);
    expect(viaForm.body.message.text).toBe("This content can't be displayed.");
    expect((await top(channels.sales.id)).blocks).toHaveLength(2);
  });

  it('adds a thread reply to the parent summary without putting it in history', async () => {
    const parent = await chat.form('chat.postMessage', { channel: channels.general.id, text: 'thread root' });
    const reply = await chat.form('chat.postMessage', { channel: channels.general.id, text: 'in thread', thread_ts: parent.body.ts });
    expect(reply.body.message).toMatchObject({ thread_ts: parent.body.ts, parent_user_id: parent.body.message.user });
    const head = await top(channels.general.id);
    expect(head).toMatchObject({ ts: parent.body.ts, reply_count: 1, latest_reply: reply.body.ts, thread_ts: parent.body.ts });
    const replies = await chat.get('conversations.replies', { channel: channels.general.id, ts: parent.body.ts });
    expect(replies.body.messages.map((m: Json) => m.text)).toEqual(['thread root', 'in thread']);
    const missing = await chat.form('chat.postMessage', { channel: channels.general.id, text: 'x', thread_ts: '1000000000.000001' });
    expect(missing.body).toEqual({ ok: false, error: 'thread_not_found' });
  });

  it('answers each refusal with HTTP 200, ok:false and the Slack error code', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ channel: 'C000NOPE00', text: 'x' }, 'channel_not_found'],
      [{ channel: '#no-such-channel', text: 'x' }, 'channel_not_found'],
      [{ text: 'x' }, 'channel_not_found'],
      [{ channel: channels.random.id, text: 'x' }, 'not_in_channel'],
      [{ channel: channels.support.id, text: 'x' }, 'is_archived'],
      [{ channel: channels.sales.id }, 'no_text'],
      [{ channel: channels.sales.id, text: 'x'.repeat(40_001) }, 'msg_too_long'],
      [{ channel: channels.sales.id, blocks: '[{"type":"nope"}]' }, 'invalid_blocks'],
      [{ channel: channels.sales.id, blocks: '[{"type":"section"' }, 'invalid_blocks_format'],
    ];
    expect(channels.support.is_archived).toBe(true);
    for (const [params, error] of cases) {
      const res = await chat.form('chat.postMessage', params);
      expect(res.status, error).toBe(200);
      expect(res.body.ok, error).toBe(false);
      expect(res.body.error).toBe(error);
    }
    const exactly = await chat.form('chat.postMessage', { channel: channels.sales.id, text: 'y'.repeat(40_000) });
    expect(exactly.body.ok).toBe(true);
  });

  it('names the offending block in response_metadata.messages', async () => {
    const res = await chat.form('chat.postMessage', {
      channel: channels.sales.id,
      text: 'x',
      blocks: JSON.stringify([{ type: 'divider' }, { type: 'header', text: { type: 'mrkdwn', text: 'h' } }]),
    });
    expect(res.body.error).toBe('invalid_blocks');
    expect(res.body.response_metadata.messages[0]).toMatch(/^\[ERROR\] .*\[json-pointer:\/blocks\/1\/text\]$/);
  });
});

describe('transports and auth', () => {
  it('warns missing_charset on a JSON body without charset but still posts', async () => {
    const res = await chat.json('chat.postMessage', { channel: channels.sales.id, text: 'no charset' }, 'application/json');
    expect(res.body).toMatchObject({ ok: true, warning: 'missing_charset', response_metadata: { warnings: ['missing_charset'] } });
  });

  it('fails invalid_json and json_not_object bodies', async () => {
    const bad = await fetch(`${chat.url}/api/chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CHAT_TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: '{"channel":',
    });
    expect(await bad.json()).toEqual({ ok: false, error: 'invalid_json' });
    expect((await chat.json('chat.postMessage', ['x'])).body).toEqual({ ok: false, error: 'json_not_object' });
  });

  it('ignores JSON bodies on read methods, as Slack does', async () => {
    const res = await chat.json('users.info', { user: chat.world.chatUsers[0].id });
    expect(res.body.error).toBe('invalid_arguments');
  });

  it('reads the same arguments from a query string and from a form body', async () => {
    const id = chat.world.chatUsers[1].id;
    const viaGet = await chat.get('users.info', { user: id });
    const viaForm = await chat.form('users.info', { user: id });
    expect(viaForm.body).toEqual(viaGet.body);
  });

  it('answers not_authed without a token and invalid_auth for a wrong one, with HTTP 200', async () => {
    const none = await chat.get('users.list', {}, null);
    expect(none).toMatchObject({ status: 200, body: { ok: false, error: 'not_authed' } });
    const wrong = await chat.get('users.list', {}, 'xoxb-not-the-token');
    expect(wrong).toMatchObject({ status: 200, body: { ok: false, error: 'invalid_auth' } });
    const basic = await fetch(`${chat.url}/api/auth.test`, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(await basic.json()).toEqual({ ok: false, error: 'invalid_auth' });
  });

  it('accepts the token as a form field or query parameter', async () => {
    expect((await chat.form('auth.test', { token: CHAT_TOKEN }, null)).body.ok).toBe(true);
    expect((await chat.get('auth.test', { token: CHAT_TOKEN }, null)).body.ok).toBe(true);
    expect((await chat.get('auth.test', { token: 'xoxb-wrong' }, null)).body.error).toBe('invalid_auth');
  });

  it('identifies the bot, team and url in auth.test', async () => {
    const ws = chat.emulator.store.workspace;
    const res = await chat.form('auth.test');
    expect(res.body).toEqual({
      ok: true,
      url: 'https://switchboard-demo.slack.com/',
      team: 'Switchboard Demo',
      user: ws.botName,
      team_id: 'T0SWITCHBD',
      user_id: ws.botUserId,
      bot_id: ws.botId,
      is_enterprise_install: false,
    });
  });

  it('answers an unknown method with 404 unknown_method', async () => {
    const res = await chat.get('users.lizt');
    expect(res).toMatchObject({ status: 404, body: { ok: false, error: 'unknown_method', req_method: 'users.lizt' } });
  });

  it('tags every response with x-slack-req-id and x-oauth-scopes', async () => {
    const res = await chat.get('auth.test');
    expect(res.headers.get('x-slack-req-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('x-oauth-scopes')).toContain('chat:write');
  });
});

/**
 * Contract: every body the Slack emulator sends for the methods in
 * `specs/slack-web.subset.json` validates against that spec — the `200` schema when
 * `ok` is true, the `default` (error) schema when it is false, as the spec's x-note says.
 *
 * The spec is Swagger 2.0 (draft-04 schemas). `x-items-alternatives` lists are read as
 * `anyOf`, so users, conversations and messages are really checked (with `additionalProperties:
 * false`), and `#/definitions/...` refs are resolved by embedding the definitions.
 *
 * Known drift between the 2020 spec and Slack today, patched here and nowhere else:
 * - `conversations.history` / `conversations.replies` success bodies carry
 *   `response_metadata.next_cursor` (documented cursor paging) but the spec omits it.
 * Errors outside the spec's per-method enums (`invalid_arguments`, `invalid_blocks`,
 * `ratelimited`, …) are newer than the spec and are not sent through it.
 */
import { readFileSync } from 'node:fs';
import AjvDraft04Module from 'ajv-draft-04';
import ajvFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatHarness, type RawResponse, startChat } from './chat-support.ts';

// CJS packages: under NodeNext the default import is `module.exports`, which also carries `.default`.
const Ajv = AjvDraft04Module.default;
const addFormats = ajvFormatsModule.default;

type Schema = Record<string, unknown>;
type Json = any;

const spec = JSON.parse(readFileSync(new URL('../specs/slack-web.subset.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { schema: Schema }> }>>;
  definitions: Record<string, Schema>;
};

/** `x-items-alternatives` → `anyOf` (on `items` when the node itself is an array). */
function withAlternatives(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withAlternatives);
  if (typeof node !== 'object' || node === null) return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node))
    if (k !== 'x-items-alternatives' && k !== 'example' && k !== 'examples') out[k] = withAlternatives(v);
  const alternatives = (node as Schema)['x-items-alternatives'];
  if (Array.isArray(alternatives)) {
    const anyOf = alternatives.map(withAlternatives);
    if (out.type === 'array') out.items = { anyOf };
    else out.anyOf = anyOf;
  }
  return out;
}

const definitions = withAlternatives(spec.definitions) as Schema;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

const drift: Record<string, (schema: Schema) => void> = {
  '/conversations.history': (s) => {
    (s.properties as Schema).response_metadata = { $ref: '#/definitions/objs_response_metadata' };
  },
  '/conversations.replies': (s) => {
    (s.properties as Schema).response_metadata = { $ref: '#/definitions/objs_response_metadata' };
  },
};

const validators = new Map<string, { success: ReturnType<typeof ajv.compile>; error: ReturnType<typeof ajv.compile> }>();
for (const [path, ops] of Object.entries(spec.paths)) {
  const op = Object.values(ops)[0];
  const success = withAlternatives(op.responses['200'].schema) as Schema;
  drift[path]?.(success);
  validators.set(path.slice(1), {
    success: ajv.compile({ ...success, definitions }),
    error: ajv.compile({ ...(withAlternatives(op.responses.default.schema) as Schema), definitions }),
  });
}

const checked = new Map<string, { ok: number; errors: Set<string> }>();

function check(method: string, res: RawResponse): Json {
  expect(res.status, `${method} status`).toBe(200);
  const v = validators.get(method);
  if (!v) throw new Error(`${method} is not in the spec`);
  const validate = res.body.ok === true ? v.success : v.error;
  const valid = validate(res.body);
  expect(valid ? null : { method, errors: validate.errors?.slice(0, 5), body: JSON.stringify(res.body).slice(0, 600) }).toBeNull();
  const tally = checked.get(method) ?? { ok: 0, errors: new Set<string>() };
  if (res.body.ok) tally.ok++;
  else tally.errors.add(res.body.error);
  checked.set(method, tally);
  return res.body;
}

let chat: ChatHarness;
let channels: Json[];

beforeAll(async () => {
  chat = await startChat(200);
  channels = check(
    'conversations.list',
    await chat.get('conversations.list', { types: 'public_channel,private_channel', limit: 1000 }),
  ).channels;
});
afterAll(async () => {
  await chat.close();
});

const named = (name: string) => channels.find((c) => c.name === name);

describe('responses validate against the Slack Web API spec', () => {
  it('users.list: full list, a cursor page and an invalid cursor', async () => {
    const all = check('users.list', await chat.get('users.list'));
    expect(all.members).toHaveLength(chat.world.chatUsers.length);
    const page = check('users.list', await chat.form('users.list', { limit: 3, include_locale: true }));
    check('users.list', await chat.get('users.list', { limit: 3, cursor: page.response_metadata.next_cursor }));
    check('users.list', await chat.get('users.list', { cursor: 'bm9wZQ==' }));
  });

  it('users.info for every user (people, bot, deactivated) and user_not_found', async () => {
    for (const u of chat.world.chatUsers) check('users.info', await chat.get('users.info', { user: u.id }));
    check('users.info', await chat.get('users.info', { user: 'U000NOPE00' }));
  });

  it('users.lookupByEmail found and users_not_found', async () => {
    const withEmail = chat.world.chatUsers.find((u) => u.email && !u.deleted);
    check('users.lookupByEmail', await chat.get('users.lookupByEmail', { email: withEmail?.email ?? '' }));
    check('users.lookupByEmail', await chat.get('users.lookupByEmail', { email: 'nobody@nowhere.example' }));
  });

  it('conversations.list with every filter, and auth failures', async () => {
    check('conversations.list', await chat.get('conversations.list'));
    check('conversations.list', await chat.get('conversations.list', { exclude_archived: true, limit: 2 }));
    check('conversations.list', await chat.get('conversations.list', {}, null));
    check('conversations.list', await chat.get('conversations.list', {}, 'xoxb-wrong'));
  });

  it('conversations.info for every channel, with and without member counts, and channel_not_found', async () => {
    for (const c of channels) {
      check('conversations.info', await chat.get('conversations.info', { channel: c.id }));
      check('conversations.info', await chat.get('conversations.info', { channel: c.id, include_num_members: true }));
    }
    check('conversations.info', await chat.get('conversations.info', { channel: 'C000NOPE00' }));
  });

  it('conversations.history of every readable channel (all seeded messages) and its errors', async () => {
    for (const c of channels.filter((c) => c.is_member)) {
      const body = check('conversations.history', await chat.get('conversations.history', { channel: c.id, limit: 999 }));
      expect(body.messages.length).toBe(chat.world.size.messagesPerChannel);
      check('conversations.history', await chat.get('conversations.history', { channel: c.id, limit: 5 }));
    }
    check('conversations.history', await chat.get('conversations.history', { channel: 'C000NOPE00' }));
    check('conversations.history', await chat.get('conversations.history', { channel: named('general').id, latest: 'soon' }));
    check('conversations.history', await chat.get('conversations.history', { channel: named('general').id, oldest: 'never' }));
  });

  it('conversations.replies of every seeded thread and thread_not_found', async () => {
    let threads = 0;
    for (const c of channels.filter((c) => c.is_member)) {
      const state = chat.emulator.store.channel(c.id);
      for (const parentTs of state?.threads.keys() ?? []) {
        check('conversations.replies', await chat.get('conversations.replies', { channel: c.id, ts: parentTs }));
        threads++;
      }
    }
    expect(threads).toBeGreaterThan(0);
    check('conversations.replies', await chat.get('conversations.replies', { channel: named('general').id, ts: '1000000000.000000' }));
    check('conversations.replies', await chat.get('conversations.replies', { channel: 'C000NOPE00', ts: '1000000000.000000' }));
  });

  it('chat.postMessage with text, blocks and a thread reply, and each refusal in the spec', async () => {
    const sales = named('sales').id;
    const posted = check('chat.postMessage', await chat.form('chat.postMessage', { channel: sales, text: 'contract text' }));
    check(
      'chat.postMessage',
      await chat.json('chat.postMessage', {
        channel: '#sales',
        text: 'fallback',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Hi' } }],
      }),
    );
    check('chat.postMessage', await chat.form('chat.postMessage', { channel: sales, text: 'reply', thread_ts: posted.ts }));
    check('conversations.history', await chat.get('conversations.history', { channel: sales, limit: 3 }));
    check('chat.postMessage', await chat.form('chat.postMessage', { channel: 'C000NOPE00', text: 'x' }));
    check('chat.postMessage', await chat.form('chat.postMessage', { channel: named('random').id, text: 'x' }));
    check('chat.postMessage', await chat.form('chat.postMessage', { channel: named('support').id, text: 'x' }));
    check('chat.postMessage', await chat.form('chat.postMessage', { channel: sales }));
    check('chat.postMessage', await chat.form('chat.postMessage', { channel: sales, text: 'x'.repeat(40_001) }));
    check('chat.postMessage', await chat.form('chat.postMessage', { channel: sales, text: 'x' }, 'xoxb-wrong'));
  });

  it('auth.test and its auth failures', async () => {
    check('auth.test', await chat.form('auth.test'));
    check('auth.test', await chat.get('auth.test', {}, null));
    check('auth.test', await chat.get('auth.test', {}, 'xoxb-wrong'));
  });

  it('really constrains users, conversations and messages (the alternatives are applied)', async () => {
    const user = (await chat.get('users.info', { user: chat.world.chatUsers[0].id })).body.user;
    const info = validators.get('users.info')?.success;
    expect(info?.({ ok: true, user })).toBe(true);
    expect(info?.({ ok: true, user: { ...user, undocumented: 1 } })).toBe(false);
    expect(info?.({ ok: true, user: { ...user, profile: { ...user.profile, email: 'not an email' } } })).toBe(false);
    const conv = (await chat.get('conversations.info', { channel: named('general').id })).body.channel;
    const { is_mpim: _dropped, ...withoutMpim } = conv;
    expect(validators.get('conversations.info')?.success({ ok: true, channel: withoutMpim })).toBe(false);
    const history = validators.get('conversations.history')?.success;
    const page = (await chat.get('conversations.history', { channel: named('general').id, limit: 1 })).body;
    expect(history?.(page)).toBe(true);
    expect(history?.({ ...page, messages: [{ ...page.messages[0], ts: '17000.1' }] })).toBe(false);
    expect(validators.get('auth.test')?.error({ ok: false, error: 'not_a_slack_error' })).toBe(false);
  });

  it('covered every method in the spec with a success and an error', () => {
    for (const method of validators.keys()) {
      const tally = checked.get(method);
      expect(tally?.ok, `${method} successes`).toBeGreaterThan(0);
      expect(tally?.errors.size, `${method} errors`).toBeGreaterThan(0);
    }
  });
});

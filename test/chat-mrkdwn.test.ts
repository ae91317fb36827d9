/**
 * Message.textRendered: Slack's control sequences as its client shows them. A property test
 * renders generated texts (plain runs with Slack's escapes, member mentions and channel links
 * known and unknown to the directories, with and without labels, broadcasts, user groups,
 * dates, links) against a model built from the same parts; then through the gateway, a posted
 * message reads back rendered from the sandbox's directories.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMrkdwn } from '../src/systems/chat/mrkdwn.ts';
import { startStack, type Stack } from './support/stack.ts';

const USERS: Record<string, string> = { U0001: 'Ada Lovelace', U0002: 'grace & co', W0003: '<b>' };
const CHANNELS: Record<string, string> = { C0001: 'general', C0002: 'deals-won' };
const names = {
  user: async (id: string) => USERS[id] ?? null,
  channel: async (id: string) => CHANNELS[id] ?? null,
};

/** One piece of a message: what Slack sends, and what its client shows. */
type Part = { wire: string; shown: string };

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const plain = fc.string({ maxLength: 12 }).map((text): Part => ({ wire: escape(text), shown: text }));
const word = fc.string({ minLength: 1, maxLength: 8 }).filter((t) => !t.includes('|'));
const label = fc.option(word, { nil: undefined });
const userId = fc.constantFrom('U0001', 'U0002', 'W0003', 'U9999');
const channelId = fc.constantFrom('C0001', 'C0002', 'C9999');
const withLabel = (target: string, text: string | undefined) => `<${escape(target)}${text === undefined ? '' : `|${escape(text)}`}>`;

const part: fc.Arbitrary<Part> = fc.oneof(
  plain,
  fc.tuple(userId, label).map(([id, text]) => ({ wire: withLabel(`@${id}`, text), shown: `@${USERS[id] ?? text ?? id}` })),
  fc.tuple(channelId, label).map(([id, text]) => ({ wire: withLabel(`#${id}`, text), shown: `#${CHANNELS[id] ?? text ?? id}` })),
  fc.constantFrom('here', 'channel', 'everyone').map((broadcast) => ({ wire: `<!${broadcast}>`, shown: `@${broadcast}` })),
  word.map((team) => ({ wire: withLabel('!subteam^S1', `@${team}`), shown: `@${team}` })),
  fc.constant({ wire: '<!date^1392734382^{date_short}|Feb 18, 2014>', shown: 'Feb 18, 2014' }),
  fc.tuple(fc.webUrl(), label).map(([url, text]) => ({ wire: withLabel(url, text), shown: text ?? url })),
);

describe('renderMrkdwn', () => {
  it('property: any message of Slack parts renders as the parts shown, in order (seed 20261207)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(part, { maxLength: 8 }), async (parts) => {
        const rendered = await renderMrkdwn(parts.map((p) => p.wire).join(''), names);
        expect(rendered).toBe(parts.map((p) => p.shown).join(''));
      }),
      { seed: 20261207, numRuns: 500 },
    );
  });

  it("shows a directory's name as it is, without unescaping it (a name is not mrkdwn)", async () => {
    expect(await renderMrkdwn('to <@U0002> and <@W0003> &amp;lt;', names)).toBe('to @grace & co and @<b> &lt;');
  });
});

describe('Message.textRendered through the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 40 } });
  });
  afterAll(async () => stack?.close());

  it('renders a posted mention and channel link from the directories, for no call beyond a directory read, cached', async () => {
    const member = stack.sandbox.world.chatUsers.find((u) => !u.deleted && !u.isBot && u.displayName)!;
    const channels = await stack.query<{ channels: { nodes: { id: string; name: string }[] } }>(
      '{ channels(first: 100) { nodes { id name } } }',
    );
    const general = channels.data!.channels.nodes.find((c) => c.name === 'general')!;
    const text = `Hi <@${member.id}>, see <#${general.id}> &amp; <https://example.com/q?a=1&amp;b=2|the docs>`;
    const shown = `Hi @${member.displayName}, see #general & the docs`;
    const posted = await stack.query(`mutation($text: String!) { postMessage(input: { channel: "#general", text: $text }) { ts } }`, {
      text,
    });
    expect(posted.errors).toBeUndefined();
    const read = (fields: string) =>
      stack.query<{ channelMessages: { nodes: { text: string; textRendered?: string }[] } }>(
        `{ channelMessages(channel: "${general.id}", first: 1) { nodes { ${fields} } } }`,
      );
    expect((await read('text')).data!.channelMessages.nodes[0].text).toBe(text);
    stack.resetCounts();
    expect((await read('text textRendered')).data!.channelMessages.nodes[0].textRendered).toBe(shown);
    // Rendering read the member directory (one users.list page; the channels were read above), and nothing else.
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 1 });
    expect(stack.sandbox.server('chat').requests.entries.at(-1)!.route).toBe('GET /api/users.list');
    // Cached since: rendering again costs no call.
    stack.resetCounts();
    expect((await read('textRendered ts')).data!.channelMessages.nodes[0].textRendered).toBe(shown);
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });
});

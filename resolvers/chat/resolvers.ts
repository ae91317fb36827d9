/**
 * Resolvers for schemas/chat.graphql. They read only through `context.loaders.chat`; the
 * loaders own batching, caching and every upstream call.
 *
 * Paging: users and channels are served from the cached Slack directories (they are read
 * whole anyway, for links), ordered by id, so `totalCount` is exact and a warm page costs
 * no upstream call. Messages page with Slack's own `next_cursor`, one conversations.history
 * call per client page.
 */
import { decodeCursor, pageSize, toConnection, type Connection } from '../connection.ts';
import { DateTime } from '../scalars.ts';
import { renderMrkdwn, type ChatLoaders, type ChatMessage, type SlackConversation, type SlackUser } from '../../src/systems/chat/index.ts';
import { chatUserIdOfOwner } from '../../src/links/owner-chat-user.ts';
import { GatewayError, isGatewayError } from '../../src/errors.ts';
import type { MessageSubtype, Resolvers } from '../../src/generated/chat.ts';

/**
 * Cursor kinds, so a cursor from one list is refused by another instead of silently
 * paging from somewhere odd: `u:`/`c:` continue after a user/channel id, `m:` is Slack's
 * `next_cursor`, `t:` continues before a message's ts (an edge's own cursor).
 */
type CursorKind = 'u' | 'c' | 'm' | 't';

function readCursor(after: string | null | undefined, kinds: readonly CursorKind[]): { kind: CursorKind; value: string } | undefined {
  const token = decodeCursor(after);
  if (token === undefined) return undefined;
  const kind = token.slice(0, 1) as CursorKind;
  if (token.charAt(1) !== ':' || !kinds.includes(kind) || token.length < 3) {
    throw new GatewayError('BAD_USER_INPUT', 'after is not a cursor of this list', { fields: { after: 'cursor of another list' } });
  }
  return { kind, value: token.slice(2) };
}

/** Arguments are checked before `load` runs, so a bad `first` or `after` costs no upstream call. */
async function directoryConnection<T extends { id: string }>(
  load: () => Promise<readonly T[]>,
  kind: 'u' | 'c',
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<T>> {
  const size = pageSize(first);
  const cursor = readCursor(after, [kind]);
  const sorted = [...(await load())].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // "After id X" rather than "after position N": a record that left the list in between
  // does not make the next page skip or repeat anything.
  const start = cursor ? sorted.findIndex((record) => record.id > cursor.value) : 0;
  const from = start === -1 ? sorted.length : start;
  const nodes = sorted.slice(from, from + size);
  const more = from + size < sorted.length;
  return toConnection(nodes, {
    nextToken: more ? `${kind}:${nodes.at(-1)!.id}` : null,
    cursorOf: (node) => `${kind}:${node.id}`,
    totalCount: sorted.length,
  });
}

/** Slack ts ("1700000000.000100") as integer microseconds; exact, unlike a float. */
function tsToMicros(ts: string): bigint {
  const [seconds, fraction = ''] = ts.split('.');
  return BigInt(seconds) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

function microsToTs(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  return `${seconds}.${String(micros - seconds * 1_000_000n).padStart(6, '0')}`;
}

function dateToTs(date: Date | null | undefined): string | undefined {
  if (!date) return undefined;
  if (date.getTime() < 0)
    throw new GatewayError('BAD_USER_INPUT', 'dates before 1970 are not valid message bounds', { fields: { oldest: 'before 1970' } });
  return microsToTs(BigInt(date.getTime()) * 1000n);
}

interface MessageArgs {
  first?: number | null;
  after?: string | null;
  oldest?: Date | null;
  latest?: Date | null;
}

async function messageConnection(loaders: ChatLoaders, channel: string, args: MessageArgs): Promise<Connection<ChatMessage>> {
  const limit = pageSize(args.first);
  const cursor = readCursor(args.after, ['m', 't']);
  let latest = dateToTs(args.latest);
  const oldest = dateToTs(args.oldest);
  if (cursor?.kind === 't') {
    if (!/^\d+(\.\d+)?$/.test(cursor.value))
      throw new GatewayError('BAD_USER_INPUT', 'after is not a cursor this API issued', { fields: { after: 'unknown cursor' } });
    // Bounds are inclusive (see the connector), so "before this message" is one microsecond earlier.
    const before = tsToMicros(cursor.value) - 1n;
    if (latest === undefined || tsToMicros(latest) > before) latest = microsToTs(before);
  }
  const page = await loaders.history({ channel, limit, cursor: cursor?.kind === 'm' ? cursor.value : undefined, oldest, latest });
  return toConnection(page.messages, {
    nextToken: page.hasMore && page.nextCursor ? `m:${page.nextCursor}` : null,
    cursorOf: (message) => `t:${message.ts}`,
    totalCount: null,
  });
}

const SUBTYPES: ReadonlySet<string> = new Set<MessageSubtype>([
  'BOT_MESSAGE',
  'ME_MESSAGE',
  'THREAD_BROADCAST',
  'MESSAGE_CHANGED',
  'MESSAGE_DELETED',
  'MESSAGE_REPLIED',
  'CHANNEL_JOIN',
  'CHANNEL_LEAVE',
  'CHANNEL_TOPIC',
  'CHANNEL_PURPOSE',
  'CHANNEL_NAME',
  'CHANNEL_ARCHIVE',
  'CHANNEL_UNARCHIVE',
  'FILE_SHARE',
  'PINNED_ITEM',
  'UNPINNED_ITEM',
]);

/** Slack's subtype word as our enum; a word Slack added after this API was written is OTHER. */
export function messageSubtype(raw: string | undefined): MessageSubtype | null {
  if (raw === undefined || raw === '') return null;
  const upper = raw.toUpperCase();
  return SUBTYPES.has(upper) ? (upper as MessageSubtype) : 'OTHER';
}

/**
 * A merge entry point's list with a failed key's Error in its slot: graphql-js reports it
 * at that item's path. GatewayErrors become GraphQLErrors here so their `extensions`
 * (code, service) survive delegation.
 */
function withItemErrors<T>(results: readonly (T | Error)[]): T[] {
  return results.map((result) => (isGatewayError(result) ? result.toGraphQLError() : result)) as T[];
}

const blankToNull = (value: string | null | undefined) => (value ? value : null);

function notFound(what: string, id: string): GatewayError {
  return new GatewayError('NOT_FOUND', `Slack has no ${what} with ID ${JSON.stringify(id)}`, { service: 'chat' });
}

/** The name Slack's client shows for a member: display name, else real name, else the handle. */
function shownName(user: SlackUser): string {
  return blankToNull(user.profile.display_name) ?? blankToNull(user.real_name) ?? blankToNull(user.profile.real_name) ?? user.name;
}

async function userById(loaders: ChatLoaders, id: string | null | undefined): Promise<SlackUser | null> {
  return id ? loaders.user.load(id) : null;
}

export const chatResolvers: Resolvers = {
  DateTime,

  Query: {
    async chatUser(_parent, { id }, { loaders }) {
      const user = await loaders.chat.user.load(id);
      if (!user) throw notFound('user', id);
      return user;
    },

    async chatUserByEmail(_parent, { email }, { loaders }) {
      if (!email.trim()) throw new GatewayError('BAD_USER_INPUT', 'email must not be empty', { fields: { email: 'empty' } });
      return userById(loaders.chat, await loaders.chat.userIdByEmail.load(email));
    },

    chatUsers(_parent, { first, after, includeDeleted, includeBots }, { loaders }) {
      const load = async () =>
        (await loaders.chat.users()).filter((user) => (includeDeleted || !user.deleted) && (includeBots !== false || !user.is_bot));
      return directoryConnection(load, 'u', first, after);
    },

    async channel(_parent, { id }, { loaders }) {
      const channel = await loaders.chat.channel.load(id);
      if (!channel) throw notFound('channel', id);
      return channel;
    },

    async channelByName(_parent, { name }, { loaders }) {
      const id = await loaders.chat.channelIdByName.load(name);
      return id ? loaders.chat.channel.load(id) : null;
    },

    channels(_parent, { first, after, includeArchived }, { loaders }) {
      const load = async () => (await loaders.chat.channels()).filter((channel) => includeArchived || !channel.is_archived);
      return directoryConnection<SlackConversation>(load, 'c', first, after);
    },

    channelMessages(_parent, { channel, first, after }, { loaders }) {
      return messageConnection(loaders.chat, channel, { first, after });
    },

    // Merge entry points: same length and order as the keys; a failed key is an Error in
    // its slot, which GraphQL reports at that item's path.
    _chatUsersByIds: async (_parent, { ids }, { loaders }) => withItemErrors(await loaders.chat.user.loadMany(ids)),
    _channelsByIds: async (_parent, { ids }, { loaders }) => withItemErrors(await loaders.chat.channel.loadMany(ids)),
    _chatOwners: (_parent, { keys }) => keys.map((key) => ({ id: key.id, email: key.email ?? null })),
  },

  ChatUser: {
    id: (user) => user.id,
    name: (user) => user.name,
    displayName: (user) => blankToNull(user.profile.display_name),
    realName: (user) => blankToNull(user.real_name) ?? blankToNull(user.profile.real_name),
    email: (user) => blankToNull(user.profile.email),
    title: (user) => blankToNull(user.profile.title),
    timeZone: (user) => blankToNull(user.tz),
    isBot: (user) => user.is_bot,
    deleted: (user) => user.deleted,
    avatarUrl: (user) => blankToNull(user.profile.image_192) ?? blankToNull(user.profile.image_72) ?? blankToNull(user.profile.image_48),
    mention: (user) => `<@${user.id}>`,
  },

  Channel: {
    id: (channel) => channel.id,
    name: (channel) => blankToNull(channel.name),
    topic: (channel) => blankToNull(channel.topic?.value),
    purpose: (channel) => blankToNull(channel.purpose?.value),
    isPrivate: (channel) => channel.is_private,
    isArchived: (channel) => channel.is_archived,
    isMember: (channel) => channel.is_member ?? null,
    memberCount: (channel) => channel.num_members ?? null,
    createdAt: (channel) => new Date(channel.created * 1000),
    messages: (channel, args, { loaders }) => messageConnection(loaders.chat, channel.id, args),
  },

  Message: {
    id: (message) => message.ts,
    ts: (message) => message.ts,
    // A message's channel is known to exist (we just read it), but the bot may not see it
    // in conversations.list (a DM); a missing channel is null, not an error.
    channel: (message, _args, { loaders }) => loaders.chat.channel.load(message.channel),
    text: (message) => message.text,
    textRendered: (message, _args, { loaders }) =>
      renderMrkdwn(message.text, {
        user: async (id) => {
          const user = await userById(loaders.chat, id);
          return user && shownName(user);
        },
        channel: async (id) => blankToNull((await loaders.chat.channel.load(id))?.name),
      }),
    user: (message, _args, { loaders }) => userById(loaders.chat, message.user),
    threadTs: (message) => message.thread_ts ?? null,
    replyCount: (message) => message.reply_count ?? 0,
    postedAt: (message) => new Date(Number(tsToMicros(message.ts) / 1000n)),
    subtype: (message) => messageSubtype(message.subtype),
    subtypeRaw: (message) => blankToNull(message.subtype),
    permalink: (message) => message.permalink ?? null,
  },

  Owner: {
    id: (owner) => owner.id,
    email: (owner) => owner.email ?? null,
    async chatUser(owner, _args, { loaders }) {
      if (!owner.email) return null;
      return userById(loaders.chat, await chatUserIdOfOwner(loaders, owner));
    },
  },
};

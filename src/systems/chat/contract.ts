/**
 * What the chat connector relies on of Slack's Web API, as data (see src/contracts/): the
 * methods it calls, the parameters it sends, the response fields it reads (listed from the
 * validators in schemas.ts and client.ts) and the public fields they feed. `npm run
 * vendor:check` holds it against Slack's published OpenAPI (Swagger 2.0) document.
 */
import type { RouteContract, SystemContract } from '../../contracts/types.ts';
import { postMessageResponseSchema } from './client.ts';
import {
  conversationResponseSchema,
  conversationsListResponseSchema,
  historyResponseSchema,
  userResponseSchema,
  usersListResponseSchema,
} from './schemas.ts';

type Reads = Record<string, readonly string[]>;

/** Slack's document models the token as a `token` parameter; the connector sends it as `Authorization: Bearer`. */
const TOKEN = 'token';

const USER: Reads = {
  id: ['ChatUser.id', 'ChatUser.mention'],
  name: ['ChatUser.name'],
  real_name: ['ChatUser.realName'],
  deleted: ['ChatUser.deleted', 'Query.chatUsers'],
  is_bot: ['ChatUser.isBot', 'Query.chatUsers'],
  tz: ['ChatUser.timeZone'],
  profile: [],
  'profile.email': ['ChatUser.email', 'Owner.chatUser', 'Query.chatUserByEmail'],
  'profile.display_name': ['ChatUser.displayName'],
  'profile.real_name': ['ChatUser.realName'],
  'profile.title': ['ChatUser.title'],
  'profile.image_48': ['ChatUser.avatarUrl'],
  'profile.image_72': ['ChatUser.avatarUrl'],
  'profile.image_192': ['ChatUser.avatarUrl'],
};

const CHANNEL: Reads = {
  id: ['Channel.id'],
  name: ['Channel.name', 'Query.channelByName'],
  is_private: ['Channel.isPrivate'],
  is_archived: ['Channel.isArchived', 'Query.channels'],
  is_member: ['Channel.isMember'],
  created: ['Channel.createdAt'],
  topic: ['Channel.topic'],
  'topic.value': ['Channel.topic'],
  purpose: ['Channel.purpose'],
  'purpose.value': ['Channel.purpose'],
  num_members: ['Channel.memberCount'],
};

const MESSAGE: Reads = {
  ts: ['Message.id', 'Message.ts', 'Message.postedAt', 'MessageEdge.cursor'],
  text: ['Message.text'],
  user: ['Message.user'],
  subtype: ['Message.subtype', 'Message.subtypeRaw'],
  thread_ts: ['Message.threadTs'],
  reply_count: ['Message.replyCount'],
  permalink: ['Message.permalink'],
};

function under(prefix: string, reads: Reads): Reads {
  return Object.fromEntries(Object.entries(reads).map(([path, fields]) => [`${prefix}.${path}`, fields]));
}

/** Slack's `response_metadata.next_cursor` pages every cursor-paged method since 2017; the 2020 document leaves it out of some. */
const CURSOR_PAGED = 'Slack pages this method by cursor; its 2020 document does not list the field';

const methods: RouteContract[] = [
  {
    route: 'GET /users.list',
    calls: 'listUsers (the cached directory)',
    params: [TOKEN, 'limit', 'cursor'],
    response: usersListResponseSchema,
    graphql: ['Query.chatUsers', 'Query.chatUserByEmail', 'Owner.chatUser', 'Message.user', 'Query.chatUser'],
    reads: { members: [], 'response_metadata.next_cursor': [], ...under('members[]', USER) },
  },
  {
    route: 'GET /users.info',
    calls: 'getUser',
    params: [TOKEN, 'user'],
    response: userResponseSchema,
    graphql: ['Query.chatUser', 'Message.user'],
    reads: { user: [], ...under('user', USER) },
  },
  {
    route: 'GET /users.lookupByEmail',
    calls: 'lookupUserByEmail',
    params: [TOKEN, 'email'],
    response: userResponseSchema,
    graphql: ['Query.chatUserByEmail', 'Owner.chatUser'],
    reads: { user: [], ...under('user', USER) },
  },
  {
    route: 'GET /conversations.list',
    calls: 'listConversations (the cached directory)',
    params: [TOKEN, 'types', 'exclude_archived', 'limit', 'cursor'],
    response: conversationsListResponseSchema,
    graphql: ['Query.channels', 'Query.channelByName', 'Message.channel'],
    reads: { channels: [], 'response_metadata.next_cursor': [], ...under('channels[]', CHANNEL) },
  },
  {
    route: 'GET /conversations.info',
    calls: 'getConversation',
    params: [TOKEN, 'channel', 'include_num_members'],
    response: conversationResponseSchema,
    graphql: ['Query.channel', 'Message.channel'],
    reads: { channel: [], ...under('channel', CHANNEL) },
  },
  {
    route: 'GET /conversations.history',
    calls: 'history',
    params: [TOKEN, 'channel', 'limit', 'cursor', 'oldest', 'latest', 'inclusive'],
    response: historyResponseSchema,
    graphql: ['Query.channelMessages', 'Channel.messages'],
    reads: {
      messages: [],
      has_more: ['MessageConnection.pageInfo'],
      'response_metadata.next_cursor': ['MessageConnection.pageInfo'],
      ...under('messages[]', MESSAGE),
    },
    undocumented: { response_metadata: CURSOR_PAGED },
  },
  {
    route: 'POST /chat.postMessage',
    calls: 'postMessage',
    params: [TOKEN, 'channel', 'text', 'blocks', 'thread_ts'],
    response: postMessageResponseSchema,
    graphql: ['Mutation.postMessage'],
    reads: { channel: ['Message.channel'], ts: ['Message.id', 'Message.ts'], message: [], ...under('message', MESSAGE) },
  },
];

export const chatContract: SystemContract = {
  system: 'chat',
  vendor: 'Slack',
  apiVersion: `Web API methods ${methods.map((method) => method.route.split(' /')[1]).join(', ')}`,
  document: 'slack',
  routes: methods,
};

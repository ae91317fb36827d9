/**
 * `conversations.list`, `conversations.info`, `conversations.history`, `conversations.replies`.
 * The token is a bot's: it sees every public channel but only the private ones it is in, and
 * reads messages only where it is a member (`not_in_channel` elsewhere), as at Slack.
 */
import type { Router } from '../http.ts';
import { type ChatDeps, registerMethod, type SlackMethod } from './method.ts';
import { historyPage, repliesPage, type Window } from './pages.ts';
import type { ChannelState } from './seed.ts';
import type { ChatStore } from './store.ts';
import { parseTs } from './ts.ts';
import type { SlackConversation } from './types.ts';
import { decodeCursor, encodeCursor, fail, ok, type SlackArgs } from './wire.ts';

const LIST_DEFAULT_LIMIT = 100;
const LIST_MAX_LIMIT = 1000;
const HISTORY_DEFAULT_LIMIT = 100;
const HISTORY_MAX_LIMIT = 999;
const REPLIES_DEFAULT_LIMIT = 1000;
const REPLIES_MAX_LIMIT = 1000;
const CONVERSATION_TYPES = new Set(['public_channel', 'private_channel', 'mpim', 'im']);

function visible(store: ChatStore, channel: ChannelState | undefined): channel is ChannelState {
  return channel !== undefined && (!channel.conversation.is_private || store.botIsMember(channel));
}

function clampLimit(args: SlackArgs, fallback: number, max: number): number {
  const n = args.int('limit', fallback);
  return n <= 0 ? fallback : Math.min(n, max);
}

/** `oldest`/`latest`/`inclusive`, or the error Slack names for an unreadable bound. */
function readWindow(args: SlackArgs): Window | string {
  const latestArg = args.string('latest');
  const oldestArg = args.string('oldest');
  const latest = latestArg === undefined || latestArg === '' ? Number.MAX_SAFE_INTEGER : parseTs(latestArg);
  if (latest === null) return 'invalid_ts_latest';
  const oldest = oldestArg === undefined || oldestArg === '' ? 0 : parseTs(oldestArg);
  if (oldest === null) return 'invalid_ts_oldest';
  return { latest, oldest, inclusive: args.bool('inclusive') };
}

/** Reads a `next_ts` cursor: null without one, undefined when it is not ours. */
function readCursor(args: SlackArgs): number | null | undefined {
  const position = decodeCursor(args.string('cursor'), 'next_ts');
  if (position === null) return null;
  if (position === false) return undefined;
  return parseTs(position) ?? undefined;
}

export function registerConversationRoutes(router: Router, deps: ChatDeps): void {
  registerMethod(router, deps, 'conversations.list', listConversations);

  registerMethod(router, deps, 'conversations.info', ({ args, store }) => {
    const channel = store.channel(args.string('channel') ?? '');
    if (!visible(store, channel)) return fail('channel_not_found', args);
    const { num_members: numMembers, ...rest } = channel.conversation;
    // Slack counts members only when asked to.
    return ok({ channel: args.bool('include_num_members') ? { ...rest, num_members: numMembers } : rest }, args);
  });

  registerMethod(router, deps, 'conversations.history', ({ args, store }) => {
    const channel = store.channel(args.string('channel') ?? '');
    if (!visible(store, channel)) return fail('channel_not_found', args);
    if (!store.botIsMember(channel)) return fail('not_in_channel', args);
    const window = readWindow(args);
    if (typeof window === 'string') return fail(window, args);
    const from = readCursor(args);
    if (from === undefined) return fail('invalid_cursor', args);
    const cap = deps.limiter.pageLimit('conversations.history');
    const limit = clampLimit(args, cap ?? HISTORY_DEFAULT_LIMIT, cap ?? HISTORY_MAX_LIMIT);
    const page = historyPage(channel.timeline, window, limit, from);
    return ok(
      {
        messages: page.messages,
        has_more: page.next !== null,
        pin_count: 0,
        channel_actions_ts: null,
        channel_actions_count: 0,
        response_metadata: { next_cursor: page.next === null ? '' : encodeCursor('next_ts', page.next) },
      },
      args,
    );
  });

  registerMethod(router, deps, 'conversations.replies', ({ args, store }) => {
    const channel = store.channel(args.string('channel') ?? '');
    if (!visible(store, channel)) return fail('channel_not_found', args);
    if (!store.botIsMember(channel)) return fail('not_in_channel', args);
    let parent = channel.byTs.get(args.string('ts') ?? '');
    if (parent?.thread_ts && parent.thread_ts !== parent.ts) parent = channel.byTs.get(parent.thread_ts);
    if (!parent) return fail('thread_not_found', args);
    const window = readWindow(args);
    if (typeof window === 'string') return fail(window, args);
    const from = readCursor(args);
    if (from === undefined) return fail('invalid_cursor', args);
    const thread = [parent, ...(channel.threads.get(parent.ts) ?? [])];
    const cap = deps.limiter.pageLimit('conversations.replies');
    const page = repliesPage(thread, window, clampLimit(args, cap ?? REPLIES_DEFAULT_LIMIT, cap ?? REPLIES_MAX_LIMIT), from);
    return ok(
      {
        messages: page.messages,
        has_more: page.next !== null,
        response_metadata: { next_cursor: page.next === null ? '' : encodeCursor('next_ts', page.next) },
      },
      args,
    );
  });
}

/** `conversations.list`: the visible channels of the requested types, from the cursor's channel on. */
const listConversations: SlackMethod = ({ args, store }) => {
  const types = new Set(
    (args.string('types') || 'public_channel')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  );
  for (const t of types) if (!CONVERSATION_TYPES.has(t)) return fail('invalid_types', args);
  const excludeArchived = args.bool('exclude_archived');
  const limit = clampLimit(args, LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT);
  const from = decodeCursor(args.string('cursor'), 'team');
  if (from === false) return fail('invalid_cursor', args);
  const start = from === null ? 0 : store.channelPosition(from);
  if (start === undefined) return fail('invalid_cursor', args);
  const matches = (c: ChannelState) =>
    visible(store, c) &&
    (c.conversation.is_private ? types.has('private_channel') : types.has('public_channel')) &&
    !(excludeArchived && c.conversation.is_archived);
  const channels: SlackConversation[] = [];
  let next = '';
  // Linear in the channels passed over; the cursor names the next match, so the last page
  // is never an empty one.
  for (let i = start; i < store.channels.length; i++) {
    const c = store.channels[i];
    if (!matches(c)) continue;
    if (channels.length === limit) {
      next = encodeCursor('team', c.conversation.id);
      break;
    }
    channels.push(c.conversation);
  }
  return ok({ channels, response_metadata: { next_cursor: next } }, args);
};

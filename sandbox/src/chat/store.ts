/**
 * The workspace's state and the single write path. API writes (`chat.postMessage`) and admin
 * edits (`POST /__sandbox/edit`) both call the mutators here, and every mutator ends in
 * `record()`, which appends to the change log and emits one `ChatChange` on `events` — so a
 * webhook deliverer sees UI edits and API writes alike, in order.
 *
 * Indexes (id → position, lower-cased email → id, name → channel id) keep every lookup O(1)
 * and every page O(page size + log n); nothing scans more than one channel's timeline.
 */
import type { EventEmitter } from 'node:events';
import { Prng } from '../prng.ts';
import type { World } from '../world.ts';
import { botProfile, type ChannelState, createChatSeed, threadParent, type Workspace } from './seed.ts';
import { type ChannelPatch, checkChannelName, EditError, type PostInput, type PostResult } from './edits.ts';
import { timelineIndex } from './pages.ts';
import { TsClock } from './ts.ts';
import { applyUserPatch, newUser, type UserPatch } from './users.ts';
import {
  CHAT_CHANGE_EVENT,
  type ChatChange,
  type ChatEventType,
  type SlackBlock,
  type SlackConversation,
  type SlackMessage,
  type SlackUser,
} from './types.ts';
import { slackEventId, slackEventIdPrefix } from '../webhooks/event-ids.ts';

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANGE_LOG_SIZE = 10_000;

/** The element at a looked-up position, if the lookup found one. */
const at = <T>(list: readonly T[], position: number | undefined): T | undefined => (position === undefined ? undefined : list[position]);

export class ChatStore {
  workspace!: Workspace;
  users: SlackUser[] = [];
  channels: ChannelState[] = [];
  readonly changes: ChatChange[] = [];
  private userPos = new Map<string, number>();
  private emailIndex = new Map<string, string>();
  private channelPos = new Map<string, number>();
  private nameIndex = new Map<string, string>();
  private clock!: TsClock;
  /** Ids of records created at run time; reseeded with the data so a reset replays identically. */
  private ids!: Prng;
  private eventSeq = 0;
  private eventIdPrefix = slackEventIdPrefix();

  constructor(
    private readonly world: World,
    private readonly events: EventEmitter,
  ) {
    this.load();
  }

  /** Restores the seeded workspace; listeners on `events` stay attached. */
  load(): void {
    const seed = createChatSeed(this.world);
    this.workspace = seed.workspace;
    this.users = seed.users;
    this.channels = seed.channels;
    this.userPos = new Map(this.users.map((u, i) => [u.id, i]));
    this.emailIndex = new Map();
    for (const u of this.users) this.indexEmail(u);
    this.channelPos = new Map(this.channels.map((c, i) => [c.conversation.id, i]));
    this.nameIndex = new Map(this.channels.map((c) => [c.conversation.name, c.conversation.id]));
    this.clock = new TsClock(seed.maxTsMicros);
    this.ids = this.world.prng.fork('chat-runtime');
    this.eventSeq = 0;
    this.eventIdPrefix = slackEventIdPrefix();
    this.changes.length = 0;
  }

  // ---- reads -------------------------------------------------------------------------

  user(id: string): SlackUser | undefined {
    return at(this.users, this.userPos.get(id));
  }

  userPosition(id: string): number | undefined {
    return this.userPos.get(id);
  }

  /** Slack matches emails case-insensitively and never returns deleted users by email. */
  userByEmail(email: string): SlackUser | undefined {
    const id = this.emailIndex.get(email.trim().toLowerCase());
    const user = id === undefined ? undefined : this.user(id);
    return user && !user.deleted ? user : undefined;
  }

  channel(id: string): ChannelState | undefined {
    return at(this.channels, this.channelPos.get(id));
  }

  channelPosition(id: string): number | undefined {
    return this.channelPos.get(id);
  }

  /** `chat.postMessage` accepts an id, `#name` or a bare name. */
  resolveChannel(ref: string): ChannelState | undefined {
    const byId = this.channel(ref);
    if (byId) return byId;
    const name = ref.startsWith('#') ? ref.slice(1) : ref;
    const id = this.nameIndex.get(name.toLowerCase());
    return id === undefined ? undefined : this.channel(id);
  }

  /** Whether the sandbox token's bot may read and post in the channel. */
  botIsMember(channel: ChannelState): boolean {
    return channel.members.has(this.workspace.botUserId);
  }

  // ---- writes: messages --------------------------------------------------------------

  /** Posts a message; checks only what is about the channel/thread, not the call's arguments. */
  postMessage(input: PostInput): PostResult {
    const { channel } = input;
    if (channel.conversation.is_archived) return { error: 'is_archived' };
    const author = input.user?.id ?? this.workspace.botUserId;
    if (!channel.members.has(author)) {
      if (!input.user) return { error: 'not_in_channel' };
      this.join(channel, input.user.id);
    }
    let parent: SlackMessage | undefined;
    if (input.threadTs !== undefined) {
      parent = channel.byTs.get(input.threadTs);
      // A reply to a reply lands in the same thread, as in the Slack app.
      if (parent?.thread_ts && parent.thread_ts !== parent.ts) parent = channel.byTs.get(parent.thread_ts);
      if (!parent) return { error: 'thread_not_found' };
    }
    const ts = this.clock.next();
    const ws = this.workspace;
    const message: SlackMessage = input.user
      ? { type: 'message', text: input.text, user: input.user.id, ts, team: ws.teamId, client_msg_id: this.uuid() }
      : {
          type: 'message',
          text: input.text,
          user: ws.botUserId,
          bot_id: ws.botId,
          ts,
          team: ws.teamId,
          bot_profile: botProfile(ws, Math.floor(Date.now() / 1000)),
        };
    if (input.blocks) message.blocks = input.blocks;
    if (parent) {
      message.thread_ts = parent.ts;
      message.parent_user_id = parent.user;
      if (input.replyBroadcast) message.subtype = 'thread_broadcast';
    }

    channel.byTs.set(ts, message);
    if (parent) {
      const replies = channel.threads.get(parent.ts) ?? [];
      replies.push(message);
      channel.threads.set(parent.ts, replies);
      this.replaceMessage(channel, threadParent(parent, replies));
      if (input.replyBroadcast) channel.timeline.push(message);
    } else {
      // The clock only grows, so appending keeps the timeline sorted.
      channel.timeline.push(message);
    }
    this.record('message', this.messageEvent(channel, message), message, null, channel.conversation.id);
    return { message, channel };
  }

  editMessage(channel: ChannelState, ts: string, set: { text?: string; blocks?: SlackBlock[] }, editor?: SlackUser): SlackMessage {
    const before = channel.byTs.get(ts);
    if (!before) throw new EditError(404, `no message ${ts} in ${channel.conversation.id}`);
    const eventTs = this.clock.next();
    const after: SlackMessage = { ...before, ...set, edited: { user: editor?.id ?? before.user ?? this.workspace.botUserId, ts: eventTs } };
    this.replaceMessage(channel, after);
    const changed = { message: after, previous_message: before, ts: eventTs, event_ts: eventTs };
    this.recordHidden(channel, 'message_changed', changed, after, before);
    return after;
  }

  /** Deleting a thread parent takes its replies with it (no tombstone is modelled). */
  deleteMessage(channel: ChannelState, ts: string): SlackMessage {
    const before = channel.byTs.get(ts);
    if (!before) throw new EditError(404, `no message ${ts} in ${channel.conversation.id}`);
    channel.byTs.delete(ts);
    const at = timelineIndex(channel.timeline, ts);
    if (at >= 0) channel.timeline.splice(at, 1);
    if (before.thread_ts === before.ts) {
      for (const r of channel.threads.get(ts) ?? []) channel.byTs.delete(r.ts);
      channel.threads.delete(ts);
    } else if (before.thread_ts) {
      const replies = (channel.threads.get(before.thread_ts) ?? []).filter((r) => r.ts !== ts);
      channel.threads.set(before.thread_ts, replies);
      const parent = channel.byTs.get(before.thread_ts);
      if (parent) this.replaceMessage(channel, threadParent(parent, replies));
    }
    const eventTs = this.clock.next();
    const deleted = { ts: eventTs, deleted_ts: ts, event_ts: eventTs, previous_message: before };
    this.recordHidden(channel, 'message_deleted', deleted, null, before);
    return before;
  }

  // ---- writes: users -----------------------------------------------------------------

  updateUser(id: string, patch: UserPatch): SlackUser {
    const before = this.user(id);
    if (!before) throw new EditError(404, `no user ${id}`);
    const after = applyUserPatch(before, patch);
    this.users[this.userPos.get(id) as number] = after;
    if (before.profile.email) this.emailIndex.delete(before.profile.email.toLowerCase());
    this.indexEmail(after);
    this.record('user_change', { type: 'user_change', user: after, cache_ts: after.updated, event_ts: this.clock.next() }, after, before);
    return after;
  }

  /** A new member signs up: `team_join`, and they land in `#general` as everyone does. */
  createUser(name: string, patch: UserPatch): SlackUser {
    if (this.users.some((u) => u.name === name)) throw new EditError(409, `user name '${name}' is taken`);
    const id = `U${this.ids.id(10, ID_ALPHABET)}`;
    const hash = `g${this.ids.id(11, '0123456789abcdef')}`;
    const realName = patch.real_name ?? name;
    const tz = patch.tz ?? 'Europe/Berlin';
    const base = newUser({ id, hash, color: this.ids.id(6, '0123456789abcdef'), teamId: this.workspace.teamId, name, realName, tz });
    const user = applyUserPatch(base, patch);
    this.userPos.set(id, this.users.length);
    this.users.push(user);
    this.indexEmail(user);
    this.record('team_join', { type: 'team_join', user, cache_ts: user.updated, event_ts: this.clock.next() }, user, null);
    const general = this.channels.find((c) => c.conversation.is_general);
    if (general) this.join(general, id);
    return user;
  }

  private indexEmail(user: SlackUser): void {
    if (user.profile.email) this.emailIndex.set(user.profile.email.toLowerCase(), user.id);
  }

  // ---- writes: channels --------------------------------------------------------------

  createChannel(name: string, options: { isPrivate?: boolean; creator?: SlackUser; members?: string[] }): ChannelState {
    const normalized = checkChannelName(name);
    if (this.nameIndex.has(normalized)) throw new EditError(409, `name_taken: #${normalized}`);
    const creator = options.creator?.id ?? this.users.find((u) => u.is_primary_owner)?.id ?? this.workspace.botUserId;
    const isPrivate = options.isPrivate === true;
    const members = new Set([creator, ...(options.members ?? [])]);
    const created = Math.floor(Date.now() / 1000);
    const conversation: SlackConversation = {
      id: `C${this.ids.id(10, ID_ALPHABET)}`,
      name: normalized,
      is_channel: true,
      is_group: false,
      is_im: false,
      is_mpim: false,
      is_private: isPrivate,
      created,
      is_archived: false,
      is_general: false,
      unlinked: 0,
      name_normalized: normalized,
      is_shared: false,
      is_org_shared: false,
      is_pending_ext_shared: false,
      pending_shared: [],
      parent_conversation: null,
      creator,
      is_ext_shared: false,
      shared_team_ids: [this.workspace.teamId],
      pending_connected_team_ids: [],
      is_member: members.has(this.workspace.botUserId),
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      previous_names: [],
      num_members: members.size,
    };
    const state: ChannelState = { conversation, members, timeline: [], threads: new Map(), byTs: new Map() };
    this.channelPos.set(conversation.id, this.channels.length);
    this.channels.push(state);
    this.nameIndex.set(normalized, conversation.id);
    this.record(
      'channel_created',
      {
        type: 'channel_created',
        channel: { id: conversation.id, name: normalized, created, creator, is_channel: true, is_private: isPrivate },
        event_ts: this.clock.next(),
      },
      conversation,
      null,
      conversation.id,
    );
    return state;
  }

  /** Applies each field as its own UI action, each with the event Slack sends for it. */
  updateChannel(channel: ChannelState, patch: ChannelPatch, actor?: SlackUser): SlackConversation {
    const who = actor?.id ?? channel.conversation.creator;
    if (patch.name !== undefined && patch.name !== channel.conversation.name) {
      const name = checkChannelName(patch.name);
      if (this.nameIndex.has(name)) throw new EditError(409, `name_taken: #${name}`);
      const before = channel.conversation;
      this.nameIndex.delete(before.name);
      this.nameIndex.set(name, before.id);
      const after = { ...before, name, name_normalized: name, previous_names: [before.name, ...before.previous_names] };
      channel.conversation = after;
      this.record(
        'channel_rename',
        { type: 'channel_rename', channel: { id: after.id, name, created: after.created }, event_ts: this.clock.next() },
        after,
        before,
        after.id,
      );
    }
    for (const field of ['topic', 'purpose'] as const) {
      const value = patch[field];
      if (value === undefined) continue;
      const before = channel.conversation;
      const after = { ...before, [field]: { value, creator: who, last_set: Math.floor(Date.now() / 1000) } };
      channel.conversation = after;
      // Slack announces topic and purpose changes as a message in the channel.
      const ts = this.clock.next();
      const message: SlackMessage = {
        type: 'message',
        subtype: `channel_${field}`,
        user: who,
        text: `set the channel ${field}: ${value}`,
        [field]: value,
        ts,
      };
      channel.byTs.set(ts, message);
      channel.timeline.push(message);
      this.record('message', this.messageEvent(channel, message), after, before, after.id);
    }
    if (patch.is_archived !== undefined && patch.is_archived !== channel.conversation.is_archived) {
      if (channel.conversation.is_general) throw new EditError(400, 'cant_archive_general');
      const before = channel.conversation;
      const after = { ...before, is_archived: patch.is_archived };
      channel.conversation = after;
      const type: ChatEventType = patch.is_archived ? 'channel_archive' : 'channel_unarchive';
      this.record(type, { type, channel: after.id, user: who, event_ts: this.clock.next() }, after, before, after.id);
    }
    return channel.conversation;
  }

  private join(channel: ChannelState, userId: string): void {
    if (channel.members.has(userId)) return;
    const before = channel.conversation;
    channel.members.add(userId);
    const after = { ...before, num_members: channel.members.size, is_member: channel.members.has(this.workspace.botUserId) };
    channel.conversation = after;
    this.record(
      'member_joined_channel',
      {
        type: 'member_joined_channel',
        user: userId,
        channel: after.id,
        channel_type: after.is_private ? 'G' : 'C',
        team: this.workspace.teamId,
        event_ts: this.clock.next(),
      },
      after,
      before,
      after.id,
    );
  }

  // ---- internals ---------------------------------------------------------------------

  private replaceMessage(channel: ChannelState, message: SlackMessage): void {
    channel.byTs.set(message.ts, message);
    const at = timelineIndex(channel.timeline, message.ts);
    if (at >= 0) channel.timeline[at] = message;
    if (message.thread_ts && message.thread_ts !== message.ts) {
      const replies = channel.threads.get(message.thread_ts);
      const i = replies?.findIndex((r) => r.ts === message.ts) ?? -1;
      if (replies && i >= 0) replies[i] = message;
    }
  }

  private messageEvent(channel: ChannelState, message: SlackMessage): ChatChange['event'] {
    return { ...message, channel: channel.conversation.id, event_ts: message.ts, channel_type: channelType(channel) };
  }

  /** A hidden `message` event (an edit or a delete); the subtype's own fields go between `channel` and `channel_type`, as Slack orders them. */
  private recordHidden(
    channel: ChannelState,
    subtype: 'message_changed' | 'message_deleted',
    fields: Record<string, unknown> & { event_ts: string },
    object: ChatChange['object'],
    previous: ChatChange['previous'],
  ): void {
    const id = channel.conversation.id;
    const event = { type: 'message' as const, subtype, hidden: true, channel: id, ...fields, channel_type: channelType(channel) };
    this.record('message', event, object, previous, id);
  }

  private record(
    type: ChatEventType,
    event: ChatChange['event'],
    object: ChatChange['object'],
    previous: ChatChange['previous'],
    channel?: string,
  ): void {
    this.eventSeq++;
    const change: ChatChange = {
      type,
      event_id: slackEventId(this.eventIdPrefix, this.eventSeq),
      event_time: Math.floor(Date.now() / 1000),
      team_id: this.workspace.teamId,
      api_app_id: this.workspace.appId,
      event,
      object,
      previous,
      ...(channel ? { channel } : {}),
    };
    this.changes.push(change);
    if (this.changes.length > CHANGE_LOG_SIZE) this.changes.splice(0, this.changes.length - CHANGE_LOG_SIZE);
    this.events.emit(CHAT_CHANGE_EVENT, change);
  }

  /** Slack's 5-character `block_id` for blocks sent without one. */
  blockId(): string {
    return this.ids.id(5);
  }

  private uuid(): string {
    const h = this.ids.id(32, '0123456789abcdef');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }
}

/** `channel_type` in message events: Slack's `channel` for public, `group` for private. */
function channelType(channel: ChannelState): string {
  return channel.conversation.is_private ? 'group' : 'channel';
}

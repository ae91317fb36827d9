/**
 * Slack's wire shapes as the emulator stores and serves them. Records are immutable: an edit
 * replaces the object, so a response already built (and maybe waiting out `latencyMs`) never
 * changes under the serializer, and `previous` in a change event is simply the old object.
 *
 * Field sets follow what Slack sends today, cut to what `specs/slack-web.subset.json`
 * allows (its objects are `additionalProperties: false`), so contract tests can be strict.
 */

export interface SlackProfile {
  title: string;
  phone: string;
  skype: string;
  real_name: string;
  real_name_normalized: string;
  display_name: string;
  display_name_normalized: string;
  /** Slack sends `{}` for workspaces without custom profile fields. */
  fields: Record<string, unknown> | null;
  status_text: string;
  status_emoji: string;
  status_expiration: number;
  avatar_hash: string;
  /** Absent for bots: they have no address. */
  email?: string;
  first_name: string | null;
  last_name: string | null;
  image_24: string;
  image_32: string;
  image_48: string;
  image_72: string;
  image_192: string;
  image_512: string;
  status_text_canonical: string;
  team: string;
  /** Bot users only. */
  bot_id?: string;
  api_app_id?: string;
  always_active?: boolean;
}

export interface SlackUser {
  id: string;
  team_id: string;
  name: string;
  deleted: boolean;
  color: string;
  real_name: string;
  tz: string;
  tz_label: string;
  tz_offset: number;
  profile: SlackProfile;
  is_admin: boolean;
  is_owner: boolean;
  is_primary_owner: boolean;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
  is_bot: boolean;
  is_app_user: boolean;
  /** Unix seconds of the last profile change. */
  updated: number;
}

export interface SlackTopic {
  value: string;
  creator: string;
  last_set: number;
}

export interface SlackConversation {
  id: string;
  name: string;
  is_channel: boolean;
  is_group: boolean;
  is_im: boolean;
  is_mpim: boolean;
  is_private: boolean;
  created: number;
  is_archived: boolean;
  is_general: boolean;
  unlinked: number;
  name_normalized: string;
  is_shared: boolean;
  is_org_shared: boolean;
  is_pending_ext_shared: boolean;
  pending_shared: string[];
  parent_conversation: string | null;
  creator: string;
  is_ext_shared: boolean;
  shared_team_ids: string[];
  pending_connected_team_ids: string[];
  /** Whether the token's bot user is in the channel (per caller in Slack; one caller here). */
  is_member: boolean;
  topic: SlackTopic;
  purpose: SlackTopic;
  previous_names: string[];
  num_members: number;
}

export interface SlackBlock {
  type: string;
  block_id?: string;
  [key: string]: unknown;
}

export interface SlackBotProfile {
  id: string;
  deleted: boolean;
  name: string;
  updated: number;
  app_id: string;
  icons: { image_36: string; image_48: string; image_72: string };
  team_id: string;
}

export interface SlackMessage {
  type: 'message';
  subtype?: 'bot_message' | 'thread_broadcast' | (string & {});
  /** Absent on `bot_message` (integration posts carry `bot_id` + `username` instead). */
  user?: string;
  bot_id?: string;
  username?: string;
  bot_profile?: SlackBotProfile;
  text: string;
  /** Message id: unique per channel, `"1700000000.000100"`. */
  ts: string;
  team?: string;
  client_msg_id?: string;
  blocks?: SlackBlock[];
  thread_ts?: string;
  /** Thread parents only. */
  reply_count?: number;
  reply_users_count?: number;
  latest_reply?: string;
  reply_users?: string[];
  subscribed?: boolean;
  /** Thread replies only. */
  parent_user_id?: string;
  /** `channel_topic` / `channel_purpose` messages carry the new value. */
  topic?: string;
  purpose?: string;
  /** Set once a message was edited (not in the 2020 spec, but Slack sends it). */
  edited?: { user: string; ts: string };
}

/** The kinds of Events API inner events the emulator produces. */
export type ChatEventType =
  | 'message'
  | 'user_change'
  | 'team_join'
  | 'channel_created'
  | 'channel_rename'
  | 'channel_archive'
  | 'channel_unarchive'
  | 'member_joined_channel';

/**
 * One "record changed" notification. `event` is exactly the Events API's inner `event`
 * object; `event_id`, `event_time`, `team_id` and `api_app_id` are what the `event_callback`
 * envelope around it carries, so a webhook deliverer only has to wrap and sign.
 */
export interface ChatChange {
  type: ChatEventType;
  event_id: string;
  /** Unix seconds. */
  event_time: number;
  team_id: string;
  api_app_id: string;
  event: Record<string, unknown> & { type: ChatEventType; event_ts: string };
  /** The record after the change (null after a deletion). */
  object: SlackUser | SlackConversation | SlackMessage | null;
  /** The record before the change (null on creation). */
  previous: SlackUser | SlackConversation | SlackMessage | null;
  /** Channel of a message or membership change. */
  channel?: string;
}

/** Name of the single event `emulator.events` emits, with a `ChatChange` payload. */
export const CHAT_CHANGE_EVENT = 'change';

/**
 * The parts of Slack's Web API responses the chat connector relies on, as zod schemas.
 *
 * Tolerant where Slack grows: unknown fields are accepted and dropped (so the cache holds
 * only what we read), and string "enums" such as a message's `subtype` stay open strings.
 * Strict where we read: a field we use that is missing or of the wrong type fails the
 * whole response, and `parseSlack` turns that into UPSTREAM_BAD_RESPONSE naming the
 * method and the field path — never the body, which may hold personal data.
 *
 * Shapes follow specs/slack-web.subset.json (`objs_user`, `objs_user_profile`,
 * `objs_conversation`, `objs_message`, `objs_response_metadata`).
 */
import { z } from 'zod';
import { GatewayError } from '../../errors.ts';

/** Slack's message timestamp: seconds, a dot, microseconds (`"1700000000.000100"`). Also the message id within a channel. */
const slackTs = z.string().regex(/^\d+(\.\d+)?$/);

export const slackUserProfileSchema = z.object({
  email: z.string().nullish(),
  display_name: z.string().nullish(),
  real_name: z.string().nullish(),
  title: z.string().nullish(),
  image_48: z.string().nullish(),
  image_72: z.string().nullish(),
  image_192: z.string().nullish(),
  image_512: z.string().nullish(),
});

export const slackUserSchema = z.object({
  /** `U…` or `W…` (Enterprise Grid). */
  id: z.string().min(1),
  /** The handle (`@name`), unique per workspace. */
  name: z.string(),
  real_name: z.string().nullish(),
  deleted: z.boolean().default(false),
  is_bot: z.boolean().default(false),
  tz: z.string().nullish(),
  profile: slackUserProfileSchema,
});

const topicSchema = z.object({ value: z.string() });

export const slackConversationSchema = z.object({
  /** `C…` public, `G…` private (legacy), `D…` direct message. */
  id: z.string().min(1),
  /** Absent for direct messages. */
  name: z.string().nullish(),
  is_private: z.boolean().default(false),
  is_archived: z.boolean().default(false),
  is_im: z.boolean().default(false),
  is_mpim: z.boolean().default(false),
  /** Whether the token's bot is in the channel; Slack omits it for some conversation kinds. */
  is_member: z.boolean().optional(),
  /** Unix seconds. */
  created: z.number(),
  creator: z.string().nullish(),
  topic: topicSchema.nullish(),
  purpose: topicSchema.nullish(),
  num_members: z.number().int().nullish(),
});

/** Known values today; Slack adds subtypes over time, so the type stays open. */
export type SlackMessageSubtype =
  | 'bot_message'
  | 'me_message'
  | 'thread_broadcast'
  | 'message_changed'
  | 'message_deleted'
  | 'message_replied'
  | 'channel_join'
  | 'channel_leave'
  | 'channel_topic'
  | 'channel_purpose'
  | 'channel_name'
  | 'channel_archive'
  | 'channel_unarchive'
  | 'file_share'
  | 'pinned_item'
  | 'unpinned_item'
  | (string & {});

export const slackMessageSchema = z.object({
  type: z.string(),
  subtype: z.string().optional() as z.ZodOptional<z.ZodType<SlackMessageSubtype>>,
  ts: slackTs,
  text: z.string(),
  /** Absent on integration posts (`bot_message`), which carry `bot_id` instead. */
  user: z.string().optional(),
  bot_id: z.string().nullish(),
  username: z.string().optional(),
  thread_ts: slackTs.optional(),
  reply_count: z.number().int().optional(),
  permalink: z.string().optional(),
});

const responseMetadataSchema = z.object({ next_cursor: z.string().optional() });

export const usersListResponseSchema = z.object({
  ok: z.literal(true),
  members: z.array(slackUserSchema),
  response_metadata: responseMetadataSchema.optional(),
});

export const userResponseSchema = z.object({ ok: z.literal(true), user: slackUserSchema });

export const conversationsListResponseSchema = z.object({
  ok: z.literal(true),
  channels: z.array(slackConversationSchema),
  response_metadata: responseMetadataSchema.optional(),
});

export const conversationResponseSchema = z.object({ ok: z.literal(true), channel: slackConversationSchema });

export const historyResponseSchema = z.object({
  ok: z.literal(true),
  messages: z.array(slackMessageSchema),
  has_more: z.boolean(),
  response_metadata: responseMetadataSchema.optional(),
});

export type SlackUser = z.output<typeof slackUserSchema>;
export type SlackConversation = z.output<typeof slackConversationSchema>;
export type SlackMessage = z.output<typeof slackMessageSchema>;

/**
 * A message as the gateway keeps it: Slack's history items do not repeat their channel,
 * so the connector adds it (the message id `ts` is unique only within one channel).
 */
export type ChatMessage = SlackMessage & { channel: string };

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out || '(body)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    // The message names types only ("expected string, received undefined"), never values.
    return issue.message.endsWith('received undefined') ? 'is missing' : `is not a ${issue.expected}`;
  }
  if (issue.code === 'invalid_value') return 'has an unexpected value';
  if (issue.code === 'invalid_format') return 'has an unexpected format';
  return 'is invalid';
}

/**
 * Validates one Slack response body. `method` names the resource in the error
 * (`users.list`), so a client and the log can tell which call and which field broke.
 */
export function parseSlack<S extends z.ZodType>(schema: S, body: unknown, method: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue ? `${formatPath(issue.path)} ${describeIssue(issue)}` : 'the body is invalid';
  throw new GatewayError('UPSTREAM_BAD_RESPONSE', `Slack answered ${method} with an unexpected shape: ${where}`, { service: 'chat' });
}

/**
 * Chat writes. A channel may be named by id or name (names resolve through the channel
 * directory the caller passes in); text and blocks are validated before anything reaches
 * Slack. The GraphQL mutation and the cross-system workflows both call these.
 */
import { z } from 'zod';
import type { ChangeSpec } from '../../changes/types.ts';
import { validate, type Command } from '../../command.ts';
import { GatewayError, isGatewayError } from '../../errors.ts';
import type { ChatConnector } from './client.ts';
import type { ChatMessage } from './schemas.ts';

const CHANNEL_ID = /^[CG][A-Z0-9]{2,31}$/;
const CHANNEL_NAME = /^#?[a-z0-9][a-z0-9_-]{0,79}$/;
const MAX_TEXT = 40_000;

/** Channel name → id, as the request's channel directory answers it (null: no such channel). */
export interface ChannelsByName {
  load(name: string): Promise<string | null>;
}

const blocks = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of Block Kit blocks' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(z.looseObject({ type: z.string().min(1, { error: 'every block needs a type' }) }), {
        error: 'must be a JSON array of Block Kit blocks',
      })
      .min(1, { error: 'give at least one block' })
      .max(50, { error: 'at most 50 blocks' }),
  );

export const channelRef = z
  .string()
  .trim()
  .refine((value) => CHANNEL_ID.test(value) || CHANNEL_NAME.test(value), { error: 'must be a channel ID (C…) or a channel name' });

const postMessageInput = z
  .object({
    channel: channelRef,
    text: z
      .string()
      .max(MAX_TEXT, { error: `must be at most ${MAX_TEXT} characters` })
      .nullish(),
    blocks: blocks.nullish(),
    threadTs: z
      .string()
      .regex(/^\d{9,10}\.\d{6}$/, { error: 'must be a Slack ts like 1700000000.000100' })
      .nullish(),
  })
  .refine((value) => (value.text ?? '').trim() !== '' || (value.blocks?.length ?? 0) > 0, { error: 'give text or blocks', path: ['text'] });

/** The channel's id: as given, or looked up by name in the channel directory. */
export async function resolveChannel(channels: ChannelsByName, channel: string): Promise<string> {
  if (CHANNEL_ID.test(channel)) return channel;
  const id = await channels.load(channel);
  if (!id)
    throw new GatewayError('NOT_FOUND', 'Slack has no channel with this name', {
      service: 'chat',
      fields: { 'input.channel': 'no such channel' },
    });
  return id;
}

export function messageChange(message: ChatMessage): ChangeSpec {
  return {
    system: 'chat',
    entity: 'message',
    id: `${message.channel}:${message.ts}`,
    action: 'created',
    record: message,
    related: { channel: message.channel, threadTs: message.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : undefined },
  };
}

/** A message that may or may not have been posted to the channel: its history pages are evicted. */
export function mayHavePosted(channel: string): ChangeSpec {
  return { system: 'chat', entity: 'message', id: `${channel}:`, action: 'created', related: { channel } };
}

/** postMessage: text and/or Block Kit blocks, optionally in a thread. */
export function postMessage(chat: ChatConnector, channels: ChannelsByName, input: unknown): Command<ChatMessage> {
  // The channel's history pages, once its id is known (a name is resolved first).
  let channel: string | undefined;
  return {
    affects: () => (channel ? [mayHavePosted(channel)] : []),
    async run() {
      const valid = validate(postMessageInput, input, 'input');
      channel = await resolveChannel(channels, valid.channel);
      const message = await chat.postMessage({
        channel,
        text: valid.text ?? undefined,
        blocks: valid.blocks ?? undefined,
        threadTs: valid.threadTs ?? undefined,
      });
      return {
        value: message,
        upstream: [{ system: 'chat', ids: { channel: message.channel, ts: message.ts } }],
        changes: [messageChange(message)],
      };
    },
  };
}

/**
 * Posts plain text to a channel id; its change is `messageChange(message)`. Slack takes no
 * idempotency key: it is sent once, never retried (see `findPosted`).
 */
export async function postText(chat: ChatConnector, channel: string, text: string): Promise<ChatMessage> {
  return chat.postMessage({ channel, text });
}

/** The message with exactly this text posted to the channel since `oldest` (a Slack ts), if any. */
export async function findPosted(chat: ChatConnector, channel: string, text: string, oldest: string): Promise<ChatMessage | undefined> {
  const page = await chat.history({ channel, limit: 50, oldest });
  return page.items.find((item) => item.text === text);
}

/**
 * Checks, before anything is written, that the bot can post to `channel`: it exists, is not
 * archived, and the bot is a member (Slack answers `not_in_channel` otherwise). `field` names
 * the argument in the error.
 */
export async function checkPostable(chat: ChatConnector, channels: ChannelsByName, channel: string, field: string): Promise<void> {
  const fields = (reason: string) => ({ [field]: reason });
  const conversation = await resolveChannel(channels, channel)
    .then((id) => chat.getConversation(id))
    .catch((error: unknown) => {
      if (isGatewayError(error) && error.code === 'NOT_FOUND') {
        throw new GatewayError('NOT_FOUND', 'Slack has no such channel', { service: 'chat', fields: fields('no such channel') });
      }
      throw error;
    });
  if (conversation.is_archived) {
    throw new GatewayError('UPSTREAM_FORBIDDEN', `The channel ${channel} is archived: the bot cannot post there`, {
      service: 'chat',
      fields: fields('archived'),
    });
  }
  if (conversation.is_member === false) {
    const message = `The bot is not a member of ${channel} and cannot post there: invite it, or name another channel`;
    throw new GatewayError('UPSTREAM_FORBIDDEN', message, {
      service: 'chat',
      fields: fields('the bot is not a member'),
    });
  }
}

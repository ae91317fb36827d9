/**
 * Chat mutations. The channel may be named by id or name (names resolve through the cached
 * channel directory); text and blocks are validated before anything reaches Slack.
 */
import { z } from 'zod';
import type { PostMessageParams } from '../../src/systems/chat/client.ts';
import type { ChatMessage } from '../../src/systems/chat/schemas.ts';
import type { GatewayContext } from '../../src/context.ts';
import { GatewayError } from '../../src/errors.ts';
import type { MutationResolvers } from '../../src/generated/chat.ts';
import { performWrite, validate, type ChangeSpec } from '../../src/workflows/write.ts';

const CHANNEL_ID = /^[CG][A-Z0-9]{2,31}$/;
const CHANNEL_NAME = /^#?[a-z0-9][a-z0-9_-]{0,79}$/;
const MAX_TEXT = 40_000;

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

export const postMessageInput = z
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

export type PostMessageInput = z.output<typeof postMessageInput>;

/** The channel's id: as given, or looked up by name in the channel directory. */
export async function resolveChannel(context: GatewayContext, channel: string): Promise<string> {
  if (CHANNEL_ID.test(channel)) return channel;
  const id = await context.loaders.chat.channelIdByName.load(channel);
  if (!id)
    throw new GatewayError('NOT_FOUND', 'Slack has no channel with this name', {
      service: 'chat',
      fields: { 'input.channel': 'no such channel' },
    });
  return id;
}

export async function postMessage(context: GatewayContext, input: PostMessageInput): Promise<ChatMessage> {
  const channel = await resolveChannel(context, input.channel);
  const params: PostMessageParams = {
    channel,
    text: input.text ?? undefined,
    blocks: input.blocks ?? undefined,
    threadTs: input.threadTs ?? undefined,
  };
  return context.connectors.chat.postMessage(params);
}

export function messageChange(message: ChatMessage) {
  return {
    system: 'chat' as const,
    entity: 'message',
    id: `${message.channel}:${message.ts}`,
    action: 'created' as const,
    record: message,
    related: { channel: message.channel, threadTs: message.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : undefined },
  };
}

export const chatMutations: MutationResolvers = {
  async postMessage(_parent, { input }, context) {
    // The channel's history pages, once its id is known (a name is resolved first).
    let channel: string | undefined;
    const affects = (): ChangeSpec[] =>
      channel ? [{ system: 'chat', entity: 'message', id: `${channel}:`, action: 'created', related: { channel } }] : [];
    return performWrite(context, { operation: 'postMessage', inputs: input, affects }, async () => {
      const valid = validate(postMessageInput, input, 'input');
      channel = await resolveChannel(context, valid.channel);
      const message = await postMessage(context, valid);
      return {
        value: message,
        upstream: [{ system: 'chat', ids: { channel: message.channel, ts: message.ts } }],
        changes: [messageChange(message)],
      };
    });
  },
};

/**
 * Slack Events API deliveries → `ChangeEvent`s. Slack is answered first and processed
 * after (`ackFirst`): it retries anything not acknowledged within 3 s, even while the first
 * attempt is still running.
 */
import { z } from 'zod';
import type { ChangeAction, ChangeEvent } from '../../changes/types.ts';
import { verifySlack } from '../../webhooks/verify.ts';
import type { WebhookMapper } from '../system.ts';
import { chatFacts } from './facts.ts';

export const slackEnvelope = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string().min(1).max(1000) }),
  z.looseObject({
    type: z.literal('event_callback'),
    event_id: z.string().min(1),
    event_time: z.number(),
    team_id: z.string().optional(),
    event: z.looseObject({ type: z.string() }),
  }),
  z.looseObject({ type: z.literal('app_rate_limited') }),
]);
export type SlackEnvelope = z.infer<typeof slackEnvelope>;

export function slackChange(envelope: Extract<SlackEnvelope, { type: 'event_callback' }>): ChangeEvent | null {
  const e = envelope.event as Record<string, unknown> & { type: string };
  // `event_id` with the team and `event_time`: a retry repeats the envelope exactly, and a
  // reused id (an app reinstalled, a replayed sandbox) at another time is another change.
  const base = {
    eventId: `slack:${envelope.team_id ?? ''}:${envelope.event_id}:${envelope.event_time}`,
    system: 'chat' as const,
    occurredAt: envelope.event_time * 1000,
    source: 'webhook' as const,
  };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  switch (e.type) {
    case 'message': {
      const channel = str(e.channel);
      if (!channel) return null;
      const inner = (e.message ?? {}) as Record<string, unknown>;
      if (e.subtype === 'message_changed')
        return { ...base, entity: 'message', id: `${channel}:${str(inner.ts)}`, action: 'updated', related: { channel }, record: inner };
      if (e.subtype === 'message_deleted')
        return { ...base, entity: 'message', id: `${channel}:${str(e.deleted_ts)}`, action: 'deleted', related: { channel } };
      const ts = str(e.ts);
      if (!ts) return null;
      return {
        ...base,
        entity: 'message',
        id: `${channel}:${ts}`,
        action: 'created',
        related: { channel, threadTs: str(e.thread_ts), user: str(e.user) },
        record: e,
      };
    }
    case 'user_change':
    case 'team_join': {
      const user = (e.user ?? {}) as Record<string, unknown>;
      const id = str(user.id);
      if (!id) return null;
      const profile = (user.profile ?? {}) as Record<string, unknown>;
      return {
        ...base,
        entity: 'user',
        id,
        action: e.type === 'team_join' ? 'created' : 'updated',
        related: { email: str(profile.email) },
        record: user,
      };
    }
    case 'channel_created':
    case 'channel_rename':
    case 'channel_archive':
    case 'channel_unarchive':
    case 'member_joined_channel': {
      const id = str(e.channel) ?? str((e.channel as { id?: unknown } | undefined)?.id);
      if (!id) return null;
      const action: ChangeAction = e.type === 'channel_created' ? 'created' : e.type === 'member_joined_channel' ? 'linked' : 'updated';
      return { ...base, entity: 'channel', id, action, ...(e.type === 'member_joined_channel' ? { related: { user: str(e.user) } } : {}) };
    }
    default:
      return null;
  }
}

export const slackWebhook: WebhookMapper = {
  vendor: chatFacts.webhook.vendor,
  verify: (secret, request) =>
    verifySlack(secret, request.header('x-slack-signature'), request.header('x-slack-request-timestamp'), request.body),
  map(json) {
    const parsed = slackEnvelope.safeParse(json);
    if (!parsed.success) return { malformed: 'expected a Slack Events API envelope' };
    const envelope = parsed.data;
    if (envelope.type === 'url_verification') return { body: { challenge: envelope.challenge } };
    if (envelope.type !== 'event_callback') return { body: { ok: true } };
    const change = slackChange(envelope);
    return { body: { ok: true }, changes: change ? [change] : [], ackFirst: true };
  },
};

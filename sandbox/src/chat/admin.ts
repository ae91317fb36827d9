/**
 * Slack-specific admin routes, outside auth and chaos:
 *
 * - `POST /__sandbox/edit` — a change as if made in the Slack app (see `EditBody`); it goes
 *   through the same store mutators as API writes and answers with the change events.
 * - `GET /__sandbox/changes?after=<event_id>` — the change log (last 10,000 events).
 * - `GET|POST /__sandbox/limits` — per-method tier rate limits, `{"enforce": true, "scale": 1}`;
 *   `"distribution": "non-marketplace"` holds history and replies to 1 a minute and 15 a page.
 * - `GET /__sandbox/workspace` — team, bot and app ids of the seeded workspace.
 */
import type { EventEmitter } from 'node:events';
import { z } from 'zod';
import { Router, type SandboxRequest, type SandboxResponse } from '../http.ts';
import { parseBlocks } from './blocks.ts';
import { APP_DISTRIBUTIONS, type TierLimiter } from './rate-limits.ts';
import type { ChannelState } from './seed.ts';
import { EditError } from './edits.ts';
import type { ChatStore } from './store.ts';
import { CHAT_CHANGE_EVENT, type ChatChange } from './types.ts';

const profilePatch = z
  .object({
    title: z.string(),
    phone: z.string(),
    skype: z.string(),
    real_name: z.string(),
    display_name: z.string(),
    status_text: z.string(),
    status_emoji: z.string(),
    status_expiration: z.number().int(),
    email: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
  })
  .partial()
  .strict();

const userPatch = z
  .object({
    name: z.string().min(1),
    real_name: z.string(),
    deleted: z.boolean(),
    tz: z.string(),
    is_admin: z.boolean(),
    is_owner: z.boolean(),
    is_restricted: z.boolean(),
    is_ultra_restricted: z.boolean(),
    profile: profilePatch,
  })
  .partial()
  .strict();

const userEdit = z.object({ kind: z.literal('user'), id: z.string().optional(), set: userPatch }).strict();

const messageEdit = z
  .object({
    kind: z.literal('message'),
    /** Channel id or name. */
    channel: z.string().min(1),
    /** Absent: post a new message. Present: edit it (or delete it with `delete: true`). */
    ts: z.string().optional(),
    /** Author of a new message / editor of an existing one; defaults to the primary owner. */
    user: z.string().optional(),
    text: z.string().optional(),
    blocks: z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]).optional(),
    thread_ts: z.string().optional(),
    reply_broadcast: z.boolean().optional(),
    delete: z.boolean().optional(),
  })
  .strict();

const channelEdit = z
  .object({
    kind: z.literal('channel'),
    /** Absent: create a channel named `name`. */
    id: z.string().optional(),
    name: z.string().optional(),
    is_private: z.boolean().optional(),
    user: z.string().optional(),
    /** Members of a new channel besides its creator (add the bot's user id to let it post). */
    members: z.array(z.string()).optional(),
    set: z.object({ name: z.string(), is_archived: z.boolean(), topic: z.string(), purpose: z.string() }).partial().strict().optional(),
  })
  .strict();

const editBody = z.discriminatedUnion('kind', [userEdit, messageEdit, channelEdit]);
export type EditBody = z.infer<typeof editBody>;

const limitsBody = z
  .object({ enforce: z.boolean(), distribution: z.enum(APP_DISTRIBUTIONS), scale: z.number().positive() })
  .partial()
  .strict();

function json(raw: Buffer): unknown {
  try {
    return raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

const bad = (message: string, status = 400): SandboxResponse => ({ status, body: { ok: false, error: message } });

export function createChatAdmin(store: ChatStore, limiter: TierLimiter, events: EventEmitter): Router {
  const admin = new Router();

  admin.on('POST', '/__sandbox/edit', (req: SandboxRequest) => {
    const parsed = editBody.safeParse(json(req.rawBody));
    if (!parsed.success) return bad(z.prettifyError(parsed.error));
    // The emitter is synchronous, so listening for the duration of the edit collects exactly its changes.
    const changes: ChatChange[] = [];
    const collect = (change: ChatChange) => changes.push(change);
    events.on(CHAT_CHANGE_EVENT, collect);
    try {
      const object = applyEdit(store, parsed.data);
      return { status: 200, body: { ok: true, object, changes } };
    } catch (error) {
      if (error instanceof EditError) return bad(error.message, error.status);
      throw error;
    } finally {
      events.off(CHAT_CHANGE_EVENT, collect);
    }
  });

  admin.on('GET', '/__sandbox/changes', (req) => {
    const after = req.query.get('after');
    const start = after ? store.changes.findIndex((c) => c.event_id === after) + 1 : 0;
    return { status: 200, body: { changes: store.changes.slice(start) } };
  });

  admin.on('GET', '/__sandbox/limits', () => ({ status: 200, body: limiter.toJSON() }));
  admin.on('POST', '/__sandbox/limits', (req) => {
    const parsed = limitsBody.safeParse(json(req.rawBody));
    if (!parsed.success) return bad(z.prettifyError(parsed.error));
    limiter.configure(parsed.data);
    return { status: 200, body: limiter.toJSON() };
  });

  admin.on('GET', '/__sandbox/workspace', () => {
    const ws = store.workspace;
    return {
      status: 200,
      body: {
        team_id: ws.teamId,
        team: ws.teamName,
        url: ws.url,
        bot_user_id: ws.botUserId,
        bot_id: ws.botId,
        app_id: ws.appId,
        users: store.users.length,
        channels: store.channels.length,
      },
    };
  });

  return admin;
}

function applyEdit(store: ChatStore, edit: EditBody): unknown {
  switch (edit.kind) {
    case 'user': {
      if (edit.id) return store.updateUser(edit.id, edit.set);
      if (!edit.set.name) throw new EditError(400, 'a new user needs set.name');
      return store.createUser(edit.set.name, edit.set);
    }
    case 'message': {
      const channel = findChannel(store, edit.channel);
      const user = edit.user === undefined ? store.users.find((u) => u.is_primary_owner) : store.user(edit.user);
      if (edit.user !== undefined && !user) throw new EditError(404, `no user ${edit.user}`);
      if (user?.deleted) throw new EditError(400, `user ${user.id} is deactivated`);
      const parsed = parseBlocks(edit.blocks, () => store.blockId());
      if ('error' in parsed) throw new EditError(400, `${parsed.error}: ${parsed.messages.join('; ')}`);
      if (edit.ts !== undefined) {
        if (edit.delete) return store.deleteMessage(channel, edit.ts);
        if (edit.text === undefined && !parsed.blocks) throw new EditError(400, 'an edit needs text or blocks');
        return store.editMessage(
          channel,
          edit.ts,
          { ...(edit.text !== undefined ? { text: edit.text } : {}), ...(parsed.blocks ? { blocks: parsed.blocks } : {}) },
          user,
        );
      }
      if (!user) throw new EditError(400, 'the workspace has no user to post as');
      if (!edit.text && !parsed.blocks) throw new EditError(400, 'a message needs text or blocks');
      const result = store.postMessage({
        channel,
        user,
        text: edit.text ?? '',
        blocks: parsed.blocks,
        threadTs: edit.thread_ts,
        replyBroadcast: edit.reply_broadcast,
      });
      if ('error' in result) throw new EditError(result.error === 'thread_not_found' ? 404 : 409, result.error);
      return result.message;
    }
    case 'channel': {
      const actor = edit.user === undefined ? undefined : store.user(edit.user);
      if (edit.user !== undefined && !actor) throw new EditError(404, `no user ${edit.user}`);
      if (!edit.id) {
        if (!edit.name) throw new EditError(400, 'a new channel needs a name');
        const created = store.createChannel(edit.name, { isPrivate: edit.is_private, creator: actor, members: edit.members });
        if (edit.set) store.updateChannel(created, edit.set, actor);
        return created.conversation;
      }
      return store.updateChannel(findChannel(store, edit.id), edit.set ?? {}, actor);
    }
  }
}

function findChannel(store: ChatStore, ref: string): ChannelState {
  const channel = store.resolveChannel(ref);
  if (!channel) throw new EditError(404, `no channel ${ref}`);
  return channel;
}

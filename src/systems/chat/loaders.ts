/**
 * Per-request loaders for Slack.
 *
 * Users come from the process-level user directory (`./directory.ts`): one snapshot of
 * users.list, indexed by id and by email once per load or change and kept fresh from Slack's
 * user events, so a request reads no user records and builds no index. Each request takes
 * one snapshot (at its first need) and answers every user lookup from it.
 *
 * Channels still come from a directory read per request through the cross-request cache:
 * conversations.list read in full (all pages, 200 per page) and cached normalized, every
 * record under its own id (`channel:<id>`) and the directory as a list of ids under the
 * reserved id `@directory`, so it shares the record's TTL. Invalidating one channel (after
 * a write or an event) is one delete: the next directory read finds that record missing and
 * re-reads just it (conversations.info), or the whole directory when many are missing.
 *
 * - `user` answers by id from the snapshot; ids it lacks (a member who joined since, and no
 *   event told us) fall back to users.info through the cross-request cache (`user:<id>`),
 *   where unknown ids are cached as null, so a warm repeat costs nothing.
 * - `channel` answers by id from the channel directory and falls back to conversations.info
 *   the same way.
 * - `userIdByEmail` (root lookups) and `userIdForOwnerEmail` (the Owner.chatUser link) are
 *   link lookups: they yield ids, never records, from the snapshot's active members by email.
 *   The first caches email → id and asks Slack's users.lookupByEmail when the snapshot has no
 *   single match; the second is null unless exactly one active member has the address.
 * - `history` reads one conversations.history page; the page is cached as its list of
 *   message ids and each message under `<channel>:<ts>` in the `message` resource (short TTL).
 *
 * Every DataLoader keeps DataLoader's contract: results in key order, null for "no such
 * record / no link", an Error for keys that failed.
 */
import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { createCachedLoader } from '../../cache/cached-loader.ts';
import type { ResourceCache } from '../../cache/types.ts';
import { GatewayError } from '../../errors.ts';
import { normalizeEmail } from '../../links/email.ts';
import { SLACK_PAGE_LIMIT, type ChatConnector, type HistoryParams } from './client.ts';
import { mapLimit, orNull, readAll, settleLimit, untilAborted } from './reads.ts';
import { CHAT_RESOURCES, DIRECTORY_ID, FAN_OUT, historyGenerationId } from './resources.ts';
import type { UserDirectory, UserSnapshot } from './directory.ts';
import type { ChatMessage, SlackConversation, SlackUser } from './schemas.ts';

/** Slack ids are upper-case letters and digits; anything else cannot exist upstream. */
const SLACK_ID = /^[A-Z0-9]{2,32}$/;

export interface HistoryPage {
  channel: string;
  messages: ChatMessage[];
  /** Slack's `next_cursor`; null on the last page. */
  nextCursor: string | null;
  hasMore: boolean;
}

/** A cached history page: its message ids, so each message is cached (and invalidated) once. */
interface PageSkeleton {
  channel: string;
  ts: string[];
  nextCursor: string | null;
  hasMore: boolean;
}

export interface ChatLoaders {
  /** ChatUser by Slack user id (null: no such user). */
  user: DataLoader<string, SlackUser | null>;
  /**
   * Slack user id by email, case-insensitive, for lookups a client asks for: the one active
   * directory member with that address, else Slack's own users.lookupByEmail.
   */
  userIdByEmail: DataLoader<string, string | null>;
  /**
   * Slack user id linked to a CRM owner's email: the one active (not deactivated) directory
   * member with that address, case-insensitive; null when there is none or more than one.
   */
  userIdForOwnerEmail: DataLoader<string, string | null>;
  /** Channel by id (null: no such channel). */
  channel: DataLoader<string, SlackConversation | null>;
  /** Channel id by name, case-insensitive, with or without a leading `#` (null: none). */
  channelIdByName: DataLoader<string, string | null>;
  /** Every member of the workspace, deactivated users and bots included, in Slack's order. */
  users(): Promise<readonly SlackUser[]>;
  /** Every public and private channel the token sees, archived ones included, in Slack's order. */
  channels(): Promise<readonly SlackConversation[]>;
  /** One page of a channel's history, newest first. Throws NOT_FOUND for an unknown channel. */
  history(params: HistoryParams): Promise<HistoryPage>;
}

export interface CreateChatLoadersOptions {
  connector: ChatConnector;
  /** The cross-request cache, scoped to chat and the bot token. */
  cache: ResourceCache;
  /** The process-level Slack user directory every user lookup answers from. */
  directory: UserDirectory;
  /** This gateway request's id, sent upstream as `x-request-id`. */
  requestId?: string;
  /**
   * This request's deadline or cancellation. The directory's load is shared and runs on
   * without it; the request stops waiting for it when the signal aborts.
   */
  signal?: AbortSignal;
}

const channelNameKey = (name: string) => name.trim().replace(/^#/, '').toLowerCase();

/** The cache never fails a load (same rule as createCachedLoader): errors read as misses. */
async function cacheGet<T>(cache: ResourceCache, resource: string, ids: readonly string[]): Promise<(T | null | undefined)[]> {
  try {
    return await cache.getMany<T>(resource, ids);
  } catch {
    return ids.map(() => undefined);
  }
}

async function cacheSet<T>(cache: ResourceCache, resource: string, entries: readonly (readonly [string, T | null])[]): Promise<void> {
  try {
    await cache.setMany<T>(resource, entries);
  } catch {
    // A failed write costs a later upstream call, never this answer.
  }
}

interface Directory<T extends { id: string }> {
  /** Records in Slack's order. */
  load(): Promise<T[]>;
}

/**
 * A directory read through the cache: ids under `@directory`, records under their ids.
 * Memoized for the request, so every loader that needs it shares one read.
 */
function cachedDirectory<T extends { id: string }>(options: {
  cache: ResourceCache;
  resource: string;
  listAll: () => Promise<T[]>;
  fetchOne: (id: string) => Promise<T | null>;
  onLoad: (records: readonly T[]) => void;
}): Directory<T> {
  const { cache, resource } = options;
  let memo: Promise<T[]> | undefined;

  async function fromUpstream(): Promise<T[]> {
    const records = await options.listAll();
    await cacheSet<T | string[]>(cache, resource, [
      ...records.map((record) => [record.id, record] as const),
      [DIRECTORY_ID, records.map((record) => record.id)] as const,
    ]);
    return records;
  }

  async function read(): Promise<T[]> {
    const [ids] = await cacheGet<string[]>(cache, resource, [DIRECTORY_ID]);
    if (!Array.isArray(ids)) return fromUpstream();
    const cached = await cacheGet<T>(cache, resource, ids);
    const missing = ids.filter((_, index) => cached[index] === undefined);
    // Re-reading a few invalidated records one by one is cheaper than the whole directory;
    // past as many records as the directory has pages, the full read wins.
    const pages = Math.max(1, Math.ceil(ids.length / SLACK_PAGE_LIMIT));
    if (missing.length > Math.max(2, pages)) return fromUpstream();
    const refetched = new Map<string, T | null>();
    if (missing.length > 0) {
      const fetched = await mapLimit(missing, FAN_OUT, (id) => options.fetchOne(id));
      missing.forEach((id, index) => refetched.set(id, fetched[index]));
      await cacheSet<T>(cache, resource, [...refetched]);
    }
    const records: T[] = [];
    ids.forEach((id, index) => {
      // null: the record was deleted upstream (or invalidated as gone); it leaves the directory.
      const record = cached[index] === undefined ? refetched.get(id) : cached[index];
      if (record) records.push(record);
    });
    return records;
  }

  return {
    load() {
      memo ??= read().then((records) => {
        options.onLoad(records);
        return records;
      });
      return memo;
    },
  };
}

export function createChatLoaders(options: CreateChatLoadersOptions): ChatLoaders {
  const { cache } = options;
  const connector = options.requestId ? options.connector.withRequestId(options.requestId) : options.connector;
  // ---- users ------------------------------------------------------------------------
  let snapshotOfRequest: Promise<UserSnapshot> | undefined;
  /** One snapshot per request, so every lookup in it sees the same directory. */
  const snapshot = () => (snapshotOfRequest ??= untilAborted(options.directory.snapshot(), options.signal));

  /** Members the snapshot lacks: users.info through the cross-request cache (null cached for unknown ids). */
  const userOutsideDirectory = createCachedLoader<SlackUser>({
    cache,
    resource: CHAT_RESOURCES.user,
    maxBatchSize: SLACK_PAGE_LIMIT,
    fetch: (ids) => settleLimit(ids, FAN_OUT, (id) => orNull(connector.getUser(id))),
  });

  const user = new DataLoader<string, SlackUser | null, string>(
    async (ids) => {
      // Ids that cannot be Slack's are nobody, and cost nothing.
      if (!ids.some((id) => SLACK_ID.test(id))) return ids.map(() => null);
      const { byId } = await snapshot();
      const absent = ids.filter((id) => SLACK_ID.test(id) && !byId.has(id));
      const fetched = new Map<string, SlackUser | null | Error>();
      if (absent.length > 0) {
        const results = await userOutsideDirectory.loadMany(absent);
        absent.forEach((id, index) => fetched.set(id, results[index]));
      }
      return ids.map((id) => (SLACK_ID.test(id) ? (byId.get(id) ?? fetched.get(id) ?? null) : null));
    },
    // One snapshot answers any number of ids; 200 is users.list's page size.
    { maxBatchSize: SLACK_PAGE_LIMIT, cacheKeyFn: (id) => (SLACK_ID.test(id) ? id : '!invalid') },
  );

  const userIdByEmail = createCachedLoader<string>({
    cache,
    resource: CHAT_RESOURCES.userByEmail,
    maxBatchSize: SLACK_PAGE_LIMIT,
    cacheKeyFn: normalizeEmail,
    async fetch(emails) {
      const { activeByEmail } = await snapshot();
      const found = new Map<string, string | null | Error>();
      const unresolved: string[] = [];
      for (const email of emails) {
        const matches = activeByEmail.get(normalizeEmail(email)) ?? [];
        if (matches.length === 1) found.set(email, matches[0].id);
        else unresolved.push(email);
      }
      // Not in the directory (a new member no event told us of) or ambiguous there: Slack's own lookup decides.
      const looked = await settleLimit(unresolved, FAN_OUT, (email) => orNull(connector.lookupUserByEmail(email.trim())));
      const primed: [string, SlackUser][] = [];
      for (const [email, record] of looked) {
        found.set(email, record instanceof Error ? record : (record?.id ?? null));
        if (record && !(record instanceof Error)) primed.push([record.id, record]);
      }
      if (primed.length > 0) {
        await cacheSet(cache, CHAT_RESOURCES.user, primed);
        for (const [id, record] of primed) user.prime(id, record);
      }
      return found;
    },
  });

  const userIdForOwnerEmail = new DataLoader<string, string | null, string>(
    async (emails) => {
      const { activeByEmail } = await snapshot();
      return emails.map((email) => {
        const matches = activeByEmail.get(normalizeEmail(email)) ?? [];
        return matches.length === 1 ? matches[0].id : null;
      });
    },
    { cacheKeyFn: normalizeEmail, maxBatchSize: SLACK_PAGE_LIMIT },
  );

  // ---- channels ----------------------------------------------------------------------
  const channelDirectory = cachedDirectory<SlackConversation>({
    cache,
    resource: CHAT_RESOURCES.channel,
    listAll: () => readAll((cursor) => connector.listConversations({ limit: SLACK_PAGE_LIMIT, cursor })),
    fetchOne: (id) => orNull(connector.getConversation(id)),
    onLoad: (records) => records.forEach((record) => channel.prime(record.id, record)),
  });

  const channel = createCachedLoader<SlackConversation>({
    cache,
    resource: CHAT_RESOURCES.channel,
    maxBatchSize: SLACK_PAGE_LIMIT,
    cacheKeyFn: (id) => (SLACK_ID.test(id) ? id : '!invalid'),
    async fetch(ids) {
      const valid = ids.filter((id) => SLACK_ID.test(id));
      const found = new Map<string, SlackConversation | null | Error>();
      if (valid.length === 0) return found;
      const byId = new Map((await channelDirectory.load()).map((record) => [record.id, record]));
      const absent = valid.filter((id) => !byId.has(id));
      const fetched = await settleLimit(absent, FAN_OUT, (id) => orNull(connector.getConversation(id)));
      for (const id of valid) found.set(id, byId.get(id) ?? null);
      for (const [id, record] of fetched) found.set(id, record);
      return found;
    },
  });

  // No Slack method finds a channel by name, so the directory is the only source.
  const channelIdByName = new DataLoader<string, string | null, string>(
    async (names) => {
      const index = new Map<string, string>();
      for (const record of await channelDirectory.load()) if (record.name) index.set(channelNameKey(record.name), record.id);
      return names.map((name) => index.get(channelNameKey(name)) ?? null);
    },
    { cacheKeyFn: channelNameKey, maxBatchSize: SLACK_PAGE_LIMIT },
  );

  // ---- messages ----------------------------------------------------------------------
  const messageKey = (channelId: string, ts: string) => `${channelId}:${ts}`;
  const pageKey = (p: HistoryParams, generation: string) =>
    ['page', p.channel, generation, p.limit, p.cursor ?? '', p.oldest ?? '', p.latest ?? ''].join('|');
  const generations = new Map<string, Promise<string>>();

  function historyGeneration(channelId: string): Promise<string> {
    let generation = generations.get(channelId);
    if (!generation) {
      generation = (async () => {
        const [current] = await cacheGet<string>(cache, CHAT_RESOURCES.message, [historyGenerationId(channelId)]);
        if (typeof current === 'string') return current;
        // Random, so an expired generation can never revive pages cached under an older one.
        const created = randomUUID();
        await cacheSet<string>(cache, CHAT_RESOURCES.message, [[historyGenerationId(channelId), created]]);
        return created;
      })();
      generations.set(channelId, generation);
    }
    return generation;
  }
  const pageParams = new Map<string, HistoryParams>();
  /** Messages fetched during this request, so a page never depends on its own cache write. */
  const fresh = new Map<string, ChatMessage>();

  async function fetchHistory(params: HistoryParams): Promise<PageSkeleton | null> {
    const page = await orNull(connector.history(params));
    if (!page) return null;
    const entries = page.items.map((message) => [messageKey(params.channel, message.ts), message] as const);
    for (const [key, message] of entries) fresh.set(key, message);
    await cacheSet<ChatMessage>(cache, CHAT_RESOURCES.message, entries);
    return { channel: params.channel, ts: page.items.map((message) => message.ts), nextCursor: page.nextCursor, hasMore: page.hasMore };
  }

  const historyPage = createCachedLoader<PageSkeleton>({
    cache,
    resource: CHAT_RESOURCES.message,
    // conversations.history reads one page of one channel, so there is nothing to batch;
    // one key per batch also keeps a channel the bot cannot read from failing its neighbours.
    maxBatchSize: 1,
    async fetch(keys) {
      const key = keys[0];
      return new Map([[key, await fetchHistory(pageParams.get(key)!)]]);
    },
  });

  async function history(params: HistoryParams): Promise<HistoryPage> {
    const key = pageKey(params, await historyGeneration(params.channel));
    pageParams.set(key, params);
    let skeleton = await historyPage.load(key);
    if (!skeleton) throw new GatewayError('NOT_FOUND', 'Slack has no such channel', { service: 'chat' });
    const keys = skeleton.ts.map((ts) => messageKey(params.channel, ts));
    const cached = keys.some((k) => !fresh.has(k)) ? await cacheGet<ChatMessage>(cache, CHAT_RESOURCES.message, keys) : [];
    let messages = keys.map((k, index) => fresh.get(k) ?? cached[index] ?? undefined);
    if (messages.some((message) => !message)) {
      // A message was invalidated (edited or deleted upstream) or evicted: read the page again.
      skeleton = await fetchHistory(params);
      if (!skeleton) throw new GatewayError('NOT_FOUND', 'Slack has no such channel', { service: 'chat' });
      await cacheSet<PageSkeleton>(cache, CHAT_RESOURCES.message, [[key, skeleton]]);
      historyPage.clear(key).prime(key, skeleton);
      messages = skeleton.ts.map((ts) => fresh.get(messageKey(params.channel, ts)));
    }
    return {
      channel: params.channel,
      messages: messages.filter((message): message is ChatMessage => message !== undefined),
      nextCursor: skeleton.nextCursor,
      hasMore: skeleton.hasMore,
    };
  }

  return {
    user,
    userIdByEmail,
    userIdForOwnerEmail,
    channel,
    channelIdByName,
    users: async () => (await snapshot()).users,
    channels: () => channelDirectory.load(),
    history,
  };
}

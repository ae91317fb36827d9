/**
 * Channel history: one conversations.history page at a time, cached as its list of message
 * ids, each message under `<channel>:<ts>` in the `message` resource (short TTL). Pages are
 * keyed by the channel's history generation, which a change drops to retire them all.
 */
import { randomUUID } from 'node:crypto';
import { createCachedLoader } from '../../cache/cached-loader.ts';
import type { ResourceCache } from '../../cache/types.ts';
import { GatewayError } from '../../errors.ts';
import type { ChatConnector, HistoryParams } from './client.ts';
import { cacheGet, cacheSet, orNull } from './reads.ts';
import { CHAT_RESOURCES, historyGenerationId } from './resources.ts';
import type { ChatMessage } from './schemas.ts';

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

const messageKey = (channelId: string, ts: string) => `${channelId}:${ts}`;
const pageKey = (p: HistoryParams, generation: string) =>
  ['page', p.channel, generation, p.limit, p.cursor ?? '', p.oldest ?? '', p.latest ?? ''].join('|');

/** A channel's history generation, read (or started) once per request. */
function historyGenerations(cache: ResourceCache): (channelId: string) => Promise<string> {
  const generations = new Map<string, Promise<string>>();
  return (channelId) => {
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
  };
}

export interface HistoryLoaderOptions {
  connector: ChatConnector;
  cache: ResourceCache;
  /**
   * The most messages one call asks for: a non-Marketplace app gets at most 15 a page, once a
   * minute, so a bigger page would be several calls a minute apart. A capped page is shorter,
   * with a cursor; capped here, before the cache key, so every bigger `first` shares it.
   */
  maxLimit?: number;
}

export function createHistoryLoader({ connector, cache, maxLimit }: HistoryLoaderOptions) {
  const historyGeneration = historyGenerations(cache);
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

  async function history(asked: HistoryParams): Promise<HistoryPage> {
    const params = maxLimit !== undefined && asked.limit > maxLimit ? { ...asked, limit: maxLimit } : asked;
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

  return history;
}

/** Chat channels: by id from the channel directory (read through the cache), else conversations.info; by name from the directory. */
import DataLoader from 'dataloader';
import { inBatchSpan } from '../../observability/batch-span.ts';
import { createCachedLoader } from '../../cache/cached-loader.ts';
import type { ResourceCache } from '../../cache/types.ts';
import { SLACK_PAGE_LIMIT, type ChatConnector } from './client.ts';
import { cacheGet, cacheSet, mapLimit, orNull, readAll, settleLimit } from './reads.ts';
import { CHAT_RESOURCES, DIRECTORY_ID, FAN_OUT, SLACK_ID } from './resources.ts';
import type { SlackConversation } from './schemas.ts';

const channelNameKey = (name: string) => name.trim().replace(/^#/, '').toLowerCase();

export interface ChannelLoaders {
  channel: DataLoader<string, SlackConversation | null>;
  channelIdByName: DataLoader<string, string | null>;
  channels(): Promise<readonly SlackConversation[]>;
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

export function createChannelLoaders({ connector, cache }: { connector: ChatConnector; cache: ResourceCache }): ChannelLoaders {
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
    (names) =>
      inBatchSpan('chat', 'channelIdByName', names.length, async () => {
        const index = new Map<string, string>();
        for (const record of await channelDirectory.load()) if (record.name) index.set(channelNameKey(record.name), record.id);
        return names.map((name) => index.get(channelNameKey(name)) ?? null);
      }),
    { cacheKeyFn: channelNameKey, maxBatchSize: SLACK_PAGE_LIMIT },
  );

  return { channel, channelIdByName, channels: () => channelDirectory.load() };
}

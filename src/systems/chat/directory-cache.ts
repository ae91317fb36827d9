/**
 * The user directory's entry in the shared cross-request cache (resource `userDirectory`):
 * the member list and when Slack was read, so a replica that starts after another one read
 * Slack costs no Slack call. The cache never fails a load: a read error is a miss, a failed
 * write costs another replica a Slack read, a failed drop is logged.
 */
import { z } from 'zod';
import type { ResourceCache } from '../../cache/types.ts';
import type { Logger } from '../../observability/logger.ts';
import { CHAT_RESOURCES } from './resources.ts';
import { slackUserSchema } from './schemas.ts';

/** The one cache id under `userDirectory` that holds the member list. */
export const USER_DIRECTORY_ENTRY = 'all';

/** What the shared cache entry holds. */
const storedDirectorySchema = z.object({ loadedAt: z.number(), users: z.array(slackUserSchema) });
export type StoredDirectory = z.infer<typeof storedDirectorySchema>;

export interface SharedDirectoryEntry {
  /** The entry, when it parses and `accept`s it; else undefined. */
  read(accept: (stored: StoredDirectory) => boolean): Promise<StoredDirectory | undefined>;
  write(stored: StoredDirectory): Promise<void>;
  /** Deletes the entry; resolves when done (never rejects). */
  drop(): Promise<void>;
  /** Settles once every drop started so far is done: a load must not read the entry before them. */
  dropsDone(): Promise<unknown>;
}

export function sharedDirectoryEntry(cache: ResourceCache, logger: Logger | undefined): SharedDirectoryEntry {
  const resource = CHAT_RESOURCES.userDirectory;
  /** Deletes of the shared entry not yet done. */
  let pendingDrops: Promise<unknown> = Promise.resolve();

  return {
    async read(accept) {
      let value: unknown;
      try {
        [value] = await cache.getMany<unknown>(resource, [USER_DIRECTORY_ENTRY]);
      } catch {
        return undefined; // the cache never fails a load: an error reads as a miss
      }
      if (value === undefined || value === null) return undefined;
      // Another replica (maybe of another version) wrote it: trust only what parses.
      const parsed = storedDirectorySchema.safeParse(value);
      return parsed.success && accept(parsed.data) ? parsed.data : undefined;
    },

    async write(stored) {
      try {
        await cache.setMany<StoredDirectory>(resource, [[USER_DIRECTORY_ENTRY, stored]]);
      } catch {
        // A failed write costs another replica a Slack read, never this answer.
      }
    },

    drop() {
      const drop = cache.delete(resource, [USER_DIRECTORY_ENTRY]).catch((error: unknown) => {
        logger?.error(
          { err: error },
          'could not drop the shared Slack user directory; replicas may start from a stale one until it expires',
        );
      });
      pendingDrops = Promise.all([pendingDrops, drop]);
      return drop;
    },

    dropsDone: () => pendingDrops,
  };
}

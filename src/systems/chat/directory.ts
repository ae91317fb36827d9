/**
 * The Slack user directory as a process-level replica: read once (users.list, all pages),
 * indexed once, and kept fresh from Slack's `user_change` / `team_join` events, as Slack
 * advises for a directory an app reads all the time (users.list is Tier 2: 20+/min).
 *
 * - `snapshot()` answers an immutable `UserSnapshot` (the members in Slack's order, by id,
 *   and the active members by email), built once per load or change, never per request.
 * - Loading is lazy and shared: the first caller starts it, concurrent callers join it. It
 *   reads the shared cross-request cache first (resource `userDirectory`, one entry holding
 *   the member list and when Slack was read; its TTL is the refresh interval), so a replica
 *   that starts after another one read Slack costs no Slack call; else Slack, and the list is
 *   written to that entry. With no snapshot yet, a failed load rejects with the upstream's
 *   GatewayError and the next call tries again.
 * - Refresh: a snapshot older than the refresh interval is still served while one background
 *   reload runs (stale-while-revalidate); a reload takes the shared entry only when another
 *   replica wrote a newer one. A failed background reload is logged and the old snapshot kept
 *   (retried after a short pause). An interval of 0 re-reads the directory on every call.
 * - `applyChange` (every change of the feed; only chat users are used): a change that carries
 *   a record Slack's schema accepts replaces or adds it copy-on-write (a new snapshot, indexes
 *   rebuilt); one without marks the id stale, and the next `snapshot()` re-reads stale ids with
 *   users.info (at most 8 at once; an id Slack no longer has leaves) before answering — or the
 *   whole directory when more ids are stale than it has pages. `deleted` removes the member.
 *   Every change also drops the shared entry, so a replica that starts later does not read a
 *   directory that misses it.
 *
 * Upstream reads use the process-level connector given here, not a request's: one request's
 * deadline or abort must not fail a load every other request shares. Nothing here starts a
 * timer, so nothing keeps the process alive.
 */
import { z } from 'zod';
import type { ResourceCache } from '../../cache/types.ts';
import type { ChangeEvent } from '../../changes/types.ts';
import type { Logger } from '../../observability/logger.ts';
import { SLACK_PAGE_LIMIT, type ChatConnector } from './client.ts';
import { normalizeEmail } from '../../links/email.ts';
import { mapLimit, orNull, readAll } from './reads.ts';
import { CHAT_RESOURCES, DEFAULT_DIRECTORY_REFRESH_SECONDS, FAN_OUT } from './resources.ts';
import { slackUserSchema, type SlackUser } from './schemas.ts';

/** The one cache id under `userDirectory` that holds the member list. */
export const USER_DIRECTORY_ENTRY = 'all';
/** Pause before a background reload is tried again after one failed (at most the refresh interval). */
const FAILED_RELOAD_PAUSE_MS = 5_000;

export interface UserSnapshot {
  /** Every member, deactivated accounts and bots included, in Slack's order. */
  readonly users: readonly SlackUser[];
  readonly byId: ReadonlyMap<string, SlackUser>;
  /**
   * Lower-cased, trimmed email → the active (not `deleted`) members with that address.
   * Deactivated accounts never link: a re-hired person's old account must not make a link
   * ambiguous.
   */
  readonly activeByEmail: ReadonlyMap<string, readonly SlackUser[]>;
  /** Epoch ms at which the member list this snapshot grew from was read from Slack. */
  readonly loadedAt: number;
}

export interface UserDirectory {
  /** The current snapshot; see the module comment for when it waits for Slack. */
  snapshot(): Promise<UserSnapshot>;
  /** Applies a change from the change feed (other systems and entities are ignored). Never rejects. */
  applyChange(event: ChangeEvent): Promise<void>;
  /** Starts a load (for start-up); never rejects: a failure is logged and the next `snapshot()` retries. */
  warm(): Promise<void>;
  /** Stops background work from being started; in-flight calls finish unobserved. */
  close(): void;
}

export interface UserDirectoryOptions {
  /** The process-level chat connector (no request id, no request deadline). */
  connector: ChatConnector;
  /** The cross-request cache scoped to chat and the bot token; its `userDirectory` TTL should be the refresh interval. */
  cache: ResourceCache;
  /** How long a snapshot is served without a reload, in seconds (SLACK_DIRECTORY_REFRESH_SECONDS); 0 reloads on every call. Default 300. */
  refreshSeconds?: number;
  logger?: Logger;
}

/** What the shared cache entry holds. */
const storedDirectorySchema = z.object({ loadedAt: z.number(), users: z.array(slackUserSchema) });
type StoredDirectory = z.infer<typeof storedDirectorySchema>;

/** A change to one member: the record as it now is, or null when it left the directory. */
interface Patch {
  id: string;
  user: SlackUser | null;
}

function freezeDeep<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) freezeDeep(child);
  }
  return value;
}

export function buildUserSnapshot(users: readonly SlackUser[], loadedAt: number): UserSnapshot {
  const list = Object.freeze(users.map((user) => freezeDeep(user)));
  const byId = new Map<string, SlackUser>();
  const activeByEmail = new Map<string, SlackUser[]>();
  for (const user of list) {
    byId.set(user.id, user);
    const email = user.profile.email;
    if (!email || user.deleted) continue;
    const key = normalizeEmail(email);
    const same = activeByEmail.get(key);
    if (same) same.push(user);
    else activeByEmail.set(key, [user]);
  }
  for (const same of activeByEmail.values()) Object.freeze(same);
  return Object.freeze({ users: list, byId, activeByEmail, loadedAt });
}

function patchSnapshot(snapshot: UserSnapshot, patch: Patch): UserSnapshot {
  const index = snapshot.users.findIndex((user) => user.id === patch.id);
  let users: SlackUser[];
  if (patch.user === null) {
    if (index < 0) return snapshot;
    users = snapshot.users.filter((user) => user.id !== patch.id);
  } else if (index >= 0) {
    users = [...snapshot.users];
    users[index] = patch.user;
  } else {
    users = [...snapshot.users, patch.user];
  }
  return buildUserSnapshot(users, snapshot.loadedAt);
}

export function createUserDirectory(options: UserDirectoryOptions): UserDirectory {
  const { connector, cache, logger } = options;
  const refreshMs = Math.max(0, (options.refreshSeconds ?? DEFAULT_DIRECTORY_REFRESH_SECONDS) * 1000);
  const resource = CHAT_RESOURCES.userDirectory;

  let current: UserSnapshot | undefined;
  /** The one full load in flight (shared by every caller). */
  let loading: Promise<UserSnapshot> | undefined;
  /** Member changes applied while `loading` runs, re-applied on top of what it read. */
  let duringLoad: Patch[] | undefined;
  /** Ids whose record is known to be out of date → the change counter when that became known. */
  const stale = new Map<string, number>();
  /** Counts changes; a load that saw none may publish what it read. */
  let changeCount = 0;
  let staleRead: Promise<void> | undefined;
  /** Deletes of the shared entry not yet done: a load must not read the entry before them. */
  let pendingDrops: Promise<unknown> = Promise.resolve();
  let reloadNotBefore = 0;
  let closed = false;

  async function readShared(accept: (stored: StoredDirectory) => boolean): Promise<StoredDirectory | undefined> {
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
  }

  async function writeShared(stored: StoredDirectory): Promise<void> {
    try {
      await cache.setMany<StoredDirectory>(resource, [[USER_DIRECTORY_ENTRY, stored]]);
    } catch {
      // A failed write costs another replica a Slack read, never this answer.
    }
  }

  function dropShared(): Promise<void> {
    const drop = cache.delete(resource, [USER_DIRECTORY_ENTRY]).catch((error: unknown) => {
      logger?.error({ err: error }, 'could not drop the shared Slack user directory; replicas may start from a stale one until it expires');
    });
    pendingDrops = Promise.all([pendingDrops, drop]);
    return drop;
  }

  function applyPatch(patch: Patch): void {
    if (current) current = patchSnapshot(current, patch);
    duringLoad?.push(patch);
  }

  /**
   * One full load, shared: `cache-first` takes the shared entry when `accept`s it, `slack`
   * always reads users.list. A caller arriving while a load runs joins it, whatever its mode.
   */
  function load(mode: 'cache-first' | 'slack'): Promise<UserSnapshot> {
    if (loading) return loading;
    const patches: Patch[] = [];
    const startedAt = changeCount;
    const previous = current;
    const run = (async (): Promise<UserSnapshot> => {
      await pendingDrops;
      let stored: StoredDirectory | undefined;
      if (mode === 'cache-first') {
        // A reload takes the entry only when another replica read Slack after this snapshot was read, and recently.
        stored = await readShared((entry) => !previous || (entry.loadedAt > previous.loadedAt && Date.now() - entry.loadedAt < refreshMs));
      }
      const fromSlack = stored === undefined;
      if (!stored) {
        const users = await readAll((cursor) => connector.listUsers({ limit: SLACK_PAGE_LIMIT, cursor }));
        stored = { loadedAt: Date.now(), users };
      }
      let snapshot = buildUserSnapshot(stored.users, stored.loadedAt);
      if (fromSlack) {
        // Slack was read after these ids went stale, so what it said about them is current.
        for (const [id, marked] of stale) if (marked <= startedAt) stale.delete(id);
      }
      for (const patch of patches) snapshot = patchSnapshot(snapshot, patch);
      // Publish only a list that no change overtook while it was read.
      if (fromSlack && changeCount === startedAt) await writeShared({ loadedAt: stored.loadedAt, users: [...snapshot.users] });
      current = snapshot;
      return snapshot;
    })();
    loading = run;
    duringLoad = patches;
    run
      .finally(() => {
        if (loading === run) {
          loading = undefined;
          duringLoad = undefined;
        }
      })
      .catch(() => undefined);
    return run;
  }

  /** Re-reads the stale ids (users.info, ≤ FAN_OUT at once), or the whole directory when that is cheaper. */
  function resolveStale(): Promise<void> {
    staleRead ??= (async () => {
      const pages = Math.max(1, Math.ceil((current?.users.length ?? 0) / SLACK_PAGE_LIMIT));
      if (stale.size > pages) {
        await load('slack');
        // The load joined may have started before some ids went stale.
        if (stale.size > pages) await load('slack');
        return;
      }
      const marks = [...stale];
      const fetched = await mapLimit(marks, FAN_OUT, ([id]) => orNull(connector.getUser(id)));
      marks.forEach(([id, marked], index) => {
        // Changed again while it was read: the newer change decides.
        if (stale.get(id) !== marked) return;
        stale.delete(id);
        applyPatch({ id, user: fetched[index] });
      });
    })().finally(() => {
      staleRead = undefined;
    });
    return staleRead;
  }

  function refreshInBackground(): void {
    if (refreshMs === 0 || closed || loading || !current) return;
    const now = Date.now();
    if (now - current.loadedAt < refreshMs || now < reloadNotBefore) return;
    load('cache-first').catch((error: unknown) => {
      reloadNotBefore = Date.now() + Math.min(refreshMs, FAILED_RELOAD_PAUSE_MS);
      if (!closed) logger?.warn({ err: error }, 'reloading the Slack user directory failed; serving the previous one');
    });
  }

  async function snapshot(): Promise<UserSnapshot> {
    if (!current || refreshMs === 0) await load('cache-first');
    if (stale.size > 0) await resolveStale();
    refreshInBackground();
    return current!;
  }

  return {
    snapshot,

    async applyChange(event) {
      if (event.system !== 'chat' || event.entity !== 'user') return;
      changeCount++;
      const { id } = event;
      let user: SlackUser | null | undefined;
      if (event.action === 'deleted') user = null;
      else {
        const parsed = slackUserSchema.safeParse(event.record);
        if (parsed.success && parsed.data.id === id) user = parsed.data;
      }
      if (user === undefined) stale.set(id, changeCount);
      else {
        stale.delete(id);
        applyPatch({ id, user });
      }
      await dropShared();
    },

    async warm() {
      try {
        await snapshot();
      } catch (error) {
        logger?.warn({ err: error }, 'loading the Slack user directory failed; the next request retries');
      }
    },

    close() {
      closed = true;
    },
  };
}

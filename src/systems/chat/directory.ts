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
import type { ResourceCache } from '../../cache/types.ts';
import type { ChangeEvent } from '../../changes/types.ts';
import type { Logger } from '../../observability/logger.ts';
import { SLACK_PAGE_LIMIT, type ChatConnector } from './client.ts';
import { sharedDirectoryEntry, type SharedDirectoryEntry, type StoredDirectory } from './directory-cache.ts';
import { mapLimit, orNull, readAll } from './reads.ts';
import { DEFAULT_DIRECTORY_REFRESH_SECONDS, FAN_OUT } from './resources.ts';
import { slackUserSchema, type SlackUser } from './schemas.ts';
import { buildUserSnapshot, patchSnapshot, type Patch, type UserSnapshot } from './user-snapshot.ts';

export { USER_DIRECTORY_ENTRY } from './directory-cache.ts';
export { buildUserSnapshot, type UserSnapshot } from './user-snapshot.ts';

/** Pause before a background reload is tried again after one failed (at most the refresh interval). */
const FAILED_RELOAD_PAUSE_MS = 5_000;

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

/** What one directory holds between calls. */
interface DirectoryState {
  current: UserSnapshot | undefined;
  /** The one full load in flight (shared by every caller). */
  loading: Promise<UserSnapshot> | undefined;
  /** Member changes applied while `loading` runs, re-applied on top of what it read. */
  duringLoad: Patch[] | undefined;
  /** Ids whose record is known to be out of date → the change counter when that became known. */
  readonly stale: Map<string, number>;
  /** Counts changes; a load that saw none may publish what it read. */
  changeCount: number;
  staleRead: Promise<void> | undefined;
  reloadNotBefore: number;
  closed: boolean;
}

/** One directory: its state and what it reads from; every part below takes it. */
interface Directory {
  readonly state: DirectoryState;
  readonly connector: ChatConnector;
  readonly shared: SharedDirectoryEntry;
  readonly refreshMs: number;
  readonly logger: Logger | undefined;
}

type LoadMode = 'cache-first' | 'slack';

export function createUserDirectory(options: UserDirectoryOptions): UserDirectory {
  const { connector, cache, logger } = options;
  const directory: Directory = {
    state: {
      current: undefined,
      loading: undefined,
      duringLoad: undefined,
      stale: new Map(),
      changeCount: 0,
      staleRead: undefined,
      reloadNotBefore: 0,
      closed: false,
    },
    connector,
    shared: sharedDirectoryEntry(cache, logger),
    refreshMs: Math.max(0, (options.refreshSeconds ?? DEFAULT_DIRECTORY_REFRESH_SECONDS) * 1000),
    logger,
  };

  return {
    snapshot: () => snapshot(directory),

    applyChange: (event) => applyChange(directory, event),

    async warm() {
      try {
        await snapshot(directory);
      } catch (error) {
        logger?.warn({ err: error }, 'loading the Slack user directory failed; the next request retries');
      }
    },

    close() {
      directory.state.closed = true;
    },
  };
}

async function snapshot(directory: Directory): Promise<UserSnapshot> {
  const { state } = directory;
  if (!state.current || directory.refreshMs === 0) await load(directory, 'cache-first');
  if (state.stale.size > 0) await resolveStale(directory);
  refreshInBackground(directory);
  return state.current!;
}

async function applyChange(directory: Directory, event: ChangeEvent): Promise<void> {
  if (event.system !== 'chat' || event.entity !== 'user') return;
  const { state } = directory;
  state.changeCount++;
  const { id } = event;
  let user: SlackUser | null | undefined;
  if (event.action === 'deleted') user = null;
  else {
    const parsed = slackUserSchema.safeParse(event.record);
    if (parsed.success && parsed.data.id === id) user = parsed.data;
  }
  if (user === undefined) state.stale.set(id, state.changeCount);
  else {
    state.stale.delete(id);
    applyPatch(state, { id, user });
  }
  await directory.shared.drop();
}

function applyPatch(state: DirectoryState, patch: Patch): void {
  if (state.current) state.current = patchSnapshot(state.current, patch);
  state.duringLoad?.push(patch);
}

/**
 * One full load, shared: `cache-first` takes the shared entry when `accept`s it, `slack`
 * always reads users.list. A caller arriving while a load runs joins it, whatever its mode.
 */
function load(directory: Directory, mode: LoadMode): Promise<UserSnapshot> {
  const { state } = directory;
  if (state.loading) return state.loading;
  const patches: Patch[] = [];
  const run = readDirectory(directory, mode, patches, state.changeCount, state.current);
  state.loading = run;
  state.duringLoad = patches;
  run
    .finally(() => {
      if (state.loading === run) {
        state.loading = undefined;
        state.duringLoad = undefined;
      }
    })
    .catch(() => undefined);
  return run;
}

/** The body of one load: `patches` fills with the changes applied while it runs, `startedAt` is the change counter when it began. */
async function readDirectory(
  directory: Directory,
  mode: LoadMode,
  patches: readonly Patch[],
  startedAt: number,
  previous: UserSnapshot | undefined,
): Promise<UserSnapshot> {
  const { state, shared, refreshMs } = directory;
  await shared.dropsDone();
  let stored: StoredDirectory | undefined;
  if (mode === 'cache-first') {
    // A reload takes the entry only when another replica read Slack after this snapshot was read, and recently.
    stored = await shared.read((entry) => !previous || (entry.loadedAt > previous.loadedAt && Date.now() - entry.loadedAt < refreshMs));
  }
  const fromSlack = stored === undefined;
  if (!stored) {
    const users = await readAll((cursor) => directory.connector.listUsers({ limit: SLACK_PAGE_LIMIT, cursor }));
    stored = { loadedAt: Date.now(), users };
  }
  let snapshot = buildUserSnapshot(stored.users, stored.loadedAt);
  if (fromSlack) {
    // Slack was read after these ids went stale, so what it said about them is current.
    for (const [id, marked] of state.stale) if (marked <= startedAt) state.stale.delete(id);
  }
  for (const patch of patches) snapshot = patchSnapshot(snapshot, patch);
  // Publish only a list that no change overtook while it was read.
  if (fromSlack && state.changeCount === startedAt) await shared.write({ loadedAt: stored.loadedAt, users: [...snapshot.users] });
  state.current = snapshot;
  return snapshot;
}

/** Re-reads the stale ids (users.info, ≤ FAN_OUT at once), or the whole directory when that is cheaper. */
function resolveStale(directory: Directory): Promise<void> {
  const { state } = directory;
  state.staleRead ??= (async () => {
    const pages = Math.max(1, Math.ceil((state.current?.users.length ?? 0) / SLACK_PAGE_LIMIT));
    if (state.stale.size > pages) {
      await load(directory, 'slack');
      // The load joined may have started before some ids went stale.
      if (state.stale.size > pages) await load(directory, 'slack');
      return;
    }
    const marks = [...state.stale];
    const fetched = await mapLimit(marks, FAN_OUT, ([id]) => orNull(directory.connector.getUser(id)));
    marks.forEach(([id, marked], index) => {
      // Changed again while it was read: the newer change decides.
      if (state.stale.get(id) !== marked) return;
      state.stale.delete(id);
      applyPatch(state, { id, user: fetched[index] });
    });
  })().finally(() => {
    state.staleRead = undefined;
  });
  return state.staleRead;
}

function refreshInBackground(directory: Directory): void {
  const { state, refreshMs } = directory;
  if (refreshMs === 0 || state.closed || state.loading || !state.current) return;
  const now = Date.now();
  if (now - state.current.loadedAt < refreshMs || now < state.reloadNotBefore) return;
  load(directory, 'cache-first').catch((error: unknown) => {
    state.reloadNotBefore = Date.now() + Math.min(refreshMs, FAILED_RELOAD_PAUSE_MS);
    if (!state.closed) directory.logger?.warn({ err: error }, 'reloading the Slack user directory failed; serving the previous one');
  });
}

/**
 * The Slack user directory as a process-level replica (src/systems/chat/directory.ts):
 * read once, served from memory, kept fresh by Slack's user events, refreshed in the
 * background, shared through the cross-request cache. Through the real gateway and sandbox,
 * with upstream calls counted at the sandbox.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCacheStore, type CacheStore } from '../src/cache/store.ts';
import type { ChangeEvent } from '../src/changes/types.ts';
import { DEFAULT_CACHE_TTL_SECONDS } from '../src/config.ts';
import { createChatConnector, createUserDirectory, slackProfile, SLACK_PAGE_LIMIT, type SlackUser } from '../src/systems/chat/index.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/observability/logger.ts';
import {
  type RequestLogEntry,
  type Sandbox,
  type SandboxServer,
  SANDBOX_CREDENTIALS,
  startSandbox,
  type WorldOptions,
} from '@switchboard/sandbox';
import { createUpstreamClient, type ResilientUpstreamClient } from '../src/upstream/client.ts';
import { resolveUpstreams } from '../src/upstreams.ts';
import { TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from './support/credentials.ts';
import { registerWebhooks, sandboxAdmin, serve, sleep, type Served } from './support/live.ts';
import { hasService } from './support/services.ts';
import { startStack, type Stack } from './support/stack.ts';
import { loadDemoConfig } from './support/demo-config.ts';
import { captureLog, LEVEL } from './support/log-capture.ts';

const W1 = readFileSync(new URL('../documents/W1ContactsWithLinks.graphql', import.meta.url), 'utf8');

/** 20 owners' accounts + 250 other members + the bot: two users.list pages at 200. */
const WORLD: WorldOptions = { size: { extraChatUsers: 250 } };

/** The refresh interval, under the name config will give it and as the directory's TTL (both mean the same). */
const refreshEveryS = (seconds: number) => ({
  SLACK_DIRECTORY_REFRESH_SECONDS: String(seconds),
  CACHE_TTL_USER_DIRECTORY: String(seconds),
});

/**
 * The whole-response cache would answer a repeated query without reaching the directory at
 * all; these tests are about the directory, so it is off in their gateways.
 */
const NO_RESPONSE_CACHE = { RESPONSE_CACHE: '0' };

/** Every record TTL of the table at 0 (the directory's refresh interval is not a record TTL). */
const NO_RECORD_CACHE: Record<string, string> = Object.fromEntries(
  Object.keys(DEFAULT_CACHE_TTL_SECONDS)
    .filter((resource) => resource !== 'userDirectory')
    .map((resource) => [`CACHE_TTL_${resource.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, '0']),
);

const OWNER_QUERY = 'query($id: ID!) { owner(id: $id) { id email chatUser { id name displayName } } }';
const USER_QUERY = 'query($id: ID!) { chatUser(id: $id) { id name displayName deleted } }';

type OwnerResult = { owner: { id: string; email: string; chatUser: { id: string; name: string; displayName: string | null } | null } };
type UserResult = { chatUser: { id: string; name: string; displayName: string | null; deleted: boolean } | null };

const USERS_LIST = 'GET /api/users.list';
// A users.list answer held by a sandbox gate waits for the test to open it, at most this
// long (far below the tests' 30 s): a regression then fails on the recorded cause
// ('timeout') and the data instead of hanging.
const GATE_TIMEOUT_MS = 8_000;

/** The first users.list request since the log was reset, once it has arrived and is held (logged, unanswered). */
function heldUsersList(server: SandboxServer): Promise<RequestLogEntry> {
  return vi.waitFor(
    () => {
      const first = server.requests.entries.find((e) => e.route === USERS_LIST);
      expect(first).toBeDefined();
      expect(first!.answeredAt).toBeUndefined();
      return first!;
    },
    { timeout: 10_000 },
  );
}

const chatCalls = (sandbox: Sandbox, method?: string) =>
  sandbox.server('chat').requests.count(method === undefined ? undefined : `GET /api/${method}`);

async function usersListPages(sandbox: Sandbox): Promise<number> {
  const workspace = await sandboxAdmin(sandbox, 'chat', 'workspace', undefined, 'GET');
  return Math.ceil((workspace.users as number) / SLACK_PAGE_LIMIT);
}

/** Polls `check` until it holds (or fails the test after `timeoutMs`). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

function userChange(id: string, extra: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    eventId: `test-${randomUUID()}`,
    system: 'chat',
    entity: 'user',
    id,
    action: 'updated',
    occurredAt: Date.now(),
    source: 'webhook',
    ...extra,
  };
}

describe('the user directory with every record TTL at 0', () => {
  let stack: Stack;
  let pages: number;
  beforeAll(async () => {
    stack = await startStack({ world: WORLD, env: { ...NO_RESPONSE_CACHE, ...NO_RECORD_CACHE } });
    pages = await usersListPages(stack.sandbox);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('reads users.list once (all pages) for the first W1 and serves the second W1 with no Slack call', async () => {
    expect(pages).toBe(2);
    stack.resetCounts();
    const first = await stack.query(W1);
    expect(first.errors).toBeUndefined();
    expect(chatCalls(stack.sandbox)).toBe(pages);
    expect(chatCalls(stack.sandbox, 'users.list')).toBe(pages);

    stack.resetCounts();
    const second = await stack.query(W1);
    expect(second.errors).toBeUndefined();
    expect(second.data).toEqual(first.data);
    expect(chatCalls(stack.sandbox)).toBe(0);
    // The records really are uncached: the CRM and Stripe were asked again.
    expect(stack.counts().crm).toBeGreaterThan(0);
  });

  it('re-reads a member named by a change without its record with one users.info call, and nothing else', async () => {
    const member = stack.sandbox.world.chatUsers.find((user) => user.ownerId === null)!;
    await sandboxAdmin(stack.sandbox, 'chat', 'edit', {
      kind: 'user',
      id: member.id,
      set: { profile: { display_name: 'Renamed quietly' } },
    });
    // Nothing told the gateway yet: the directory still holds the old record.
    stack.resetCounts();
    const before = await stack.query<UserResult>(USER_QUERY, { id: member.id });
    expect(before.data!.chatUser!.displayName).not.toBe('Renamed quietly');
    expect(chatCalls(stack.sandbox)).toBe(0);

    await stack.gateway.changes.publish(userChange(member.id));
    const after = await eventually(
      () => stack.query<UserResult>(USER_QUERY, { id: member.id }),
      (result) => result.data?.chatUser?.displayName === 'Renamed quietly',
    );
    expect(after.errors).toBeUndefined();
    expect(chatCalls(stack.sandbox, 'users.info')).toBe(1);
    expect(chatCalls(stack.sandbox)).toBe(1);
  });
});

describe('the user directory kept fresh by Slack events', () => {
  let stack: Stack;
  let served: Served;
  beforeAll(async () => {
    stack = await startStack({ world: WORLD, env: NO_RESPONSE_CACHE });
    served = await serve(stack.gateway);
    await registerWebhooks(stack.sandbox, served.url, {}, ['chat']);
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  const world = () => stack.sandbox.world;
  const accountOf = (ownerId: string) => world().chatUsers.find((user) => user.ownerId === ownerId)!;
  const owner = (id: string) => stack.query<OwnerResult>(OWNER_QUERY, { id });

  it("shows a member's new display name after Slack's user_change, with at most one Slack call", async () => {
    const target = world().owners[0];
    const account = accountOf(target.id);
    const warm = await owner(target.id);
    expect(warm.errors).toBeUndefined();
    expect(warm.data!.owner.chatUser!.id).toBe(account.id);

    stack.resetCounts();
    await sandboxAdmin(stack.sandbox, 'chat', 'edit', {
      kind: 'user',
      id: account.id,
      set: { profile: { display_name: 'Captain Renamed' } },
    });
    const renamed = await eventually(
      () => owner(target.id),
      (result) => result.data?.owner.chatUser?.displayName === 'Captain Renamed',
    );
    expect(renamed.errors).toBeUndefined();
    const byId = await stack.query<UserResult>(USER_QUERY, { id: account.id });
    expect(byId.data!.chatUser!.displayName).toBe('Captain Renamed');
    // Slack's user_change carries the whole user, so nothing needs reading (users.info at most).
    expect(chatCalls(stack.sandbox)).toBeLessThanOrEqual(1);
    expect(chatCalls(stack.sandbox, 'users.list')).toBe(0);
  });

  it('stops linking an owner to a deactivated member', async () => {
    const target = world().owners[1];
    const account = accountOf(target.id);
    expect((await owner(target.id)).data!.owner.chatUser?.id).toBe(account.id);

    stack.resetCounts();
    await sandboxAdmin(stack.sandbox, 'chat', 'edit', { kind: 'user', id: account.id, set: { deleted: true } });
    const unlinked = await eventually(
      () => owner(target.id),
      (result) => result.data?.owner.chatUser === null,
    );
    expect(unlinked.errors).toBeUndefined();
    // Still a member of the workspace, shown as deactivated.
    const byId = await stack.query<UserResult>(USER_QUERY, { id: account.id });
    expect(byId.data!.chatUser).toMatchObject({ id: account.id, deleted: true });
    expect(chatCalls(stack.sandbox)).toBeLessThanOrEqual(1);
    expect(chatCalls(stack.sandbox, 'users.list')).toBe(0);
  });

  it('links an owner to a member who joins after the directory was read (team_join)', async () => {
    // The owner whose account was deactivated above joins again under a new account.
    const target = world().owners[1];
    stack.resetCounts();
    const edit = await sandboxAdmin(stack.sandbox, 'chat', 'edit', {
      kind: 'user',
      set: {
        name: 'rehired.owner',
        real_name: 'Rehired Owner',
        profile: { email: target.email.toUpperCase(), display_name: 'Back again' },
      },
    });
    const joined = (edit.object as { id: string }).id;
    const linked = await eventually(
      () => owner(target.id),
      (result) => result.data?.owner.chatUser?.id === joined,
    );
    expect(linked.data!.owner.chatUser).toEqual({ id: joined, name: 'rehired.owner', displayName: 'Back again' });
    const listed = await stack.query<{ chatUsers: { totalCount: number } }>('{ chatUsers(first: 1, includeDeleted: true) { totalCount } }');
    expect(listed.data!.chatUsers.totalCount).toBe(
      (await sandboxAdmin(stack.sandbox, 'chat', 'workspace', undefined, 'GET')).users as number,
    );
    expect(chatCalls(stack.sandbox)).toBeLessThanOrEqual(1);
    expect(chatCalls(stack.sandbox, 'users.list')).toBe(0);
  });
});

describe('the user directory refresh', () => {
  let stack: Stack;
  let pages: number;
  beforeAll(async () => {
    stack = await startStack({ world: WORLD, env: { ...NO_RESPONSE_CACHE, ...refreshEveryS(1) } });
    pages = await usersListPages(stack.sandbox);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('serves an old snapshot at once and reloads it once in the background', async () => {
    const member = stack.sandbox.world.chatUsers.find((user) => user.ownerId === null)!;
    stack.resetCounts();
    const first = await stack.query<UserResult>(USER_QUERY, { id: member.id });
    expect(first.errors).toBeUndefined();
    expect(chatCalls(stack.sandbox, 'users.list')).toBe(pages);

    // A change no event reports (no webhooks here): only a reload can see it.
    await sandboxAdmin(stack.sandbox, 'chat', 'edit', {
      kind: 'user',
      id: member.id,
      set: { profile: { display_name: 'Seen on reload' } },
    });
    // The refresh interval (1 s) has to pass for the snapshot to be old: only time makes it so.
    await sleep(1100);
    // Slack holds users.list until the test opens the gate: a request that waited for the
    // reload could not be answered before that (and would then see the new name).
    const chat = stack.sandbox.server('chat');
    const gate = chat.gate({ route: USERS_LIST, timeoutMs: GATE_TIMEOUT_MS }).id;
    stack.resetCounts();
    const answeredAt: number[] = [];
    const stale = await Promise.all(
      [1, 2, 3].map(async () => {
        const result = await stack.query<UserResult>(USER_QUERY, { id: member.id });
        answeredAt.push(performance.timeOrigin + performance.now());
        return result;
      }),
    );
    for (const result of stale) {
      expect(result.errors).toBeUndefined();
      expect(result.data!.chatUser!.displayName).not.toBe('Seen on reload');
    }

    // They were answered while the reload they started still waited for its first page.
    const firstPage = await heldUsersList(chat);
    expect(chatCalls(stack.sandbox, 'users.list')).toBe(1);
    expect(chat.openGate(gate)).toBe(true);

    // One reload for all three requests: the page count, once.
    await eventually(
      async () => chatCalls(stack.sandbox, 'users.list'),
      (calls) => calls >= pages,
    );
    const reload = chat.requests.entries.filter((e) => e.route === USERS_LIST);
    await eventually(
      async () => reload.at(-1)!.answeredAt,
      (at) => at !== undefined,
    );
    expect(firstPage.heldUntil).toBe('opened');
    for (const at of answeredAt) expect(at).toBeLessThan(reload.at(-1)!.answeredAt!);
    // Counted before the next query: once the new snapshot is a refresh interval old, that
    // query would rightly start a reload of its own, and no margin decides when that is.
    expect(chatCalls(stack.sandbox, 'users.list')).toBe(pages);
    expect(chatCalls(stack.sandbox)).toBe(pages);
    const fresh = await eventually(
      () => stack.query<UserResult>(USER_QUERY, { id: member.id }),
      (result) => result.data?.chatUser?.displayName === 'Seen on reload',
    );
    expect(fresh.errors).toBeUndefined();
  });
});

describe('the user directory when Slack is down', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 100 }, env: { ...NO_RESPONSE_CACHE, UPSTREAM_BREAKER_THRESHOLD: '1000' } });
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(async () => {
    await stack.sandbox.server('chat').resetAll();
  });

  it('answers UPSTREAM_UNAVAILABLE for chat users while the first load fails, and loads on the next query after recovery', async () => {
    const target = stack.sandbox.world.owners[0];
    const account = stack.sandbox.world.chatUsers.find((user) => user.ownerId === target.id)!;
    const query = 'query($owner: ID!, $user: ID!) { owner(id: $owner) { id chatUser { id } } chatUser(id: $user) { id } }';
    await stack.sandbox.server('chat').setKnobs({ outage: 'refuse' });
    const down = await stack.query<{ owner: { id: string; chatUser: unknown }; chatUser: unknown }>(query, {
      owner: target.id,
      user: account.id,
    });
    expect(down.data!.owner).toEqual({ id: target.id, chatUser: null });
    expect(down.data!.chatUser).toBeNull();
    const paths = (down.errors ?? []).map((error) => error.path?.join('.')).sort();
    expect(paths).toEqual(['chatUser', 'owner.chatUser']);
    for (const error of down.errors!) expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'chat' });

    await stack.sandbox.server('chat').setKnobs({ outage: 'none' });
    stack.resetCounts();
    const back = await stack.query<{ owner: { chatUser: { id: string } | null }; chatUser: { id: string } | null }>(query, {
      owner: target.id,
      user: account.id,
    });
    expect(back.errors).toBeUndefined();
    expect(back.data!.owner.chatUser).toEqual({ id: account.id });
    expect(back.data!.chatUser).toEqual({ id: account.id });
    expect(chatCalls(stack.sandbox, 'users.list')).toBe(1);
  });

  it('keeps serving a loaded directory while Slack is down', async () => {
    const account = stack.sandbox.world.chatUsers[3];
    await stack.query(USER_QUERY, { id: account.id });
    await stack.sandbox.server('chat').setKnobs({ outage: 'refuse' });
    const result = await stack.query<UserResult>(USER_QUERY, { id: account.id });
    expect(result.errors).toBeUndefined();
    expect(result.data!.chatUser!.id).toBe(account.id);
  });
});

describe("the user directory and a request's deadline", () => {
  let stack: Stack;
  beforeAll(async () => {
    // The deadline passes while Slack holds the load (a gate the test opens), so its length
    // decides nothing; it only needs to leave the request time to start the load.
    stack = await startStack({ world: { size: 100 }, env: { ...NO_RESPONSE_CACHE, REQUEST_DEADLINE_MS: '1000' } });
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(() => stack.sandbox.server('chat').clearGates());

  it('ends the waiting request at its deadline but lets the shared load finish for the next one', async () => {
    const account = stack.sandbox.world.chatUsers[0];
    const chat = stack.sandbox.server('chat');
    const gate = chat.gate({ route: USERS_LIST, timeoutMs: GATE_TIMEOUT_MS }).id;
    stack.resetCounts();
    const late = await stack.query<UserResult>(USER_QUERY, { id: account.id });
    expect(late.data!.chatUser).toBeNull();
    expect(late.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', service: 'chat' });
    // Answered at its deadline while Slack still held the load's users.list.
    const load = await heldUsersList(chat);
    expect(chat.openGate(gate)).toBe(true);
    // The load the late request started was not cancelled with it: Slack answers it, and
    // the next request takes what it read (or joins it, if the gateway is still reading).
    await vi.waitFor(() => expect(load.answeredAt).toBeDefined(), { timeout: 10_000 });
    expect(load.heldUntil).toBe('opened');
    const next = await stack.query<UserResult>(USER_QUERY, { id: account.id });
    expect(next.errors).toBeUndefined();
    expect(next.data!.chatUser!.id).toBe(account.id);
    expect(chatCalls(stack.sandbox, 'users.list')).toBe(1);
    expect(chatCalls(stack.sandbox)).toBe(1);
  });
});

const RELOAD_FAILED = 'reloading the Slack user directory failed; serving the previous one';

describe('createUserDirectory against the Slack emulator', () => {
  let sandbox: Sandbox;
  let http: ResilientUpstreamClient;
  const stores: CacheStore[] = [];
  const newStore = () => {
    const store = createCacheStore({ maxEntries: 10_000, namespace: `test-${randomUUID()}` });
    stores.push(store);
    return store;
  };
  const scopedOf = (store: CacheStore) =>
    store.scoped('chat', SANDBOX_CREDENTIALS.chat, { ...DEFAULT_CACHE_TTL_SECONDS, userDirectory: 300 });
  const directoryOn = (store: CacheStore, refreshSeconds?: number) =>
    createUserDirectory({ connector: createChatConnector(http), cache: scopedOf(store), refreshSeconds });
  let pages: number;

  beforeAll(async () => {
    sandbox = await startSandbox({ world: WORLD, systems: ['chat'] });
    http = createUpstreamClient({
      profile: slackProfile,
      baseUrl: `${sandbox.urls.chat}/api`,
      credential: SANDBOX_CREDENTIALS.chat,
      retries: 0,
    });
    pages = await usersListPages(sandbox);
  });
  afterAll(async () => {
    await http?.close();
    await Promise.all(stores.map((store) => store.close()));
    await sandbox?.close();
  });
  afterEach(async () => {
    await sandbox.server('chat').resetAll();
  });

  it('shares one load among concurrent callers, and builds each snapshot once', async () => {
    const directory = directoryOn(newStore());
    const snapshots = await Promise.all(Array.from({ length: 10 }, () => directory.snapshot()));
    expect(chatCalls(sandbox, 'users.list')).toBe(pages);
    expect(new Set(snapshots).size).toBe(1);
    const [snapshot] = snapshots;
    expect(snapshot.users.length).toBe(snapshot.byId.size);
    expect(Object.isFrozen(snapshot.users)).toBe(true);
    expect(await directory.snapshot()).toBe(snapshot);
    // Deactivated members and bots are members; only active ones link by email.
    const deactivated = snapshot.users.find((user) => user.deleted && user.profile.email);
    expect(deactivated).toBeDefined();
    expect(
      snapshot.activeByEmail.get(deactivated!.profile.email!.trim().toLowerCase())?.some((user) => user.id === deactivated!.id) ?? false,
    ).toBe(false);
    expect(snapshot.users.some((user) => user.is_bot)).toBe(true);
  });

  it('lets a second replica start from the shared cache entry with no Slack call, until a change drops it', async () => {
    const store = newStore();
    const first = directoryOn(store);
    const read = await first.snapshot();
    sandbox.server('chat').requests.reset();
    const second = directoryOn(store);
    const copy = await second.snapshot();
    expect(copy.users.map((user) => user.id)).toEqual(read.users.map((user) => user.id));
    expect(copy.loadedAt).toBe(read.loadedAt);
    expect(chatCalls(sandbox)).toBe(0);

    const changed: SlackUser = { ...read.users[5], profile: { ...read.users[5].profile, display_name: 'Changed' } };
    await first.applyChange(userChange(changed.id, { record: changed }));
    expect((await first.snapshot()).byId.get(changed.id)!.profile.display_name).toBe('Changed');
    expect(chatCalls(sandbox)).toBe(0);
    const third = directoryOn(store);
    await third.snapshot();
    expect(chatCalls(sandbox, 'users.list')).toBe(pages);
  });

  it('applies changes copy-on-write: the old snapshot stays as it was', async () => {
    const directory = directoryOn(newStore());
    const before = await directory.snapshot();
    const member = before.users.find((user) => !user.deleted && !user.is_bot && user.profile.email)!;
    const email = member.profile.email!.trim().toLowerCase();
    await directory.applyChange(userChange(member.id, { record: { ...member, deleted: true } }));
    const after = await directory.snapshot();
    expect(after).not.toBe(before);
    expect(after.byId.get(member.id)!.deleted).toBe(true);
    expect(after.activeByEmail.has(email)).toBe(false);
    expect(before.byId.get(member.id)!.deleted).toBe(false);
    expect(before.activeByEmail.get(email)!.map((user) => user.id)).toContain(member.id);

    await directory.applyChange(userChange(member.id, { action: 'deleted' }));
    expect((await directory.snapshot()).byId.has(member.id)).toBe(false);
    expect((await directory.snapshot()).users).toHaveLength(before.users.length - 1);
    // Changes of other entities and systems are not the directory's business.
    const unchanged = await directory.snapshot();
    await directory.applyChange({ ...userChange('C123'), entity: 'channel' });
    await directory.applyChange({ ...userChange(member.id), system: 'crm' });
    expect(await directory.snapshot()).toBe(unchanged);
    expect(chatCalls(sandbox, 'users.info')).toBe(0);
  });

  it('re-reads stale ids one by one (an id Slack no longer has leaves), or reloads when more are stale than it has pages', async () => {
    const directory = directoryOn(newStore());
    const loaded = await directory.snapshot();
    sandbox.server('chat').requests.reset();
    await directory.applyChange(userChange(loaded.users[1].id));
    await directory.applyChange(userChange('UGONE000000'));
    const patched = await directory.snapshot();
    expect(chatCalls(sandbox, 'users.info')).toBe(2);
    expect(chatCalls(sandbox)).toBe(2);
    expect(patched.byId.has('UGONE000000')).toBe(false);
    expect(patched.users).toHaveLength(loaded.users.length);

    sandbox.server('chat').requests.reset();
    for (const user of loaded.users.slice(10, 10 + pages + 1)) await directory.applyChange(userChange(user.id));
    await directory.snapshot();
    expect(chatCalls(sandbox, 'users.list')).toBe(pages);
    expect(chatCalls(sandbox)).toBe(pages);
    sandbox.server('chat').requests.reset();
    await directory.snapshot();
    expect(chatCalls(sandbox)).toBe(0);
  });

  it('keeps the old snapshot when a background reload fails, and rejects with the upstream error when there is none', async () => {
    const log = captureLog('warn');
    const directory = createUserDirectory({
      connector: createChatConnector(http),
      cache: scopedOf(newStore()),
      refreshSeconds: 1,
      logger: log.logger,
    });
    const loaded = await directory.snapshot();
    // The refresh interval (1 s) has to pass for the snapshot to be old: only time makes it so.
    await sleep(1050);
    await sandbox.server('chat').setKnobs({ outage: 'refuse' });
    expect(await directory.snapshot()).toBe(loaded);
    // Once the background reload this started has failed (the directory says so), not after a guessed time.
    await vi.waitFor(() => expect(log.lines.filter((l) => l.level === LEVEL.warn).map((l) => l.msg)).toContain(RELOAD_FAILED), {
      timeout: 10_000,
    });
    expect(await directory.snapshot()).toBe(loaded);

    const cold = directoryOn(newStore());
    await expect(cold.snapshot()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'chat' });
    await cold.warm(); // never rejects
    await sandbox.server('chat').setKnobs({ outage: 'none' });
    expect((await cold.snapshot()).users.length).toBe(loaded.users.length);
  });

  it('re-reads on every call with a refresh interval of 0', async () => {
    const store = newStore();
    const directory = createUserDirectory({
      connector: createChatConnector(http),
      cache: store.scoped('chat', SANDBOX_CREDENTIALS.chat, { userDirectory: 0 }),
      refreshSeconds: 0,
    });
    await directory.snapshot();
    await directory.snapshot();
    expect(chatCalls(sandbox, 'users.list')).toBe(2 * pages);
  });
});

describe.runIf(hasService('redis'))('the user directory on two replicas sharing Redis', () => {
  let sandbox: Sandbox;
  const gateways: Gateway[] = [];
  const namespace = `test-${randomUUID()}`;
  const replica = () => {
    const config = loadDemoConfig({
      LOG_LEVEL: 'silent',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
      RATE_LIMIT_PER_MINUTE: '0',
    });
    const gateway = createGateway({
      config,
      upstreams: resolveUpstreams(config, sandbox),
      logger: createLogger('silent'),
      cacheNamespace: namespace,
    });
    gateways.push(gateway);
    return gateway;
  };
  const run = async <T>(gateway: Gateway, query: string, variables?: Record<string, unknown>) => {
    const response = await gateway.yoga.fetch('http://replica.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TEST_AUTH_HEADERS },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: unknown[] };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ world: WORLD });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await sandbox?.close();
  });

  it("starts the second replica from the first one's read, and applies a change published on the other replica", async () => {
    const a = replica();
    const b = replica();
    await Promise.all([a.changes.ready?.(), b.changes.ready?.()]);
    const member = sandbox.world.chatUsers.find((user) => user.ownerId === null)!;
    sandbox.server('chat').requests.reset();
    expect((await run<UserResult>(a, USER_QUERY, { id: member.id })).errors).toBeUndefined();
    expect(chatCalls(sandbox, 'users.list')).toBe(await usersListPages(sandbox));
    sandbox.server('chat').requests.reset();
    expect((await run<UserResult>(b, USER_QUERY, { id: member.id })).errors).toBeUndefined();
    expect(chatCalls(sandbox)).toBe(0);

    const edit = await sandboxAdmin(sandbox, 'chat', 'edit', {
      kind: 'user',
      id: member.id,
      set: { profile: { display_name: 'Told via A' } },
    });
    await a.changes.publish(userChange(member.id, { record: edit.object }));
    const seen = await eventually(
      () => run<UserResult>(b, USER_QUERY, { id: member.id }),
      (result) => result.data?.chatUser?.displayName === 'Told via A',
    );
    expect(seen.errors).toBeUndefined();
    expect(chatCalls(sandbox)).toBe(0);
  });
});

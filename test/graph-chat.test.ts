/**
 * The chat subschema end to end against the Slack emulator over real HTTP: GraphQL
 * operations run on the subschema's executable schema with per-request loaders, a shared
 * memory cache store and the real upstream client; upstream cost is read from the
 * sandbox's request log. A scripted local Slack covers what the emulator cannot be made to
 * send (an unknown message subtype) and what its log does not record (request headers).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { ExecutionResult } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { stitchSchemas } from '@graphql-tools/stitch';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { invalidateCached } from '../src/cache/cached-loader.ts';
import { createCacheStore, type CacheStore } from '../src/cache/store.ts';
import { DEFAULT_CACHE_TTL_SECONDS } from '../src/config.ts';
import {
  createChatConnector,
  createChatLoaders,
  createUserDirectory,
  slackProfile,
  type ChatConnector,
  type UserDirectory,
} from '../src/systems/chat/index.ts';
import type { UpstreamResponse } from '../src/upstream/types.ts';
import type { GatewayContext } from '../src/context.ts';
import {
  type ChatEmulator,
  createChatEmulator,
  createWorld,
  SANDBOX_CREDENTIALS,
  SandboxServer,
  type WorldOptions,
  worldSizeFor,
} from '@switchboard/sandbox';
import { createUpstreamClient, type ResilientUpstreamClient } from '../src/upstream/client.ts';
import { createChatSubschema } from '../resolvers/chat/index.ts';

// @graphql-tools runs outside vitest's transform and so loads graphql's CommonJS build;
// executing with the ESM build that vitest would give us is refused as "another realm".
const { graphql } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const { schema } = createChatSubschema();
const TOKEN = SANDBOX_CREDENTIALS.chat;

type Result = ExecutionResult<Record<string, any>>;

interface Harness {
  server: SandboxServer;
  emulator: ChatEmulator;
  http: ResilientUpstreamClient;
  connector: ChatConnector;
  /** A fresh, empty cross-request cache. */
  newCache(): CacheStore;
  /** The process-level user directory that goes with `cache` (one per cache, as one per gateway). */
  directoryFor(cache: CacheStore): UserDirectory;
  /** Runs one operation as one gateway request: new loaders over `cache` (default: a cold one) and its directory. */
  run(source: string, variables?: Record<string, unknown>, cache?: CacheStore): Promise<Result>;
  count(method?: string): number;
  close(): Promise<void>;
}

async function startChat(world: WorldOptions, clientOptions: { credential?: string; retries?: number } = {}): Promise<Harness> {
  const emulator = createChatEmulator(createWorld(world), { token: TOKEN });
  const server = new SandboxServer(emulator);
  const root = await server.listen(0);
  const http = createUpstreamClient({
    profile: slackProfile,
    baseUrl: `${root}/api`,
    credential: clientOptions.credential ?? TOKEN,
    retries: clientOptions.retries,
  });
  const connector = createChatConnector(http);
  const stores: CacheStore[] = [];
  const newCache = () => {
    const store = createCacheStore({ maxEntries: 100_000, namespace: `test-${randomUUID()}` });
    stores.push(store);
    return store;
  };
  const directories = new Map<CacheStore, UserDirectory>();
  const directoryFor = (cache: CacheStore) => {
    let directory = directories.get(cache);
    if (!directory) {
      directory = createUserDirectory({ connector, cache: cache.scoped('chat', TOKEN, DEFAULT_CACHE_TTL_SECONDS) });
      directories.set(cache, directory);
    }
    return directory;
  };
  return {
    server,
    emulator,
    http,
    connector,
    newCache,
    directoryFor,
    run(source, variables, cache = newCache()) {
      const requestId = randomUUID();
      const loaders = createChatLoaders({
        connector,
        cache: cache.scoped('chat', TOKEN, DEFAULT_CACHE_TTL_SECONDS),
        directory: directoryFor(cache),
        requestId,
      });
      const contextValue = { requestId, loaders: { chat: loaders } } as unknown as GatewayContext;
      return graphql({ schema, source, variableValues: variables, contextValue }) as Promise<Result>;
    },
    count: (method) => server.requests.count(method === undefined ? undefined : `GET /api/${method}`),
    async close() {
      await http.close();
      await server.close();
      await Promise.all(stores.map((store) => store.close()));
    },
  };
}

const codes = (result: Result) => (result.errors ?? []).map((error) => error.extensions?.code);

/** 4 owners + 250 other members + the bot: 255 users, two users.list pages at 200. */
const BIG_WORLD: WorldOptions = { size: { ...worldSizeFor(200), extraChatUsers: 250, messagesPerChannel: 60 } };
/** The seed proportions at 200 contacts: 8 users, 6 channels (one archived, one private, #random without the bot). */
const SMALL_WORLD: WorldOptions = { size: 200 };

describe('users directory', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startChat(BIG_WORLD);
  });
  afterAll(() => h.close());
  beforeEach(() => h.server.requests.reset());

  it('pages chatUsers to the end from two users.list calls, then serves later pages from the cache', async () => {
    const cache = h.newCache();
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    let totalCount: number;
    do {
      const result: Result = await h.run(
        'query($after: String) { chatUsers(first: 100, after: $after, includeDeleted: true) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }',
        { after },
        cache,
      );
      expect(result.errors).toBeUndefined();
      const connection = result.data!.chatUsers;
      seen.push(...connection.nodes.map((node: { id: string }) => node.id));
      totalCount = connection.totalCount;
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(totalCount).toBe(h.emulator.store.users.length);
    expect(new Set(seen)).toEqual(new Set(h.emulator.store.users.map((user) => user.id)));
    expect(seen).toEqual([...seen].sort());
    expect(h.count('users.list')).toBe(2);
    expect(h.count()).toBe(2);
  });

  it("batches 50 users' lookups by id into one directory read (two users.list pages), with no users.info", async () => {
    const ids = h.emulator.store.users.slice(100, 150).map((user) => user.id);
    const result = await h.run('query($ids: [ID!]!) { _chatUsersByIds(ids: $ids) { id name mention } }', { ids });
    expect(result.errors).toBeUndefined();
    expect(result.data!._chatUsersByIds.map((user: { id: string }) => user.id)).toEqual(ids);
    expect(result.data!._chatUsersByIds[0].mention).toBe(`<@${ids[0]}>`);
    expect(h.count('users.list')).toBe(2);
    expect(h.count('users.info')).toBe(0);
    expect(h.count()).toBe(2);
  });

  it('answers an immediate warm repeat with new loaders and the same cache with zero upstream requests', async () => {
    const cache = h.newCache();
    const query =
      'query($ids: [ID!]!) { _chatUsersByIds(ids: $ids) { id realName email } chatUsers(first: 5) { totalCount nodes { id } } }';
    const ids = h.emulator.store.users.slice(0, 50).map((user) => user.id);
    const cold = await h.run(query, { ids }, cache);
    expect(h.count()).toBe(2);
    h.server.requests.reset();
    const warm = await h.run(query, { ids }, cache);
    expect(warm).toEqual(cold);
    expect(h.count()).toBe(0);
  });

  it('returns null with NOT_FOUND at the path for an unknown user id, and caches the miss', async () => {
    const cache = h.newCache();
    const result = await h.run('{ chatUser(id: "UNOSUCHUSER") { id } }', undefined, cache);
    expect(result.data).toEqual({ chatUser: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].path).toEqual(['chatUser']);
    expect(result.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', service: 'chat' });
    expect(h.count('users.info')).toBe(1);
    h.server.requests.reset();
    const again = await h.run('{ chatUser(id: "UNOSUCHUSER") { id } }', undefined, cache);
    expect(codes(again)).toEqual(['NOT_FOUND']);
    expect(h.count()).toBe(0);
  });

  it('reports ids that cannot be Slack ids as NOT_FOUND without asking Slack about them', async () => {
    const cache = h.newCache();
    await h.run('{ chatUsers(first: 1) { totalCount } }', undefined, cache);
    h.server.requests.reset();
    // `@directory` is where the cached directory lives; it must never be served as a user.
    const result = await h.run('{ a: chatUser(id: "@directory") { id } b: chatUser(id: "u-lower") { id } }', undefined, cache);
    expect(codes(result)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    expect(h.count()).toBe(0);
  });

  it('finds a member who joined after the directory was cached: by id via users.info, by email via users.lookupByEmail', async () => {
    const cache = h.newCache();
    await h.run('{ chatUsers(first: 1) { totalCount } }', undefined, cache);
    const created = await fetch(`${h.server.url}/__sandbox/edit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'user',
        set: { name: 'new.hire', real_name: 'New Hire', profile: { email: 'New.Hire@switchboard-demo.example' } },
      }),
    });
    const { object } = (await created.json()) as { object: { id: string } };
    h.server.requests.reset();

    const byId = await h.run('query($id: ID!) { chatUser(id: $id) { id name realName } }', { id: object.id }, cache);
    expect(byId.data!.chatUser).toEqual({ id: object.id, name: 'new.hire', realName: 'New Hire' });
    expect(h.count('users.info')).toBe(1);

    const byEmail = await h.run('{ chatUserByEmail(email: "new.hire@SWITCHBOARD-demo.example") { id } }', undefined, cache);
    expect(byEmail.data!.chatUserByEmail).toEqual({ id: object.id });
    expect(h.count('users.lookupByEmail')).toBe(1);
    expect(h.count('users.list')).toBe(0);

    h.server.requests.reset();
    const unknown = await h.run('{ chatUserByEmail(email: "nobody@nowhere.example") { id } }', undefined, cache);
    expect(unknown).toEqual({ data: { chatUserByEmail: null } });
    await h.run('{ chatUserByEmail(email: "NOBODY@nowhere.example") { id } }', undefined, cache);
    expect(h.count('users.lookupByEmail')).toBe(1);
  });

  it('re-reads only a user that a change without its record names (one users.info call), not the whole directory', async () => {
    const cache = h.newCache();
    await h.run('{ chatUsers(first: 1) { totalCount } }', undefined, cache);
    const target = h.emulator.store.users[10];
    await fetch(`${h.server.url}/__sandbox/edit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'user', id: target.id, set: { real_name: 'Renamed Person' } }),
    });
    // The change feed's event for the edit, as an event that carries only the id.
    await h.directoryFor(cache).applyChange({
      eventId: randomUUID(),
      system: 'chat',
      entity: 'user',
      id: target.id,
      action: 'updated',
      occurredAt: Date.now(),
      source: 'webhook',
    });
    h.server.requests.reset();

    const result = await h.run(
      'query($id: ID!) { chatUsers(first: 1, includeDeleted: true) { totalCount } _chatUsersByIds(ids: [$id]) { realName } }',
      { id: target.id },
      cache,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._chatUsersByIds).toEqual([{ realName: 'Renamed Person' }]);
    expect(result.data!.chatUsers.totalCount).toBe(h.emulator.store.users.length);
    expect(h.count('users.info')).toBe(1);
    expect(h.count()).toBe(1);
  });
});

describe('filters and the Owner.chatUser link (seed-sized workspace)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startChat(SMALL_WORLD);
  });
  afterAll(() => h.close());
  beforeEach(() => h.server.requests.reset());

  it('hides deactivated accounts unless includeDeleted, and bots when includeBots is false', async () => {
    const users = h.emulator.store.users;
    const query =
      'query($d: Boolean, $b: Boolean) { chatUsers(first: 100, includeDeleted: $d, includeBots: $b) { totalCount nodes { id deleted isBot } } }';
    const cache = h.newCache();
    const defaults = await h.run(query, {}, cache);
    expect(defaults.data!.chatUsers.totalCount).toBe(users.filter((u) => !u.deleted).length);
    expect(defaults.data!.chatUsers.nodes.some((u: { deleted: boolean }) => u.deleted)).toBe(false);
    const everyone = await h.run(query, { d: true }, cache);
    expect(everyone.data!.chatUsers.totalCount).toBe(users.length);
    const humans = await h.run(query, { d: true, b: false }, cache);
    expect(humans.data!.chatUsers.totalCount).toBe(users.filter((u) => !u.is_bot).length);
    expect(users.some((u) => u.deleted) && users.some((u) => u.is_bot)).toBe(true);
    expect(h.count()).toBe(1);
  });

  it("links every owner to the Slack member with the owner's email, case-insensitively, in one users.list call", async () => {
    const world = createWorld(SMALL_WORLD);
    const keys = world.owners.map((owner) => ({ id: owner.id, email: owner.email }));
    const expected = world.owners.map((owner) => world.chatUsers.find((user) => user.ownerId === owner.id)!.id);
    // The seed types some owners' Slack emails with other casing; at least one must be exercised.
    expect(world.chatUsers.some((user) => user.ownerId && user.email !== world.owners.find((o) => o.id === user.ownerId)!.email)).toBe(
      true,
    );
    const cache = h.newCache();
    const query = 'query($keys: [OwnerKeyInput!]!) { _chatOwners(keys: $keys) { id email chatUser { id name displayName } } }';
    const result = await h.run(query, { keys }, cache);
    expect(result.errors).toBeUndefined();
    expect(result.data!._chatOwners.map((owner: { chatUser: { id: string } | null }) => owner.chatUser?.id)).toEqual(expected);
    expect(result.data!._chatOwners.map((owner: { id: string }) => owner.id)).toEqual(keys.map((key) => key.id));
    expect(h.count('users.list')).toBe(1);
    expect(h.count()).toBe(1);
    h.server.requests.reset();
    expect(await h.run(query, { keys }, cache)).toEqual(result);
    expect(h.count()).toBe(0);
  });

  it('links no member when the email is missing, unknown, or shared by two active members', async () => {
    const world = createWorld(SMALL_WORLD);
    const [first, second] = world.owners;
    const other = world.chatUsers.find((user) => user.ownerId === second.id)!;
    // Give a second active member the first owner's address: the link becomes ambiguous.
    const edit = await fetch(`${h.server.url}/__sandbox/edit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'user', id: other.id, set: { profile: { email: first.email.toUpperCase() } } }),
    });
    expect(edit.status).toBe(200);
    try {
      const keys = [
        { id: first.id, email: first.email },
        { id: second.id, email: second.email },
        { id: '1', email: 'nobody@nowhere.example' },
        { id: '2', email: null },
      ];
      const result = await h.run('query($keys: [OwnerKeyInput!]!) { _chatOwners(keys: $keys) { id chatUser { id } } }', { keys });
      expect(result.errors).toBeUndefined();
      expect(result.data!._chatOwners).toEqual([
        { id: first.id, chatUser: null },
        { id: second.id, chatUser: null },
        { id: '1', chatUser: null },
        { id: '2', chatUser: null },
      ]);
    } finally {
      await h.server.resetAll();
    }
  });
});

describe('merge config under stitching', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startChat(SMALL_WORLD);
  });
  afterAll(() => h.close());

  it('resolves Owner.chatUser for every owner of a CRM-like subschema with one _chatOwners call and one users.list call', async () => {
    const world = createWorld(SMALL_WORLD);
    const entryCalls: number[] = [];
    // Stands in for the CRM subschema: it owns Owner and its email, the chat link key.
    const crm = makeExecutableSchema({
      typeDefs:
        'type Owner { id: ID! email: String firstName: String } type Query { owners: [Owner!]! _ownersByIds(ids: [ID!]!): [Owner]! }',
      resolvers: {
        Query: {
          owners: () => world.owners,
          _ownersByIds: (_: unknown, { ids }: { ids: string[] }) => ids.map((id) => world.owners.find((owner) => owner.id === id) ?? null),
        },
      },
    });
    const chat = createChatSubschema();
    const resolveEntry = chat.schema.getQueryType()!.getFields()._chatOwners;
    const original = resolveEntry.resolve!;
    resolveEntry.resolve = (source, args, context, info) => {
      entryCalls.push((args as { keys: unknown[] }).keys.length);
      return original(source, args, context, info);
    };
    const stitched = stitchSchemas({
      subschemas: [
        {
          schema: crm,
          merge: {
            Owner: {
              selectionSet: '{ id }',
              fieldName: '_ownersByIds',
              key: ({ id }: { id: string }) => id,
              argsFromKeys: (ids) => ({ ids }),
            },
          },
        },
        chat,
      ],
      mergeTypes: true,
    });
    h.server.requests.reset();
    const requestId = randomUUID();
    const cache = h.newCache();
    const loaders = createChatLoaders({
      connector: h.connector,
      cache: cache.scoped('chat', TOKEN, DEFAULT_CACHE_TTL_SECONDS),
      directory: h.directoryFor(cache),
      requestId,
    });
    const result = (await graphql({
      schema: stitched,
      source: '{ owners { id firstName chatUser { id name displayName } } }',
      contextValue: { requestId, loaders: { chat: loaders } } as unknown as GatewayContext,
    })) as Result;
    expect(result.errors).toBeUndefined();
    const expected = world.owners.map((owner) => world.chatUsers.find((user) => user.ownerId === owner.id)!.id);
    expect(result.data!.owners.map((owner: { chatUser: { id: string } | null }) => owner.chatUser?.id)).toEqual(expected);
    expect(entryCalls).toEqual([world.owners.length]);
    expect(h.count('users.list')).toBe(1);
    expect(h.count()).toBe(1);
  });
});

describe('channels and messages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startChat(BIG_WORLD);
  });
  afterAll(() => h.close());
  beforeEach(() => h.server.requests.reset());

  const channelsOf = () => h.emulator.store.channels.map((state) => state.conversation);
  const general = () => channelsOf().find((channel) => channel.name === 'general')!;

  it('pages channels to the end, leaving archived ones out unless includeArchived, from one conversations.list call', async () => {
    const cache = h.newCache();
    const collect = async (includeArchived: boolean) => {
      const ids: string[] = [];
      let after: string | null = null;
      do {
        const result: Result = await h.run(
          'query($after: String, $a: Boolean) { channels(first: 3, after: $after, includeArchived: $a) { totalCount pageInfo { hasNextPage endCursor } nodes { id isArchived } } }',
          { after, a: includeArchived },
          cache,
        );
        expect(result.errors).toBeUndefined();
        ids.push(...result.data!.channels.nodes.map((node: { id: string }) => node.id));
        after = result.data!.channels.pageInfo.hasNextPage ? result.data!.channels.pageInfo.endCursor : null;
      } while (after);
      return ids;
    };
    const all = await collect(true);
    const active = await collect(false);
    expect(new Set(all)).toEqual(new Set(channelsOf().map((channel) => channel.id)));
    expect(new Set(active)).toEqual(
      new Set(
        channelsOf()
          .filter((channel) => !channel.is_archived)
          .map((channel) => channel.id),
      ),
    );
    expect(active.length).toBeLessThan(all.length);
    expect(h.count('conversations.list')).toBe(1);
    expect(h.count()).toBe(1);
  });

  it('finds a channel by name regardless of case or a leading #, and null for an unknown name', async () => {
    const result = await h.run(
      '{ a: channelByName(name: "#General") { id name isPrivate topic purpose createdAt } b: channelByName(name: "no-such-channel") { id } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.a).toMatchObject({ id: general().id, name: 'general', isPrivate: false });
    expect(result.data!.a.createdAt).toBe(new Date(general().created * 1000).toISOString());
    expect(result.data!.b).toBeNull();
  });

  it("pages a channel's history to the end with Slack's cursors, one conversations.history call per page", async () => {
    const expected = h.emulator.store.channel(general().id)!.timeline.length;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const result: Result = await h.run(
        'query($c: ID!, $after: String) { channelMessages(channel: $c, first: 25, after: $after) { pageInfo { hasNextPage endCursor } nodes { id ts postedAt } } }',
        { c: general().id, after },
      );
      expect(result.errors).toBeUndefined();
      seen.push(...result.data!.channelMessages.nodes.map((node: { id: string }) => node.id));
      after = result.data!.channelMessages.pageInfo.hasNextPage ? result.data!.channelMessages.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(seen).toHaveLength(expected);
    expect(new Set(seen).size).toBe(expected);
    expect(seen).toEqual([...seen].sort().reverse());
    expect(pages).toBe(Math.ceil(expected / 25));
    expect(h.count('conversations.history')).toBe(pages);
  });

  it("resolves 50 messages' authors and channel with one directory read each, and repeats warm for free", async () => {
    const cache = h.newCache();
    const query = 'query($c: ID!) { channelMessages(channel: $c, first: 50) { nodes { id text user { id name } channel { id name } } } }';
    const result = await h.run(query, { c: general().id }, cache);
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.channelMessages.nodes as { user: { id: string } | null; channel: { name: string } }[];
    expect(nodes).toHaveLength(50);
    expect(nodes.every((node) => node.channel.name === 'general')).toBe(true);
    expect(nodes.filter((node) => node.user).length).toBeGreaterThan(25);
    expect(h.count('conversations.history')).toBe(1);
    expect(h.count('users.list')).toBe(2);
    expect(h.count('conversations.list')).toBe(1);
    expect(h.count('users.info')).toBe(0);
    expect(h.count()).toBe(4);
    h.server.requests.reset();
    expect(await h.run(query, { c: general().id }, cache)).toEqual(result);
    expect(h.count()).toBe(0);
  });

  it('re-reads a cached history page when one of its messages was invalidated (edited upstream)', async () => {
    const cache = h.newCache();
    const query = 'query($c: ID!) { channelMessages(channel: $c, first: 10) { nodes { ts text } } }';
    const before = await h.run(query, { c: general().id }, cache);
    const edited = before.data!.channelMessages.nodes[3] as { ts: string };
    await fetch(`${h.server.url}/__sandbox/edit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'message', channel: general().id, ts: edited.ts, text: 'edited in Slack' }),
    });
    await invalidateCached({ cache: cache.scoped('chat', TOKEN, DEFAULT_CACHE_TTL_SECONDS), resource: 'message' }, [
      `${general().id}:${edited.ts}`,
    ]);
    h.server.requests.reset();
    const after = await h.run(query, { c: general().id }, cache);
    expect(after.data!.channelMessages.nodes[3]).toEqual({ ts: edited.ts, text: 'edited in Slack' });
    expect(h.count('conversations.history')).toBe(1);
    expect(h.count()).toBe(1);
  });

  it("maps oldest/latest to Slack's window and continues before a message from its edge cursor", async () => {
    const timeline = h.emulator.store.channel(general().id)!.timeline;
    const micros = (ts: string) => Number(ts.split('.')[0]) * 1_000_000 + Number(ts.split('.')[1] ?? 0);
    // Whole seconds: the window is [the second of message 10, the second of message 20], both ends included.
    const oldestSecond = Math.floor(micros(timeline[10].ts) / 1_000_000);
    const latestSecond = Math.floor(micros(timeline[20].ts) / 1_000_000);
    const result = await h.run(
      'query($c: ID!, $o: DateTime, $l: DateTime) { channel(id: $c) { messages(first: 100, oldest: $o, latest: $l) { edges { cursor node { ts } } } } }',
      { c: general().id, o: new Date(oldestSecond * 1000).toISOString(), l: new Date(latestSecond * 1000).toISOString() },
    );
    expect(result.errors).toBeUndefined();
    const edges = result.data!.channel.messages.edges as { cursor: string; node: { ts: string } }[];
    const inWindow = timeline.filter((m) => micros(m.ts) >= oldestSecond * 1_000_000 && micros(m.ts) <= latestSecond * 1_000_000);
    expect(edges.length).toBeGreaterThanOrEqual(5);
    expect(edges.map((edge) => edge.node.ts)).toEqual(inWindow.map((m) => m.ts).reverse());

    const third = edges[2];
    const next = await h.run('query($c: ID!, $after: String) { channelMessages(channel: $c, first: 2, after: $after) { nodes { ts } } }', {
      c: general().id,
      after: third.cursor,
    });
    expect(next.data!.channelMessages.nodes.map((node: { ts: string }) => node.ts)).toEqual([edges[3].node.ts, edges[4].node.ts]);
  });

  it('reports NOT_FOUND for a channel Slack does not know, and UPSTREAM_FORBIDDEN where the bot is not a member', async () => {
    const cache = h.newCache();
    const unknown = await h.run('{ channel(id: "CNOSUCHCHAN") { id } }', undefined, cache);
    expect(unknown.data).toEqual({ channel: null });
    expect(unknown.errors![0].path).toEqual(['channel']);
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
    const history = await h.run('{ channelMessages(channel: "CNOSUCHCHAN") { nodes { id } } }', undefined, cache);
    expect(history.data).toEqual({ channelMessages: null });
    expect(codes(history)).toEqual(['NOT_FOUND']);
    expect(h.count('conversations.info')).toBe(1);
    expect(h.count('conversations.history')).toBe(1);
    // Both misses are cached: asking again costs nothing.
    h.server.requests.reset();
    await h.run('{ channel(id: "CNOSUCHCHAN") { id } }', undefined, cache);
    await h.run('{ channelMessages(channel: "CNOSUCHCHAN") { nodes { id } } }', undefined, cache);
    expect(h.count()).toBe(0);

    const random = channelsOf().find((channel) => channel.name === 'random')!;
    const result = await h.run('query($c: ID!) { channel(id: $c) { name isMember messages(first: 5) { nodes { id } } } }', {
      c: random.id,
    });
    expect(result.data).toEqual({ channel: { name: 'random', isMember: false, messages: null } });
    expect(result.errors![0].path).toEqual(['channel', 'messages']);
    // Nothing the caller typed is wrong: the channel exists, the bot may not read it.
    expect(result.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_FORBIDDEN', service: 'chat' });
    expect(result.errors![0].message).toMatch(/not a member/);
  });

  it('rejects first above 100 and a cursor of another list before any upstream call', async () => {
    const tooMany = await h.run('{ chatUsers(first: 101) { totalCount } }');
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
    const users = await h.run('{ chatUsers(first: 1) { pageInfo { endCursor } } }');
    h.server.requests.reset();
    const wrongList = await h.run('query($after: String) { channels(after: $after) { totalCount } }', {
      after: users.data!.chatUsers.pageInfo.endCursor,
    });
    expect(codes(wrongList)).toEqual(['BAD_USER_INPUT']);
    expect(h.count()).toBe(0);
  });
});

describe('vendor faults', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startChat(SMALL_WORLD);
  });
  afterAll(() => h.close());
  afterEach(() => h.server.resetAll());

  it('answers UPSTREAM_BAD_RESPONSE naming the method and field when users.list drops a record id, and never the body', async () => {
    await h.server.setKnobs({ corrupt: 'drop-field' });
    const result = await h.run('{ chatUsers { totalCount } }');
    expect(codes(result)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    expect(result.errors![0].extensions?.service).toBe('chat');
    expect(result.errors![0].message).toContain('users.list');
    expect(result.errors![0].message).toContain('members[0].id');
    expect(result.errors![0].message).not.toMatch(/@|switchboard-demo/);

    await h.server.setKnobs({ corrupt: 'wrong-type' });
    const wrongType = await h.run('{ channels { totalCount } }');
    expect(codes(wrongType)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    expect(wrongType.errors![0].message).toContain('conversations.list');
  });

  it('answers UPSTREAM_UNAVAILABLE when Slack refuses connections, and recovers when it is back', async () => {
    await h.server.setKnobs({ outage: 'refuse' });
    const result = await h.run('{ chatUser(id: "U0000000000") { id } }');
    expect(result.data).toEqual({ chatUser: null });
    expect(result.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'chat' });
    await h.server.setKnobs({ outage: 'none' });
    const back = await h.run('{ chatUsers { totalCount } }');
    expect(back.errors).toBeUndefined();
  });

  it("answers RATE_LIMITED with Slack's Retry-After when the wait is too long to retry", async () => {
    await h.server.setKnobs({ rateLimitForMs: 5_000 });
    const result = await h.run('{ chatUsers { totalCount } }');
    expect(result.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'chat', retryAfter: 5 });
    expect(h.count('users.list')).toBe(1);
  });

  it('waits out a short Retry-After and retries, so the caller sees the answer', async () => {
    await h.server.setKnobs({ rateLimitForMs: 800 });
    const result = await h.run('{ chatUsers { totalCount } }');
    expect(result.errors).toBeUndefined();
    expect(h.count('users.list')).toBe(2);
  });

  it('answers UPSTREAM_AUTH_FAILED for a token Slack rejects, without echoing the token', async () => {
    const wrong = await startChat(SMALL_WORLD, { credential: 'xoxb-not-the-sandbox-token' });
    try {
      const result = await wrong.run('{ chatUsers { totalCount } }');
      expect(codes(result)).toEqual(['UPSTREAM_AUTH_FAILED']);
      expect(result.errors![0].message).not.toContain('xoxb');
    } finally {
      await wrong.close();
    }
  });
});

describe('slackProfile.classify', () => {
  const response = (status: number, body: unknown, headers: Record<string, string> = {}): UpstreamResponse => ({ status, headers, body });
  const classify = (status: number, body: unknown, headers?: Record<string, string>) => {
    const error = slackProfile.classify(response(status, body, headers));
    return error && { code: error.code, retryAfter: error.retryAfter, message: error.message };
  };

  it("maps Slack's HTTP-200 failures by their error code, and leaves successes alone", () => {
    expect(classify(200, { ok: true, members: [] })).toBeNull();
    expect(classify(200, { ok: false, error: 'users_not_found' })?.code).toBe('NOT_FOUND');
    expect(classify(200, { ok: false, error: 'channel_not_found' })?.code).toBe('NOT_FOUND');
    for (const error of ['invalid_auth', 'not_authed', 'account_inactive', 'missing_scope']) {
      expect(classify(200, { ok: false, error })?.code).toBe('UPSTREAM_AUTH_FAILED');
    }
    expect(classify(200, { ok: false, error: 'ratelimited' })).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
    expect(classify(200, { ok: false, error: 'invalid_cursor' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('cursor'),
    });
    expect(classify(200, { ok: false, error: 'invalid_arguments' })?.code).toBe('BAD_USER_INPUT');
    expect(classify(200, { ok: false, error: 'fatal_error' })?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(classify(404, { ok: false, error: 'unknown_method' })?.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('maps statuses, reads Retry-After seconds, and never copies an unexpected body into the message', () => {
    expect(classify(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '30' })).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: 30,
    });
    expect(slackProfile.retryAfterMs!(response(429, null, { 'retry-after': '3' }))).toBe(3000);
    expect(slackProfile.retryAfterMs!(response(429, null, {}))).toBeUndefined();
    expect(classify(503, '<html>down</html>')?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(classify(401, null)?.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(classify(409, null)?.code).toBe('UPSTREAM_CONFLICT');
    const odd = classify(200, { ok: false, error: 'secret xoxb-123 <b>' });
    expect(odd?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(odd?.message).not.toContain('xoxb');
  });
});

describe('against a scripted Slack', () => {
  interface Seen {
    url: string;
    headers: IncomingHttpHeaders;
  }
  const seen: Seen[] = [];
  let server: Server;
  let h: { run(source: string, requestId: string): Promise<Result>; close(): Promise<void> };

  const send = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/api/conversations.history') {
        return send(res, {
          ok: true,
          has_more: false,
          pin_count: 0,
          // A subtype Slack may add tomorrow, a known one, and an ordinary message.
          messages: [
            { type: 'message', subtype: 'huddle_thread', text: 'Huddle ended', ts: '1700000003.000300', room: { id: 'R1' } },
            { type: 'message', subtype: 'bot_message', bot_id: 'B1', text: 'Deploy done', ts: '1700000002.000200' },
            { type: 'message', user: 'U1', text: 'hello', ts: '1700000001.000100', reply_count: 2, thread_ts: '1700000001.000100' },
          ],
          response_metadata: { next_cursor: '' },
        });
      }
      send(res, { ok: false, error: 'unknown_method' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const http = createUpstreamClient({
      profile: slackProfile,
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
      credential: TOKEN,
    });
    const store = createCacheStore({ maxEntries: 1000, namespace: `test-${randomUUID()}` });
    const connector = createChatConnector(http);
    const directory = createUserDirectory({ connector, cache: store.scoped('chat', TOKEN, DEFAULT_CACHE_TTL_SECONDS) });
    h = {
      run(source, requestId) {
        const loaders = createChatLoaders({
          connector,
          cache: store.scoped('chat', TOKEN, DEFAULT_CACHE_TTL_SECONDS),
          directory,
          requestId,
        });
        return graphql({
          schema,
          source,
          contextValue: { requestId, loaders: { chat: loaders } } as unknown as GatewayContext,
        }) as Promise<Result>;
      },
      async close() {
        await http.close();
        await store.close();
      },
    };
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('maps an unknown message subtype to OTHER and keeps the raw value, and sends the request id upstream', async () => {
    const requestId = randomUUID();
    const result = await h.run(
      '{ channelMessages(channel: "C1") { nodes { id subtype subtypeRaw replyCount threadTs postedAt } } }',
      requestId,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.channelMessages.nodes).toEqual([
      {
        id: '1700000003.000300',
        subtype: 'OTHER',
        subtypeRaw: 'huddle_thread',
        replyCount: 0,
        threadTs: null,
        postedAt: '2023-11-14T22:13:23.000Z',
      },
      {
        id: '1700000002.000200',
        subtype: 'BOT_MESSAGE',
        subtypeRaw: 'bot_message',
        replyCount: 0,
        threadTs: null,
        postedAt: '2023-11-14T22:13:22.000Z',
      },
      {
        id: '1700000001.000100',
        subtype: null,
        subtypeRaw: null,
        replyCount: 2,
        threadTs: '1700000001.000100',
        postedAt: '2023-11-14T22:13:21.000Z',
      },
    ]);
    expect(seen).toHaveLength(1);
    expect(seen[0].headers['x-request-id']).toBe(requestId);
    expect(seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0].url).toMatch(/^\/api\/conversations\.history\?channel=C1&limit=20/);
  });
});

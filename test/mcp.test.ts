/**
 * The MCP endpoint over real HTTP (the gateway on a port, the sandbox vendors behind it), driven
 * by the MCP SDK's own client: an agent gets exactly what the key it holds may do — the tools its
 * scopes allow, each call through the GraphQL pipeline (scopes, idempotency, limits) and audited.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { SCOPES } from '../src/config.ts';
import { TEST_API_KEY, TEST_API_KEYS_ENV } from './support/credentials.ts';
import { startStack, type Stack } from './support/stack.ts';
import { openDeals, writeCount } from './writes-support.ts';

const DOCUMENTS = new URL('../documents/', import.meta.url);
const documentText = (name: string) => readFileSync(new URL(`${name}.graphql`, DOCUMENTS), 'utf8');
/** Every example operation except subscriptions: what the full-scope key must be offered. */
const EXAMPLE_TOOLS = readdirSync(DOCUMENTS)
  .filter((file) => file.endsWith('.graphql') && !/^\s*subscription\b/m.test(readFileSync(new URL(file, DOCUMENTS), 'utf8')))
  .map((file) => file.replace(/\.graphql$/, ''))
  .sort();

const CRM_READER = 'sbk_mcp-test-crm-reader-with-audit';
const READER = 'sbk_mcp-test-reads-every-system-writes-none';
/** A key for every non-empty subset of the scopes, by bit mask over SCOPES. */
const subsetKey = (mask: number) => `sbk_mcp-test-scope-subset-${mask}`;
const maskOf = (scopes: readonly string[]) => SCOPES.reduce((mask, scope, bit) => (scopes.includes(scope) ? mask | (1 << bit) : mask), 0);
const SUBSET_KEYS = Array.from({ length: (1 << SCOPES.length) - 1 }, (_, i) => i + 1).map((mask) =>
  apiKeyConfigEntry(
    `subset-${mask}`,
    subsetKey(mask),
    SCOPES.filter((_, bit) => mask & (1 << bit)),
  ),
);

/**
 * What each tool needs, written down from the SDL by hand (an oracle independent of the code
 * under test): every group must be held, any one scope of a group will do. AuditLog's page info
 * is a type every system defines, so any one read scope reads it.
 */
const NEEDS: Record<string, string[][]> = {
  AuditLog: [['audit:read'], ['crm:read', 'billing:read', 'chat:read']],
  ChannelMessages: [['chat:read'], ['crm:read']],
  ContactById: [['crm:read'], ['billing:read'], ['chat:read']],
  CustomerWithContact: [['billing:read'], ['crm:read']],
  OnboardCustomer: [['crm:write'], ['billing:write'], ['chat:write']],
  OpenDealsByStage: [['crm:read'], ['chat:read']],
  W1ContactsWithLinks: [['crm:read'], ['billing:read'], ['chat:read']],
  WinDeal: [['crm:write'], ['billing:write'], ['chat:write']],
  WriteSingleSystem: [['crm:write'], ['crm:read'], ['chat:write'], ['chat:read']],
};

interface ToolErrorBody {
  errors: { code: string; message: string; path?: (string | number)[]; requiredScopes?: string[] }[];
  data?: Record<string, unknown>;
}

async function listen(stack: Stack): Promise<{ url: string; server: Server }> {
  const server = createServer(stack.gateway.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server };
}

async function connect(url: string, key: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'switchboard-tests', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}`, ...headers } } }),
  );
  return client;
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name).sort();
}

const errorsOf = (result: Awaited<ReturnType<Client['callTool']>>) => (result.structuredContent as ToolErrorBody | undefined)?.errors ?? [];
const writesNow = (stack: Stack) => (['crm', 'billing', 'chat'] as const).map((system) => writeCount(stack, system));

describe('MCP endpoint', () => {
  let stack: Stack;
  let url: string;
  let server: Server;
  let full: Client;
  beforeAll(async () => {
    stack = await startStack({
      world: { size: 200 },
      env: {
        SWITCHBOARD_API_KEYS: [
          TEST_API_KEYS_ENV,
          apiKeyConfigEntry('crm-reader', CRM_READER, ['crm:read', 'audit:read']),
          apiKeyConfigEntry('reader', READER, ['crm:read', 'billing:read', 'chat:read']),
          ...SUBSET_KEYS,
        ].join(','),
      },
    });
    ({ url, server } = await listen(stack));
    full = await connect(url, TEST_API_KEY);
  });
  afterAll(async () => {
    await full?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await stack?.close();
  });

  it('offers the full-scope key one tool per example query and mutation, none for the subscription, described from its document', async () => {
    expect(EXAMPLE_TOOLS).toContain('W1ContactsWithLinks');
    expect(EXAMPLE_TOOLS).not.toContain('LiveContactChanged');
    const { tools } = await full.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(EXAMPLE_TOOLS);
    const w1 = tools.find((tool) => tool.name === 'W1ContactsWithLinks')!;
    expect(w1.description).toMatch(/^W1 — the first 50 contacts with their company/);
    expect(w1.annotations?.readOnlyHint).toBe(true);
    const winDeal = tools.find((tool) => tool.name === 'WinDeal')!;
    expect(winDeal.inputSchema.required).toEqual(['idempotencyKey']);
    expect(winDeal.inputSchema.properties).toMatchObject({ dealId: { type: 'string', default: '30000001' } });
    const deals = tools.find((tool) => tool.name === 'OpenDealsByStage')!;
    expect((deals.inputSchema.properties as Record<string, { enum?: string[] }>).stage.enum).toContain('CONTRACT_SENT');
  });

  it('answers W1ContactsWithLinks with exactly the data the GraphQL endpoint answers', async () => {
    const result = await full.callTool({ name: 'W1ContactsWithLinks', arguments: {} });
    expect(result.isError).toBeFalsy();
    const graphql = await stack.query(documentText('W1ContactsWithLinks'));
    expect(graphql.errors).toBeUndefined();
    expect(result.structuredContent).toEqual(graphql.data);
    expect(JSON.parse((result.content as { text: string }[])[0].text)).toEqual(graphql.data);
  });

  it('offers a CRM reader only the tools its scopes allow, and refuses a billing tool called by name without calling billing', async () => {
    const client = await connect(url, CRM_READER);
    try {
      expect(await toolNames(client)).toEqual(['AuditLog']);
      stack.resetCounts();
      const result = await client.callTool({ name: 'CustomerWithContact', arguments: {} });
      expect(result.isError).toBe(true);
      expect(errorsOf(result)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', requiredScopes: ['billing:read'] })]);
      expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
    } finally {
      await client.close();
    }
  });

  it('refuses mutation tools to a key without the write scopes, and no vendor is written to', async () => {
    const client = await connect(url, READER);
    try {
      expect(await toolNames(client)).not.toContain('WinDeal');
      const before = writesNow(stack);
      const win = await client.callTool({ name: 'WinDeal', arguments: { idempotencyKey: `mcp-${randomUUID()}` } });
      const write = await client.callTool({ name: 'WriteSingleSystem', arguments: { email: 'mcp.refused@example.com' } });
      for (const result of [win, write]) {
        expect(result.isError).toBe(true);
        expect(errorsOf(result)[0].code).toBe('FORBIDDEN');
      }
      expect(errorsOf(win)[0].requiredScopes).toEqual(['billing:write', 'chat:write', 'crm:write']);
      expect(writesNow(stack)).toEqual(before);
    } finally {
      await client.close();
    }
  });

  it('replays a repeated WinDeal with the same idempotency key: one set of vendor writes', async () => {
    const [deal] = (await openDeals(stack, 2)).filter((d) => d.id !== '30000001');
    const args = { idempotencyKey: `mcp-${randomUUID()}`, dealId: deal.id };
    const before = writesNow(stack);
    const first = await full.callTool({ name: 'WinDeal', arguments: args });
    expect(first.isError).toBeFalsy();
    expect(first.structuredContent).toMatchObject({ winDeal: { status: 'SUCCEEDED', replayed: false } });
    const afterFirst = writesNow(stack);
    expect(afterFirst.every((count, i) => count > before[i])).toBe(true);
    const second = await full.callTool({ name: 'WinDeal', arguments: args });
    expect(second.structuredContent).toMatchObject({ winDeal: { status: 'SUCCEEDED', replayed: true } });
    expect(writesNow(stack)).toEqual(afterFirst);
  });

  it('requires the idempotency key of a cross-system mutation tool', async () => {
    const before = writesNow(stack);
    const result = await full.callTool({ name: 'WinDeal', arguments: {} });
    expect(result.isError).toBe(true);
    expect(errorsOf(result)[0]).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('idempotencyKey') });
    expect(writesNow(stack)).toEqual(before);
  });

  it('audits every tool call with the tool, the principal, the outcome and the request id, reads and refusals included', async () => {
    const requestId = `mcp-audit-${randomUUID()}`;
    const client = await connect(url, CRM_READER, { 'x-request-id': requestId });
    try {
      await client.callTool({ name: 'AuditLog', arguments: { first: 1 } });
      await client.callTool({ name: 'W1ContactsWithLinks', arguments: {} });
    } finally {
      await client.close();
    }
    const { records } = await stack.gateway.writes.audit.list({ first: 10, filter: { principal: 'api-key:crm-reader' } });
    const mine = records.filter((r) => r.requestId === requestId).map((r) => [r.operation, r.outcome, r.errorCode]);
    expect(mine).toEqual([
      ['mcp:W1ContactsWithLinks', 'rejected', 'FORBIDDEN'],
      ['mcp:AuditLog', 'succeeded', null],
    ]);
  });

  it("audits a mutation tool call under the request id of the write's own audit row", async () => {
    const requestId = `mcp-write-${randomUUID()}`;
    const client = await connect(url, TEST_API_KEY, { 'x-request-id': requestId });
    const email = `mcp.${randomUUID().slice(0, 8)}@example.com`;
    try {
      const result = await client.callTool({ name: 'WriteSingleSystem', arguments: { email } });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    const { records } = await stack.gateway.writes.audit.list({ first: 20 });
    const rows = records.filter((r) => r.requestId === requestId).map((r) => [r.operation, r.principal, r.outcome]);
    expect(rows).toContainEqual(['mcp:WriteSingleSystem', 'api-key:test-suite', 'succeeded']);
    expect(rows).toContainEqual(['createContact', 'api-key:test-suite', 'succeeded']);
  });

  it('answers 401 with WWW-Authenticate to a request without a valid credential, as the GraphQL endpoint does', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'anonymous', version: '0' } },
    };
    for (const headers of [{}, { authorization: 'Bearer sbk_not-a-key-anyone-was-given' }] as Record<string, string>[]) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(initialize),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toMatchObject({ error: { data: { code: 'UNAUTHENTICATED' } } });
    }
    await expect(connect(url, 'sbk_not-a-key-anyone-was-given')).rejects.toThrow(/API key is not valid/);
  });

  it('answers 405 to a GET: a stateless endpoint has no stream to open', async () => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${TEST_API_KEY}`, accept: 'text/event-stream' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('does not offer graphql_query unless MCP_ALLOW_ARBITRARY is set', async () => {
    expect(await toolNames(full)).not.toContain('graphql_query');
    await expect(full.callTool({ name: 'graphql_query', arguments: { query: '{ contacts(first: 1) { totalCount } }' } })).rejects.toThrow(
      /not found/,
    );
  });

  it('lists and reads the public schema and the cross-system guide as resources', async () => {
    const { resources } = await full.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(['switchboard://guide/links', 'switchboard://schema.graphql']);
    const sdl = (await full.readResource({ uri: 'switchboard://schema.graphql' })).contents[0] as { text: string };
    expect(sdl.text).toContain('winDeal(');
    expect(sdl.text).toContain('The audit log of writes, newest first');
    // The public schema: the stitching entry points are not part of it.
    expect(sdl.text).not.toMatch(/\b_billingContacts\b/);
    const guide = (await full.readResource({ uri: 'switchboard://guide/links' })).contents[0] as { text: string; mimeType: string };
    expect(guide.mimeType).toBe('text/markdown');
    expect(guide.text).toContain('metadata.hubspot_contact_id');
  });

  it('lists exactly the tools whose scopes a key holds, and none of them answers FORBIDDEN (property)', async () => {
    let call = 0;
    await fc.assert(
      fc.asyncProperty(fc.subarray([...SCOPES], { minLength: 1 }), async (scopes) => {
        const client = await connect(url, subsetKey(maskOf(scopes)));
        try {
          const listed = await toolNames(client);
          const expected = Object.keys(NEEDS)
            .filter((tool) => NEEDS[tool].every((group) => group.some((scope) => scopes.includes(scope as (typeof SCOPES)[number]))))
            .sort();
          expect(listed).toEqual(expected);
          for (const name of listed) {
            const n = ++call;
            const args: Record<string, unknown> =
              {
                WinDeal: { idempotencyKey: `prop-${randomUUID()}` },
                OnboardCustomer: {
                  idempotencyKey: `prop-${randomUUID()}`,
                  email: `prop.onboard.${n}.${randomUUID().slice(0, 6)}@example.com`,
                },
                WriteSingleSystem: { email: `prop.write.${n}.${randomUUID().slice(0, 6)}@example.com` },
              }[name] ?? {};
            const result = await client.callTool({ name, arguments: args as Record<string, unknown> });
            expect(errorsOf(result).filter((e) => e.code === 'FORBIDDEN')).toEqual([]);
          }
        } finally {
          await client.close();
        }
      }),
      { seed: 20_261_207, numRuns: 24 },
    );
  }, 180_000);
});

describe('MCP endpoint with MCP_ALLOW_ARBITRARY=1', () => {
  let stack: Stack;
  let url: string;
  let server: Server;
  beforeAll(async () => {
    stack = await startStack({
      world: { size: 50 },
      env: {
        MCP_ALLOW_ARBITRARY: '1',
        SWITCHBOARD_API_KEYS: [TEST_API_KEYS_ENV, apiKeyConfigEntry('crm-reader', CRM_READER, ['crm:read', 'audit:read'])].join(','),
      },
    });
    ({ url, server } = await listen(stack));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await stack?.close();
  });

  it('offers graphql_query, which runs a read-only query with the caller scopes', async () => {
    const client = await connect(url, CRM_READER);
    try {
      expect(await toolNames(client)).toEqual(['AuditLog', 'graphql_query']);
      const ok = await client.callTool({ name: 'graphql_query', arguments: { query: '{ contacts(first: 2) { nodes { id } } }' } });
      expect(ok.isError).toBeFalsy();
      expect(ok.structuredContent).toEqual({ contacts: { nodes: [{ id: '10000001' }, { id: '10000002' }] } });
      const billing = await client.callTool({ name: 'graphql_query', arguments: { query: '{ customers(first: 1) { nodes { id } } }' } });
      expect(billing.isError).toBe(true);
      expect(errorsOf(billing)[0]).toMatchObject({ code: 'FORBIDDEN', path: ['customers'] });
    } finally {
      await client.close();
    }
  });

  it('refuses a mutation through graphql_query before anything reaches a vendor', async () => {
    const client = await connect(url, TEST_API_KEY);
    try {
      stack.resetCounts();
      const mutation = `mutation Sneak { postMessage(input: { channel: "#general", text: "not through graphql_query" }) { ts } }`;
      const result = await client.callTool({ name: 'graphql_query', arguments: { query: mutation } });
      expect(result.isError).toBe(true);
      expect(errorsOf(result)[0]).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('read-only') });
      expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
    } finally {
      await client.close();
    }
  });
});

describe('MCP endpoint under production limits: trusted documents, no introspection, a rate limit', () => {
  let stack: Stack;
  let url: string;
  let server: Server;
  beforeAll(async () => {
    stack = await startStack({
      world: { size: 50 },
      env: { TRUSTED_DOCUMENTS: '1', ALLOW_INTROSPECTION: '0', MCP_ALLOW_ARBITRARY: '1', RATE_LIMIT_PER_MINUTE: '2' },
    });
    ({ url, server } = await listen(stack));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await stack?.close();
  });

  it('runs the tools by their trusted-document id, offers no graphql_query and no schema, and counts each call against the rate limit', async () => {
    const client = await connect(url, TEST_API_KEY);
    try {
      expect(await toolNames(client)).toEqual(EXAMPLE_TOOLS);
      const first = await client.callTool({ name: 'CustomerWithContact', arguments: {} });
      expect(first.isError).toBeFalsy();
      expect((first.structuredContent as { customers: { nodes: unknown[] } }).customers.nodes).toHaveLength(10);
      expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['switchboard://guide/links']);
      // Two calls a minute: of five quick calls, at most four fit even across a minute's turn.
      const codes: string[] = [];
      for (let i = 0; i < 4; i++) {
        const result = await client.callTool({ name: 'CustomerWithContact', arguments: {} });
        codes.push(...errorsOf(result).map((e) => e.code));
      }
      expect(codes).toContain('RATE_LIMITED');
    } finally {
      await client.close();
    }
  });
});

/**
 * @switchboard/client over real HTTP against the in-process gateway and sandbox: typed requests,
 * SSE subscriptions, trusted documents by hash, typed errors beside partial data, retries of
 * reads and keyed writes (never of a write without a key); examples/hello run end to end; the
 * typed documents current with schema.graphql and type errors caught at compile time; and a
 * property over a tiny fake server's answers for the retry policy.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import clientCodegen from '../client/codegen.ts';
import {
  ContactByIdDocument,
  createClient,
  describeOperation,
  ERROR_CODES as CLIENT_ERROR_CODES,
  LiveContactChangedDocument,
  W1ContactsWithLinksDocument,
  type SwitchboardClient,
  type TypedDocument,
} from '../client/src/index.ts';
import * as clientDocuments from '../client/src/index.ts';
import helloCodegen from '../examples/hello/codegen.ts';
import { ContactsWithOpenInvoicesDocument } from '../examples/hello/generated/graphql.ts';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { ERROR_CODES, HTTP_STATUS } from '../src/errors.ts';
import { TEST_API_KEY, TEST_API_KEYS_ENV } from './support/credentials.ts';
import { countFeedListeners, serve, type Served } from './support/live.ts';
import { NO_CACHE_ENV, startStack, type Stack } from './support/stack.ts';
import { worldSizeFor } from '@switchboard/sandbox';

const CRM_ONLY_KEY = 'sbk_client-sdk-crm-read-only-not-a-secret';

/** Every HTTP request a client made, with its parsed body. */
interface Recorder {
  fetch: typeof fetch;
  bodies: Record<string, any>[];
}

function recorder(answer?: (n: number, forward: () => Promise<Response>) => Promise<Response>): Recorder {
  const bodies: Record<string, any>[] = [];
  return {
    bodies,
    fetch: async (input, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      const forward = () => fetch(input, init);
      return answer ? answer(bodies.length, forward) : forward();
    },
  };
}

/** What a gateway answers when it is at its limit: the client's cue to retry a read or a keyed write. */
function overloaded(): Response {
  const body = { errors: [{ message: 'The gateway is at its limit.', extensions: { code: 'OVERLOADED', retryAfter: 0 } }] };
  return new Response(JSON.stringify(body), { status: 503, headers: { 'content-type': 'application/json', 'retry-after': '0' } });
}

const doc = <R, V>(text: string) => text as unknown as TypedDocument<R, V>;

const UPDATE_FIRST_NAME = doc<{ updateContact: { id: string; firstName: string | null } }, { id: string; firstName: string }>(
  'mutation UpdateFirstName($id: ID!, $firstName: String!) { updateContact(id: $id, input: { firstName: $firstName }) { id firstName } }',
);
const CONTACT_WITH_BILLING = doc<
  { contact: { id: string; firstName: string | null; billingCustomer: { id: string } | null } | null },
  { id: string }
>('query ContactWithBilling($id: ID!) { contact(id: $id) { id firstName billingCustomer { id } } }');

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the client against a gateway', () => {
  let stack: Stack;
  let served: Served;
  let url: string;
  let listeners: ReturnType<typeof countFeedListeners>;
  let sb: SwitchboardClient;
  beforeAll(async () => {
    stack = await startStack({
      // Enough channels for #deals-won, where winDeal announces (the demo world has it).
      world: { size: { ...worldSizeFor(30), channels: 5 } },
      env: { SWITCHBOARD_API_KEYS: `${TEST_API_KEYS_ENV},${apiKeyConfigEntry('crm-only', CRM_ONLY_KEY, ['crm:read'])}` },
    });
    served = await serve(stack.gateway);
    url = `${served.url}/graphql`;
    listeners = countFeedListeners(stack.gateway.changes);
    sb = createClient({ url, apiKey: TEST_API_KEY });
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it('answers a typed request with the same data as a raw POST of the same document', async () => {
    const id = stack.sandbox.world.contacts[2].id;
    const raw = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_API_KEY}` },
      body: JSON.stringify({ query: String(ContactByIdDocument), variables: { id } }),
    });
    const rawBody = (await raw.json()) as { data: unknown; errors?: unknown };
    expect(rawBody.errors).toBeUndefined();
    const { data, errors, attempts } = await sb.request(ContactByIdDocument, { id });
    expect(errors).toBeUndefined();
    expect(attempts).toBe(1);
    expect(data).toEqual(rawBody.data);
    expect(data?.contact?.id).toBe(id);
  });

  it('keeps partial data beside typed errors that carry their code, path and service', async () => {
    const crmOnly = createClient({ url, apiKey: CRM_ONLY_KEY });
    const id = stack.sandbox.world.contacts[0].id;
    const { data, errors } = await crmOnly.request(CONTACT_WITH_BILLING, { id });
    expect(data?.contact).toMatchObject({ id, billingCustomer: null });
    expect(data?.contact?.firstName).toEqual(expect.any(String));
    expect(errors).toEqual([expect.objectContaining({ code: 'FORBIDDEN', path: ['contact', 'billingCustomer'] })]);

    const missing = await sb.request(ContactByIdDocument, { id: '99999999' });
    expect(missing.data).toEqual({ contact: null });
    expect(missing.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', path: ['contact'], service: 'crm' })]);

    const refused = await createClient({ url, apiKey: 'sbk_not-a-key-the-gateway-knows' }).request(ContactByIdDocument, { id });
    expect(refused.status).toBe(401);
    expect(refused.errors?.map((e) => e.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('delivers a change made through a mutation to the subscription iterator, and closes the SSE stream on break', async () => {
    const id = stack.sandbox.world.contacts[4].id;
    const before = listeners.count();
    const events = sb.subscribe(LiveContactChangedDocument, { id });
    await events.ready();
    await listeners.until(before + 1);
    const update = await sb.request(UPDATE_FIRST_NAME, { id, firstName: 'Subscribed' });
    expect(update.errors).toBeUndefined();
    const received = [];
    for await (const event of events) {
      received.push(event);
      break;
    }
    expect(received).toHaveLength(1);
    expect(received[0].errors).toBeUndefined();
    expect(received[0].data?.contactChanged).toMatchObject({ id, firstName: 'Subscribed' });
    // The gateway sees the connection close: the subscription's listener on the change feed goes away.
    await until(() => listeners.count() === before, 'the subscription to end on the gateway');
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });

  it('sends the hash first in auto mode and, when this gateway runs no trusted documents, the text once, then text only', async () => {
    const calls = recorder();
    const auto = createClient({ url, apiKey: TEST_API_KEY, persisted: 'auto', fetch: calls.fetch });
    const id = stack.sandbox.world.contacts[1].id;
    const first = await auto.request(ContactByIdDocument, { id });
    expect(first.errors).toBeUndefined();
    expect(first.data?.contact?.id).toBe(id);
    expect(calls.bodies.map((b) => [b.query === undefined, b.extensions?.persistedQuery?.sha256Hash ?? null])).toEqual([
      [true, ContactByIdDocument.__meta__!.hash.replace('sha256:', '')],
      [false, null],
    ]);
    await auto.request(ContactByIdDocument, { id });
    expect(calls.bodies).toHaveLength(3);
    expect(calls.bodies[2].query).toBe(String(ContactByIdDocument));
  });

  it('does not retry a mutation without an idempotency key, though it retries a read on the same answer', async () => {
    const mutationCalls = recorder(async (_n, forward) => (await forward(), overloaded()));
    const writer = createClient({ url, apiKey: TEST_API_KEY, fetch: mutationCalls.fetch });
    const id = stack.sandbox.world.contacts[5].id;
    const result = await writer.request(UPDATE_FIRST_NAME, { id, firstName: 'Once' });
    expect(result.attempts).toBe(1);
    expect(result.errors?.map((e) => e.code)).toEqual(['OVERLOADED']);
    expect(mutationCalls.bodies).toHaveLength(1);

    const readCalls = recorder(async () => overloaded());
    const reader = createClient({ url, apiKey: TEST_API_KEY, fetch: readCalls.fetch, sleep: async () => undefined });
    const read = await reader.request(ContactByIdDocument, { id });
    expect(read.attempts).toBe(3);
    expect(readCalls.bodies).toHaveLength(3);
  });

  it('generates an idempotency key for winDeal and reuses it on the retry: the gateway runs it once and replays it', async () => {
    const deal = await openDealWithContact(stack);
    // The first answer is lost on the way back (the gateway ran the write); the client retries.
    const calls = recorder(async (n, forward) => (n === 1 ? (await forward(), overloaded()) : forward()));
    const writer = createClient({ url, apiKey: TEST_API_KEY, fetch: calls.fetch, sleep: async () => undefined });
    stack.resetCounts();
    const result = await writer.request(clientDocuments.WinDealDocument, { dealId: deal });
    expect(result.attempts).toBe(2);
    expect(result.errors).toBeUndefined();
    expect(result.data?.winDeal).toMatchObject({ status: 'SUCCEEDED', replayed: true });
    const keys = calls.bodies.map((b) => b.variables.idempotencyKey);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys).toEqual([keys[0], keys[0]]);
    expect(result.idempotencyKey).toBe(keys[0]);
    const audit = await stack.query<{ auditLog: { nodes: { outcome: string; idempotencyKey: string }[] } }>(
      'query ($key: String) { auditLog(first: 10, filter: { idempotencyKey: $key }) { nodes { outcome idempotencyKey } } }',
      { key: keys[0] },
    );
    expect(audit.data!.auditLog.nodes.map((n) => n.outcome).sort()).toEqual(['replayed', 'succeeded']);
    const invoicesCreated = stack.sandbox.server('billing').requests.entries.filter((e) => e.route === 'POST /v1/invoices');
    expect(invoicesCreated).toHaveLength(1);
  });

  it('runs examples/hello: the joined contacts and invoices, the live event, and the replayed win', async () => {
    const output = await runHello(url);
    const contacts = await sb.request(ContactsWithOpenInvoicesDocument, { first: 10 });
    const nodes = contacts.data!.contacts!.nodes;
    const lines = nodes.map((c) => {
      const open = (c.billingCustomer?.invoices ?? []).map((i) => `${i.number} ${i.amountDue.formatted}`).join(', ') || 'none';
      return `   ${c.firstName} ${c.lastName} <${c.email}>: open invoices: ${open}`;
    });
    for (const line of lines) expect(output).toContain(line);
    expect(lines.some((line) => !line.endsWith('open invoices: none'))).toBe(true);
    const event = /event: contactChanged (\{.*\})/.exec(output);
    expect(event, output).not.toBeNull();
    const changed = JSON.parse(event![1]) as { id: string; jobTitle: string };
    expect(changed).toMatchObject({ id: nodes[0].id, jobTitle: expect.stringMatching(/^Hello Example /) });
    const first = /first call: SUCCEEDED, replayed: false, invoice (in_\w+)/.exec(output);
    expect(first, output).not.toBeNull();
    expect(output).toContain(`second call, same key: SUCCEEDED, replayed: true, invoice ${first![1]}`);
    expect(output.trim().endsWith('Done.')).toBe(true);
  }, 90_000);
});

async function openDealWithContact(stack: Stack): Promise<string> {
  const result = await stack.query<{
    deals: { nodes: { id: string; stage: string | null; value: { amount: number } | null; contacts: { id: string }[] | null }[] };
  }>('{ deals(first: 100) { nodes { id stage value { amount } contacts { id } } } }');
  const open = result.data!.deals.nodes.filter(
    (d) => d.stage !== 'CLOSED_WON' && d.stage !== 'CLOSED_LOST' && d.contacts?.length === 1 && (d.value?.amount ?? 0) > 0,
  );
  // The last one: examples/hello takes the first.
  return open[open.length - 1].id;
}

/** Runs the example as a newcomer does, its key found where `npm start` keeps the development key (a data directory). */
function runHello(gatewayUrl: string): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hello-'));
  writeFileSync(join(dataDir, 'dev-api-key'), `${TEST_API_KEY}\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, SWITCHBOARD_URL: gatewayUrl, SWITCHBOARD_DATA_DIR: dataDir };
  delete env.SWITCHBOARD_API_KEY;
  return new Promise((resolve, reject) => {
    const child = spawn('node_modules/.bin/tsx', ['--conditions=source', 'examples/hello/main.ts'], { env });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`examples/hello exited ${code}:\n${output}`))));
  });
}

describe('trusted documents', () => {
  let stack: Stack;
  let served: Served;
  let url: string;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 20 }, env: { TRUSTED_DOCUMENTS: '1' } });
    served = await serve(stack.gateway);
    url = `${served.url}/graphql`;
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it("embeds the hashes of the gateway's trusted-documents manifest in the SDK's documents", () => {
    const manifest = JSON.parse(readFileSync('src/generated/documents/persisted-documents.json', 'utf8')) as Record<string, string>;
    const documents = Object.entries(clientDocuments).filter(([name]) => name.endsWith('Document'));
    expect(documents.length).toBe(Object.keys(manifest).length);
    for (const [name, document] of documents) {
      const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
      expect(manifest[hash!], name).toBeDefined();
    }
  });

  it('runs documents by hash in always and auto modes, in one request each; text is refused as PERSISTED_QUERY_NOT_FOUND', async () => {
    for (const persisted of ['always', 'auto'] as const) {
      const calls = recorder();
      const sb = createClient({ url, apiKey: TEST_API_KEY, persisted, fetch: calls.fetch });
      const { data, errors } = await sb.request(W1ContactsWithLinksDocument);
      expect(errors, persisted).toBeUndefined();
      expect(data?.contacts?.nodes.length).toBeGreaterThan(0);
      expect(calls.bodies).toHaveLength(1);
      expect(calls.bodies[0].query).toBeUndefined();
      expect(calls.bodies[0].extensions.persistedQuery.sha256Hash).toMatch(/^[0-9a-f]{64}$/);
    }
    const text = await createClient({ url, apiKey: TEST_API_KEY, persisted: 'never' }).request(W1ContactsWithLinksDocument);
    expect(text.status).toBe(400);
    expect(text.errors?.map((e) => e.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('streams a subscription by hash, and runs a trusted mutation by hash', async () => {
    const listeners = countFeedListeners(stack.gateway.changes);
    const sb = createClient({ url, apiKey: TEST_API_KEY, persisted: 'always' });
    // Every contact's changes (no id): the trusted write below creates one.
    const events = sb.subscribe(LiveContactChangedDocument, { id: null });
    await events.ready();
    await listeners.until(1);
    const email = `hashed.${Date.now()}@example.com`;
    const write = await sb.request(clientDocuments.WriteSingleSystemDocument, { email });
    expect(write.errors).toBeUndefined();
    const { value } = await events.next();
    await events.return();
    expect(value?.data?.contactChanged).toMatchObject({ id: write.data!.createContact.id, email });
  });
});

describe('a read that the vendor rate-limits', () => {
  let stack: Stack;
  let served: Served;
  beforeAll(async () => {
    // A deadline shorter than the vendor's Retry-After: the gateway answers RATE_LIMITED at once instead of waiting itself.
    stack = await startStack({ world: { size: 20 }, env: { ...NO_CACHE_ENV, REQUEST_DEADLINE_MS: '900' } });
    served = await serve(stack.gateway);
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it('is retried once after its retryAfter, and the second attempt reaches the vendor and answers', async () => {
    const channel = doc<{ channelByName: { id: string } | null }, Record<string, never>>(
      'query Channel { channelByName(name: "general") { id } }',
    );
    const waits: number[] = [];
    const calls = recorder();
    const sb = createClient({
      url: served.url,
      apiKey: TEST_API_KEY,
      fetch: calls.fetch,
      sleep: async (ms) => {
        waits.push(ms);
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    stack.resetCounts();
    stack.sandbox.server('chat').script([{ status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } }]);
    const result = await sb.request(channel);
    expect(result.errors).toBeUndefined();
    expect(result.data?.channelByName?.id).toEqual(expect.any(String));
    expect(result.attempts).toBe(2);
    expect(calls.bodies).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(stack.sandbox.server('chat').requests.entries.map((e) => e.status)).toEqual([429, 200]);
  });
});

describe('generated code and types', () => {
  it('keeps the SDK documents and the example operations current with schema.graphql (npm run codegen:client)', async () => {
    for (const [config, cwd] of [
      [clientCodegen, process.cwd()],
      [helloCodegen, `${process.cwd()}/examples/hello`],
    ] as const) {
      const outputs = (await generate({ ...config, cwd, silent: true }, false)) as { filename: string; content: string }[];
      expect(outputs.length).toBe(4);
      for (const output of outputs) {
        const file = output.filename.startsWith('/') ? output.filename : `${cwd}/${output.filename}`;
        expect(readFileSync(file, 'utf8'), `${output.filename} is stale: run npm run codegen:client`).toBe(output.content);
      }
    }
  }, 60_000);

  it("reads an operation's kind and declared variables off its text: not off strings, comments or fragments", () => {
    const scan = (text: string) => {
      const info = describeOperation(doc(text));
      return { kind: info.kind, name: info.name, variables: [...info.variables] };
    };
    expect(scan('{ contacts { totalCount } }')).toEqual({ kind: 'query', name: undefined, variables: [] });
    expect(
      scan(
        'fragment F on WorkflowResult { status mutation: replayed }\n# mutation X($idempotencyKey: String!)\nmutation Win($note: String = "$idempotencyKey: no", $dealId: ID!) { winDeal { ...F } }',
      ),
    ).toEqual({ kind: 'mutation', name: 'Win', variables: ['note', 'dealId'] });
    expect(scan('subscription ($id: ID, $ids: [ID!] = ["1"]) { contactChanged(id: $id) { id } }')).toEqual({
      kind: 'subscription',
      name: undefined,
      variables: ['id', 'ids'],
    });
    expect(describeOperation(clientDocuments.OnboardCustomerDocument).variables.has('idempotencyKey')).toBe(true);
  });

  it('lists exactly the error codes the gateway documents', () => {
    expect([...CLIENT_ERROR_CODES]).toEqual(Object.keys(ERROR_CODES));
  });

  it('fails to compile a consumer that reads a misspelt field off a typed result, and compiles the correct one', async () => {
    const good = await tsc('test/fixtures/client-consumer/tsconfig.good.json');
    expect(good.output).toBe('');
    expect(good.code).toBe(0);
    const bad = await tsc('test/fixtures/client-consumer/tsconfig.bad.json');
    expect(bad.code).not.toBe(0);
    expect(bad.output).toMatch(/bad\.ts\(\d+,\d+\): error TS2551: Property 'emial' does not exist/);
    expect(bad.output).toMatch(/error TS2353: Object literal may only specify known properties, and 'idd' does not exist/);
  }, 60_000);
});

function tsc(project: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('node_modules/.bin/tsc', ['--noEmit', '--pretty', 'false', '-p', project]);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output: output.trim() }));
  });
}

describe('the retry policy, over random answers from a fake server', () => {
  interface Answer {
    code?: string;
    retryAfter?: number;
    inHeader: boolean;
  }
  const READ_RETRY = ['RATE_LIMITED', 'OVERLOADED', 'UPSTREAM_UNAVAILABLE'];
  const KEYED_RETRY = [...READ_RETRY, 'WRITE_OUTCOME_UNKNOWN'];
  const documents = {
    query: doc<{ x: unknown }, Record<string, never>>('query Q { contacts(first: 1) { totalCount } }'),
    mutation: doc<{ x: unknown }, { id: string }>('mutation M($id: ID!) { deleteContact(id: $id) }'),
    keyed: doc<{ x: unknown }, { idempotencyKey: string; dealId: string }>(
      '# $idempotencyKey: in a comment does not count\nmutation K(\n  $dealId: ID! = "1"\n  $idempotencyKey: String!\n) { winDeal(dealId: $dealId, idempotencyKey: $idempotencyKey) { status } }',
    ),
  };
  let server: Server;
  let url: string;
  let script: Answer[] = [];
  let bodies: Record<string, any>[] = [];
  let events: string[] = [];
  let onRequest: () => void = () => undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', () => {
        bodies.push(JSON.parse(text));
        events.push('request');
        const answer = script[bodies.length - 1] ?? { inHeader: false };
        const headers: Record<string, string> = { 'content-type': 'application/graphql-response+json' };
        if (!answer.code) {
          response.writeHead(200, headers).end(JSON.stringify({ data: { x: 1 } }));
        } else {
          const extensions: Record<string, unknown> = { code: answer.code };
          if (answer.retryAfter !== undefined && !answer.inHeader) extensions.retryAfter = answer.retryAfter;
          if (answer.retryAfter !== undefined && answer.inHeader) headers['retry-after'] = String(answer.retryAfter);
          const status = HTTP_STATUS[answer.code as keyof typeof HTTP_STATUS];
          const body =
            status === 200
              ? { data: { x: null }, errors: [{ message: 'm', path: ['x'], extensions }] }
              : { errors: [{ message: 'm', extensions }] };
          response.writeHead(status, headers).end(JSON.stringify(body));
        }
        onRequest();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const answer: fc.Arbitrary<Answer> = fc.record({
    code: fc.option(fc.constantFrom(...Object.keys(ERROR_CODES)), { nil: undefined, freq: 4 }),
    // Up to past the client's longest wait (30 s): such an answer is returned, not waited for.
    retryAfter: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
    inHeader: fc.boolean(),
  });

  it('never retries a mutation without a key, retries reads only on the three codes, within the bound, after retryAfter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('query', 'mutation', 'keyed'),
        fc.array(answer, { minLength: 1, maxLength: 5 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.boolean(),
        async (kind, answers, random, callerKey) => {
          script = answers;
          bodies = [];
          events = [];
          const waits: number[] = [];
          const sb = createClient({
            url,
            apiKey: 'sbk_fake',
            random: () => random,
            sleep: async (ms) => {
              waits.push(ms);
              events.push('wait');
            },
          });
          const variables =
            kind === 'query'
              ? {}
              : kind === 'mutation'
                ? { id: '1' }
                : { dealId: '1', ...(callerKey ? { idempotencyKey: 'caller-key-0001' } : {}) };
          const result = await sb.request(documents[kind] as TypedDocument<unknown, Record<string, unknown>>, variables);

          // The model: attempts go on while the answer carries a code retryable for this kind, up to 3, unless retryAfter > 30 s.
          const retryable = kind === 'query' ? READ_RETRY : kind === 'keyed' ? KEYED_RETRY : [];
          let expected = 0;
          for (const a of [...answers, { inHeader: false }, { inHeader: false }, { inHeader: false }]) {
            expected++;
            if (!a.code || !retryable.includes(a.code) || expected === 3 || (a.retryAfter ?? 0) > 30) break;
          }
          expect(bodies.length).toBe(expected);
          expect(result.attempts).toBe(expected);
          if (kind === 'mutation') expect(bodies.length).toBe(1);
          // Each wait sits between an answer and the next request, and is at least that answer's retryAfter.
          expect(events).toEqual(Array.from({ length: expected * 2 - 1 }, (_, i) => (i % 2 ? 'wait' : 'request')));
          waits.forEach((wait, i) => {
            const retryAfter = answers[i].retryAfter;
            if (retryAfter !== undefined) {
              expect(wait).toBeGreaterThanOrEqual(retryAfter * 1000);
              expect(wait).toBeLessThan(retryAfter * 1000 + 250);
            } else {
              const ceiling = Math.min(5000, 250 * 2 ** i);
              expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
              expect(wait).toBeLessThanOrEqual(ceiling);
            }
          });
          if (kind === 'keyed') {
            const keys = new Set(bodies.map((b) => b.variables.idempotencyKey));
            expect(keys.size).toBe(1);
            expect([...keys][0]).toBe(callerKey ? 'caller-key-0001' : result.idempotencyKey);
          } else {
            expect(bodies.every((b) => b.variables?.idempotencyKey === undefined)).toBe(true);
          }
          const last = answers[expected - 1];
          expect(result.errors?.[0]?.code).toBe(last?.code);
        },
      ),
      { seed: Number(process.env.FC_SEED ?? 20261207), numRuns: 200 },
    );
  }, 60_000);

  it('stops waiting for a retry as soon as the caller aborts', async () => {
    script = [{ code: 'OVERLOADED', retryAfter: 25, inHeader: false }];
    bodies = [];
    const controller = new AbortController();
    onRequest = () => setTimeout(() => controller.abort(), 10);
    try {
      const sb = createClient({ url, apiKey: 'sbk_fake' });
      await expect(sb.request(documents.query, {}, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
      expect(bodies).toHaveLength(1);
    } finally {
      onRequest = () => undefined;
    }
  }, 10_000);
});

/**
 * Stripe API versions end to end: the gateway speaks 2023-08-16 and refuses to read an answer,
 * a webhook event or a caught-up event rendered in any other version (the sandbox emulates
 * 2025-03-31.basil, whose invoices have no `subscription`: read as 2023-08-16, an invoice
 * would silently lose its subscription). Real HTTP through the in-process gateway and the
 * Stripe emulator; the emulator's `/__sandbox/api-version` knob sets the account default or
 * forces every answer into a version.
 */
import diagnostics from 'node:diagnostics_channel';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '@switchboard/sandbox';
import { createBillingConnector, STRIPE_API_VERSION, stripeProfile } from '../src/systems/billing/index.ts';
import { createUpstreamClient } from '../src/upstream/client.ts';
import { captureLog, type CapturedLog, LEVEL } from './support/log-capture.ts';
import { type FeedRecording, recordFeed, registerWebhooks, sandboxAdmin, serve, sleep, type Served } from './support/live.ts';
import { type GraphQLResponse, NO_CACHE_ENV, type Stack, startStack } from './support/stack.ts';

const PINNED = STRIPE_API_VERSION;
const BASIL = '2025-03-31.basil';

type Data = Record<string, any>;

const setVersions = (stack: Stack, body: { default?: string; force?: string | null }) =>
  sandboxAdmin(stack.sandbox, 'billing', 'api-version', body);
const resetVersions = (stack: Stack) => sandboxAdmin(stack.sandbox, 'billing', 'api-version', undefined, 'DELETE');

/** The `Stripe-Version` of every answer the billing emulator's origin gives this process, read off undici's diagnostics channel. */
function recordAnswerVersions(url: string) {
  const origin = new URL(url).origin;
  const versions: (string | undefined)[] = [];
  const listener = (message: unknown) => {
    const { request, response } = message as { request: { origin: string | URL }; response: { headers: Buffer[] } };
    if (new URL(String(request.origin)).origin !== origin) return;
    let version: string | undefined;
    for (let i = 0; i < response.headers.length; i += 2) {
      if (String(response.headers[i]).toLowerCase() === 'stripe-version') version = String(response.headers[i + 1]);
    }
    versions.push(version);
  };
  diagnostics.subscribe('undici:request:headers', listener);
  return { versions, stop: () => diagnostics.unsubscribe('undici:request:headers', listener) };
}

/** The example operations (documents/) that are queries; which of them read billing is found by running them. */
const QUERY_DOCUMENTS = readdirSync(new URL('../documents/', import.meta.url))
  .filter((name) => name.endsWith('.graphql'))
  .map((name) => ({ name, source: readFileSync(new URL(`../documents/${name}`, import.meta.url), 'utf8') }))
  .filter(({ source }) => /^\s*query\b/m.test(source.replace(/^#.*$/gm, '')));

const getIn = (value: unknown, path: readonly (string | number)[]): unknown =>
  path.reduce<unknown>((at, key) => (at === null || at === undefined ? undefined : (at as Record<string, unknown>)[key]), value);

/**
 * The correct answer with what the errors nulled: for each error, the deepest point of its
 * path that the answer holds as null (the field itself, or the nullable parent a non-null
 * field's error propagated to).
 */
function expectedWithErrors(correct: Data, result: GraphQLResponse<Data>): Data | null {
  if (result.data === null || result.data === undefined) return null;
  const expected = structuredClone(correct);
  for (const error of result.errors ?? []) {
    const path = error.path ?? [];
    let cut = path.length;
    while (cut > 0 && getIn(result.data, path.slice(0, cut)) !== null) cut--;
    if (cut === 0) continue;
    const parent = getIn(expected, path.slice(0, cut - 1)) as Record<string | number, unknown>;
    parent[path[cut - 1]] = null;
  }
  return expected;
}

const versionWarnings = (log: CapturedLog) =>
  log.lines.filter((line) => line.level === LEVEL.warn && line.receivedVersion !== undefined && line.system === 'billing');

describe('a billing read answered in another API version', () => {
  let stack: Stack;
  let log: CapturedLog;

  beforeAll(async () => {
    log = captureLog('info');
    stack = await startStack({ logger: log.logger });
  });
  afterAll(() => stack?.close());
  afterEach(() => resetVersions(stack));

  it('is UPSTREAM_BAD_RESPONSE at the billing fields with a warn line naming both versions; the CRM part still answers; nothing wrong is cached', async () => {
    const customer = stack.sandbox.world.customers.find((c) => c.contactId && c.linkedByMetadata)!;
    const query = `query ($id: ID!) { contact(id: $id) { id email billingCustomer { id email } invoices { id number subscription { id } } } }`;
    await setVersions(stack, { force: BASIL });
    const refused = await stack.query<Data>(query, { id: customer.contactId });

    expect(refused.data!.contact).toMatchObject({ id: customer.contactId, email: expect.any(String) });
    expect(refused.data!.contact.billingCustomer).toBeNull();
    expect(refused.data!.contact.invoices).toBeNull();
    expect(refused.errors!.length).toBeGreaterThan(0);
    for (const error of refused.errors!) {
      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', service: 'billing' });
      expect(error.message).toContain(BASIL);
      expect(['billingCustomer', 'invoices']).toContain(error.path![1]);
    }
    const warning = versionWarnings(log).at(-1)!;
    expect(warning).toMatchObject({ receivedVersion: BASIL, expectedVersion: PINNED });
    expect(warning.msg).toContain(BASIL);
    expect(warning.msg).toContain(PINNED);

    await setVersions(stack, { force: null });
    stack.sandbox.server('billing').requests.reset();
    const answered = await stack.query<Data>(query, { id: customer.contactId });
    expect(answered.errors).toBeUndefined();
    expect(answered.data!.contact.billingCustomer).toEqual({ id: customer.id, email: expect.any(String) });
    // Asked again, not served from anything the refused answers left behind.
    expect(stack.sandbox.server('billing').requests.total).toBeGreaterThan(0);

    const raw = await fetch(`${stack.sandbox.urls.billing}/v1/invoices?customer=${customer.id}&limit=100`, {
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.billing}`, 'stripe-version': PINNED },
    });
    const stripe = (await raw.json()) as { data: { id: string; subscription: string | null }[] };
    const byId = new Map(stripe.data.map((inv) => [inv.id, inv.subscription]));
    const invoices = answered.data!.contact.invoices as { id: string; subscription: { id: string } | null }[];
    expect(invoices.map((inv) => inv.id).sort()).toEqual([...byId.keys()].sort());
    for (const inv of invoices) expect(inv.subscription?.id ?? null).toBe(byId.get(inv.id));
  });

  it('reads an invoice with its subscription only in the pinned version, never as an invoice without one', async () => {
    const page = await fetch(`${stack.sandbox.urls.billing}/v1/invoices?limit=100`, {
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.billing}`, 'stripe-version': PINNED },
    });
    const invoice = ((await page.json()) as { data: { id: string; subscription: string | null }[] }).data.find((i) => i.subscription)!;
    const query = `query ($id: ID!) { invoice(id: $id) { id subscription { id } } }`;
    // Everything forced to basil (a proxy dropped the header): an error, not `subscription: null`.
    await setVersions(stack, { force: BASIL });
    const forced = await stack.query<Data>(query, { id: invoice.id });
    expect(forced.data?.invoice ?? null).toBeNull();
    expect(forced.errors!.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    // The account's default moved to basil: the gateway's pinned header still gets 2023-08-16.
    await setVersions(stack, { default: BASIL, force: null });
    const pinned = await stack.query<Data>(query, { id: invoice.id });
    expect(pinned.errors).toBeUndefined();
    expect(pinned.data!.invoice).toEqual({ id: invoice.id, subscription: { id: invoice.subscription } });
  });

  it('a write answered in another version was applied: the error says so (writeApplied), so that nobody sends it again', async () => {
    const client = createUpstreamClient({
      profile: stripeProfile,
      baseUrl: stack.sandbox.urls.billing!,
      credential: SANDBOX_CREDENTIALS.billing,
    });
    const connector = createBillingConnector(client);
    const email = `versioned-${Date.now()}@example.com`;
    try {
      await setVersions(stack, { force: BASIL });
      await expect(connector.createCustomer({ email }, `versioned-${email}`)).rejects.toMatchObject({
        code: 'UPSTREAM_BAD_RESPONSE',
        writeApplied: true,
      });
      await setVersions(stack, { force: null });
      expect((await connector.listCustomers({ email, limit: 10 })).data).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('the emulator renders a basil invoice with parent.subscription_details.subscription and without subscription', async () => {
    const headers = (version: string) => ({ authorization: `Bearer ${SANDBOX_CREDENTIALS.billing}`, 'stripe-version': version });
    const page = await fetch(`${stack.sandbox.urls.billing}/v1/invoices?limit=100`, { headers: headers(PINNED) });
    const invoice = ((await page.json()) as { data: { id: string; subscription: string | null }[] }).data.find((i) => i.subscription)!;
    const res = await fetch(`${stack.sandbox.urls.billing}/v1/invoices/${invoice.id}`, { headers: headers(BASIL) });
    expect(res.headers.get('stripe-version')).toBe(BASIL);
    const body = (await res.json()) as Data;
    expect(body.parent.subscription_details.subscription).toBe(invoice.subscription);
    expect(body).not.toHaveProperty('subscription');
    expect(body).not.toHaveProperty('paid');
  });
});

/** A proxy in front of the emulator that drops the answers' `Stripe-Version` header, as some proxies drop headers. */
async function headerStrippingProxy(target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const headers = { authorization: req.headers.authorization ?? '', 'stripe-version': String(req.headers['stripe-version'] ?? '') };
    void fetch(target + req.url, { headers }).then(async (answer) => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(await answer.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('an answer that names no API version', () => {
  it('is read (a proxy may strip headers); the schemas still check its shape', async () => {
    const stack = await startStack();
    const proxy = await headerStrippingProxy(stack.sandbox.urls.billing!);
    const client = createUpstreamClient({ profile: stripeProfile, baseUrl: proxy.url, credential: SANDBOX_CREDENTIALS.billing });
    try {
      const page = await createBillingConnector(client).listInvoices({ limit: 100 });
      const invoice = page.data.find((inv) => inv.subscription)!;
      expect(await createBillingConnector(client).retrieveInvoice(invoice.id)).toMatchObject({ subscription: invoice.subscription });
    } finally {
      await client.close();
      await proxy.close();
      await stack.close();
    }
  });

  it('in another version’s shape is refused, not read as null: a basil invoice without the header is UPSTREAM_BAD_RESPONSE', async () => {
    const stack = await startStack();
    const proxy = await headerStrippingProxy(stack.sandbox.urls.billing!);
    const client = createUpstreamClient({ profile: stripeProfile, baseUrl: proxy.url, credential: SANDBOX_CREDENTIALS.billing });
    try {
      const connector = createBillingConnector(client);
      const invoice = (await connector.listInvoices({ limit: 100 })).data.find((inv) => inv.subscription)!;
      await setVersions(stack, { force: BASIL });
      await expect(connector.retrieveInvoice(invoice.id)).rejects.toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
    } finally {
      await client.close();
      await proxy.close();
      await stack.close();
    }
  });
});

describe('webhook events in another API version', () => {
  let stack: Stack;
  let log: CapturedLog;
  let served: Served;
  let feed: FeedRecording;

  beforeAll(async () => {
    log = captureLog('info');
    stack = await startStack({ logger: log.logger });
    served = await serve(stack.gateway);
    await registerWebhooks(stack.sandbox, served.url, {}, ['billing']);
    feed = recordFeed(stack.gateway.changes);
  });
  afterAll(async () => {
    feed?.stop();
    await served?.close();
    await stack?.close();
  });

  /** Edits a customer in the emulator; its Event's id. */
  const edit = async (description: string) => {
    const customer = stack.sandbox.world.customers[0];
    const result = await sandboxAdmin(stack.sandbox, 'billing', 'edit', { object: 'customer', id: customer.id, set: { description } });
    return (result.events as { id: string }[])[0].id;
  };
  const deliveredWith = async (id: string): Promise<number> => {
    for (let i = 0; i < 250; i++) {
      const deliveries = (await sandboxAdmin(stack.sandbox, 'billing', 'webhooks', undefined, 'GET')).deliveries as {
        ids: string[];
        status: number;
      }[];
      const delivery = deliveries.find((d) => d.ids.includes(id));
      if (delivery) return delivery.status;
      await sleep(20);
    }
    throw new Error(`event ${id} was not delivered`);
  };

  it('refuses the event (400, logged with both versions) and publishes nothing; the pinned version is published', async () => {
    await setVersions(stack, { default: BASIL });
    const refused = await edit('rendered in basil');
    expect(await deliveredWith(refused)).toBe(400);
    const line = log.lines.find((l) => l.msg === 'webhook rejected: malformed' && String(l.reason).includes(refused))!;
    expect(line.level).toBe(LEVEL.warn);
    expect(line.reason).toContain(BASIL);
    expect(line.reason).toContain(PINNED);

    await resetVersions(stack);
    const accepted = await edit('rendered in 2023-08-16');
    expect(await deliveredWith(accepted)).toBe(200);
    await feed.until((events) => events.some((e) => e.eventId === accepted), 'the pinned event');
    expect(feed.events.filter((e) => e.eventId === refused)).toEqual([]);
  });
});

describe('billing example operations × API versions', () => {
  let stack: Stack;
  let billingDocuments: { name: string; source: string; correct: Data }[];

  beforeAll(async () => {
    // No record cache: every run reads Stripe, so each version's answer is that version's.
    stack = await startStack({ env: NO_CACHE_ENV });
    billingDocuments = [];
    for (const document of QUERY_DOCUMENTS) {
      stack.resetCounts();
      const result = await stack.query<Data>(document.source);
      if (result.errors === undefined && stack.counts().billing > 0) billingDocuments.push({ ...document, correct: result.data! });
    }
  });
  afterAll(() => stack?.close());
  afterEach(() => resetVersions(stack));

  it('finds the example operations that read billing, and by default every answer they cause carries the pinned version', async () => {
    expect(billingDocuments.map((d) => d.name)).toEqual(expect.arrayContaining(['ContactById.graphql', 'CustomerWithContact.graphql']));
    const recording = recordAnswerVersions(stack.sandbox.urls.billing!);
    try {
      for (const document of billingDocuments) {
        const result = await stack.query<Data>(document.source);
        expect(result.errors).toBeUndefined();
        expect(result.data).toEqual(document.correct);
      }
    } finally {
      recording.stop();
    }
    expect(recording.versions.length).toBeGreaterThan(0);
    expect(new Set(recording.versions)).toEqual(new Set([PINNED]));
  });

  it('property: the answer is the correct data iff the version is the pinned one, else UPSTREAM_BAD_RESPONSE at billing fields only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000 }), fc.constantFrom(PINNED, BASIL), async (pick, version) => {
        const document = billingDocuments[pick % billingDocuments.length];
        await setVersions(stack, { force: version });
        const result = await stack.query<Data>(document.source);
        if (version === PINNED) {
          expect(result.errors).toBeUndefined();
          expect(result.data).toEqual(document.correct);
          return;
        }
        expect(result.errors?.length ?? 0).toBeGreaterThan(0);
        for (const error of result.errors!) expect(error.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', service: 'billing' });
        expect(result.data ?? null).toEqual(expectedWithErrors(document.correct, result));
      }),
      { seed: 20261207, numRuns: 12 },
    );
  });

  it('stops a catch-up at an event in another version, naming it and both versions, so that the cursor stays before it', async () => {
    await stack.gateway.catchUp(); // the first start sets the cursor
    await setVersions(stack, { default: BASIL });
    const customer = stack.sandbox.world.customers[1];
    const result = await sandboxAdmin(stack.sandbox, 'billing', 'edit', { object: 'customer', id: customer.id, set: { description: 'x' } });
    const eventId = (result.events as { id: string }[])[0].id;
    await expect(stack.gateway.catchUp()).rejects.toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
    await expect(stack.gateway.catchUp()).rejects.toThrow(new RegExp(`${eventId}.*${BASIL.replace('.', '\\.')}.*${PINNED}`));
  });
});

/**
 * The shared upstream HTTP layer against a real local HTTP server: retries, rate limits,
 * deadlines, the breaker, request encoding and error mapping, counted by server calls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../src/errors.ts';
import {
  createUpstreamClient,
  describeSystem,
  type ResilientUpstreamClient,
  type UpstreamAttemptEvent,
  type UpstreamClientOptions,
} from '../src/upstream/client.ts';
import type { UpstreamRequest, UpstreamResponse, VendorProfile } from '../src/upstream/types.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: Received, res: ServerResponse, call: number) => void;

/** A tiny vendor: every test installs its own handler and reads what the server received. */
class FakeVendor {
  readonly received: Received[] = [];
  handler: Handler = (_req, res) => json(res, 200, {});
  private server!: Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get calls(): number {
    return this.received.length;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.received.push(received);
        this.handler(received, res, this.received.length);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  reset(): void {
    this.received.length = 0;
    this.handler = (_req, res) => json(res, 200, {});
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const TOKEN = 'pat-na1-very-secret-token';

/** A HubSpot-like profile, plus Slack's 200 + ok:false convention for the 2xx tests. */
const profile: VendorProfile = {
  system: 'crm',
  authHeaders: (credential) => ({ authorization: `Bearer ${credential}` }),
  defaultHeaders: { 'x-vendor-version': '3' },
  classify(response: UpstreamResponse): GatewayError | null {
    const { status, body } = response;
    const service = 'crm' as const;
    if (status >= 200 && status < 300) {
      if (body && typeof body === 'object' && (body as { ok?: unknown }).ok === false) {
        return new GatewayError('NOT_FOUND', 'Not found in HubSpot CRM', { service, upstreamStatus: status });
      }
      return null;
    }
    if (status === 404) return new GatewayError('NOT_FOUND', 'Not found in HubSpot CRM', { service, upstreamStatus: status });
    if (status === 429) return new GatewayError('RATE_LIMITED', 'HubSpot CRM rate limit reached', { service, upstreamStatus: status });
    if (status >= 500) return new GatewayError('UPSTREAM_UNAVAILABLE', 'HubSpot CRM is unavailable', { service, upstreamStatus: status });
    return new GatewayError('BAD_USER_INPUT', 'HubSpot CRM rejected the request', { service, upstreamStatus: status });
  },
  retryAfterMs(response) {
    const header = response.headers['retry-after'];
    return header === undefined ? undefined : Number(header) * 1000;
  },
};

const get = (path: string, extra: Partial<UpstreamRequest> = {}): UpstreamRequest => ({
  method: 'GET',
  path,
  route: `GET ${path}`,
  idempotent: true,
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

const vendor = new FakeVendor();
const clients: ResilientUpstreamClient[] = [];
let events: UpstreamAttemptEvent[] = [];

function client(options: Partial<UpstreamClientOptions> = {}): ResilientUpstreamClient {
  const created = createUpstreamClient({
    profile,
    baseUrl: vendor.url,
    credential: TOKEN,
    timeoutMs: 2_000,
    onResponse: (event) => events.push(event),
    ...options,
  });
  clients.push(created);
  return created;
}

beforeAll(() => vendor.start());
afterAll(() => vendor.stop());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  vendor.reset();
  events = [];
  vi.useRealTimers();
});

describe('retries', () => {
  it('retries an idempotent GET after two 503s and returns the third answer', async () => {
    vendor.handler = (_req, res, call) => (call < 3 ? json(res, 503, { message: 'busy' }) : json(res, 200, { id: '1' }));

    const response = await client().request(get('/crm/v3/objects/contacts/1'));

    expect(response).toMatchObject({ status: 200, body: { id: '1' } });
    expect(vendor.calls).toBe(3);
    expect(events.map((e) => [e.attempt, e.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
  });

  it('gives up after the configured retries with UPSTREAM_UNAVAILABLE for the service', async () => {
    vendor.handler = (_req, res) => json(res, 502, {});

    const error = await rejection(client({ retries: 1 }).request(get('/x')));

    expect(vendor.calls).toBe(2);
    expect(error.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', service: 'crm' });
    expect(error.upstreamStatus).toBe(502);
  });

  it('sends a non-idempotent POST once when the vendor answers 503', async () => {
    vendor.handler = (_req, res) => json(res, 503, {});

    const error = await rejection(
      client().request({
        method: 'POST',
        path: '/crm/v3/objects/notes',
        route: 'POST /notes',
        idempotent: false,
        body: { json: { a: 1 } },
      }),
    );

    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(vendor.calls).toBe(1);
  });

  it('retries a non-idempotent POST after a 429, which the vendor never executed', async () => {
    vendor.handler = (_req, res, call) => (call === 1 ? json(res, 429, {}, { 'retry-after': '0' }) : json(res, 200, { ok: true }));

    const response = await client().request({
      method: 'POST',
      path: '/chat.postMessage',
      route: 'POST chat.postMessage',
      idempotent: false,
    });

    expect(response.status).toBe(200);
    expect(vendor.calls).toBe(2);
  });

  it('does not retry a 404, and surfaces the profile classification', async () => {
    vendor.handler = (_req, res) => json(res, 404, { message: 'gone' });

    const error = await rejection(client().request(get('/crm/v3/objects/contacts/404')));

    expect(error.extensions).toEqual({ code: 'NOT_FOUND', service: 'crm' });
    expect(vendor.calls).toBe(1);
  });
});

describe('rate limits', () => {
  it('waits the Retry-After the vendor asks for when it is short, then succeeds', async () => {
    vendor.handler = (_req, res, call) => (call === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, { id: '1' }));
    const started = Date.now();

    const response = await client().request(get('/x'));

    expect(response.status).toBe(200);
    expect(vendor.calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('surfaces RATE_LIMITED with retryAfter at once when the vendor asks for a long wait', async () => {
    vendor.handler = (_req, res) => json(res, 429, {}, { 'retry-after': '30' });
    const started = Date.now();

    const error = await rejection(client().request(get('/x')));

    expect(error.extensions).toEqual({ code: 'RATE_LIMITED', service: 'crm', retryAfter: 30 });
    expect(vendor.calls).toBe(1);
    // It did not wait out the 30 s the vendor asked for (any busy machine answers well inside that).
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('reports RATE_LIMITED with a retryAfter hint after retries on 429 run out', async () => {
    vendor.handler = (_req, res) => json(res, 429, {});

    const error = await rejection(client({ retries: 1 }).request(get('/x')));

    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(vendor.calls).toBe(2);
  });
});

describe('deadlines and connection failures', () => {
  it('fails with UPSTREAM_TIMEOUT when an attempt outlives timeoutMs', async () => {
    vendor.handler = (_req, res) => setTimeout(() => json(res, 200, {}), 1_000).unref();

    const error = await rejection(client({ timeoutMs: 100, retries: 0 }).request(get('/slow')));

    expect(error.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT', service: 'crm' });
    expect(events).toMatchObject([{ status: 'error', attempt: 1 }]);
  });

  it('gives each retry of a timed-out read its own deadline', async () => {
    vendor.handler = (_req, res, call) =>
      call === 1 ? setTimeout(() => json(res, 200, {}), 1_000).unref() : json(res, 200, { second: true });

    const response = await client({ timeoutMs: 150 }).request(get('/slow-once'));

    expect(response.body).toEqual({ second: true });
    expect(vendor.calls).toBe(2);
  });

  it('stops at once when the caller aborts, with UPSTREAM_TIMEOUT and no retry', async () => {
    let answered = false;
    vendor.handler = (_req, res) =>
      setTimeout(() => {
        answered = true;
        json(res, 200, {});
      }, 1_000).unref();

    const error = await rejection(client().request(get('/slow', { signal: AbortSignal.timeout(100) })));

    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    // It gave up before the vendor answered, not after.
    expect(answered).toBe(false);
    expect(vendor.calls).toBe(1);
  });

  it('maps a refused connection to UPSTREAM_UNAVAILABLE naming the vendor', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await rejection(client({ baseUrl: `http://127.0.0.1:${port}`, retries: 1 }).request(get('/x')));

    expect(error.message).toBe('HubSpot CRM is unavailable');
    expect(error.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', service: 'crm' });
    expect(events.map((e) => e.status)).toEqual(['error', 'error']);
  });

  it('maps a connection reset mid-request to UPSTREAM_UNAVAILABLE', async () => {
    vendor.handler = (_req, res) => res.socket?.destroy();

    const error = await rejection(client({ retries: 0 }).request(get('/reset')));

    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
  });
});

describe('circuit breaker', () => {
  it('opens after five consecutive failures and then answers without calling the vendor', async () => {
    vendor.handler = (_req, res) => json(res, 500, {});
    const breaking = client({ retries: 0 });

    for (let i = 0; i < 5; i++) await rejection(breaking.request(get('/x')));
    expect(breaking.breakerState).toBe('open');

    const error = await rejection(breaking.request(get('/x')));
    expect(error.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', service: 'crm', retryAfter: 5 });
    expect(vendor.calls).toBe(5);
  });

  it('tells the caller when its trial call will be let through (retryAfter, in whole seconds)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vendor.handler = (_req, res) => json(res, 500, {});
    const breaking = client({ retries: 0 });
    for (let i = 0; i < 5; i++) await rejection(breaking.request(get('/x')));

    expect((await rejection(breaking.request(get('/x')))).retryAfter).toBe(5);
    vi.setSystemTime(Date.now() + 3_500);
    expect((await rejection(breaking.request(get('/x')))).retryAfter).toBe(2);
    expect(vendor.calls).toBe(5);
  });

  it('lets one trial call through after 5 s and closes again when it succeeds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vendor.handler = (_req, res) => json(res, 500, {});
    const breaking = client({ retries: 0 });
    for (let i = 0; i < 5; i++) await rejection(breaking.request(get('/x')));

    vendor.handler = (_req, res) => json(res, 200, { back: true });
    vi.setSystemTime(Date.now() + 5_001);
    const response = await breaking.request(get('/x'));

    expect(response.body).toEqual({ back: true });
    expect(breaking.breakerState).toBe('closed');
  });

  it('does not count 4xx answers as failures', async () => {
    vendor.handler = (_req, res) => json(res, 404, {});
    const healthy = client({ retries: 0 });

    for (let i = 0; i < 6; i++) await rejection(healthy.request(get('/missing')));

    expect(healthy.breakerState).toBe('closed');
    expect(vendor.calls).toBe(6);
  });
});

describe('request encoding', () => {
  it('repeats array query keys and leaves out undefined and null', async () => {
    await client().request(
      get('/crm/v3/objects/contacts', {
        query: { properties: ['email', 'firstname'], limit: 10, archived: false, after: undefined, idProperty: null },
      }),
    );

    expect(vendor.received[0].url).toBe('/crm/v3/objects/contacts?properties=email&properties=firstname&limit=10&archived=false');
  });

  it('sends JSON bodies as application/json with the auth, default and caller headers', async () => {
    await client().request({
      method: 'POST',
      path: '/crm/v3/objects/contacts/batch/read',
      route: 'POST batch/read',
      idempotent: true,
      body: { json: { inputs: [{ id: '1' }] } },
      headers: { 'x-request-id': 'req-123' },
    });

    const [received] = vendor.received;
    expect(received.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received.body)).toEqual({ inputs: [{ id: '1' }] });
    expect(received.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(received.headers['x-vendor-version']).toBe('3');
    expect(received.headers['x-request-id']).toBe('req-123');
  });

  it('sends form bodies as application/x-www-form-urlencoded, unchanged', async () => {
    await client().request({
      method: 'POST',
      path: '/v1/customers',
      route: 'POST /v1/customers',
      idempotent: true,
      body: { form: 'email=a%40b.c&metadata[x]=1' },
    });

    expect(vendor.received[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(vendor.received[0].body).toBe('email=a%40b.c&metadata[x]=1');
  });

  it('keeps the base URL path prefix, as Slack needs for /api', async () => {
    await client({ baseUrl: `${vendor.url}/api/` }).request(get('/users.info', { query: { user: 'U1' } }));

    expect(vendor.received[0].url).toBe('/api/users.info?user=U1');
  });
});

describe('response handling', () => {
  it('parses an empty body as null', async () => {
    vendor.handler = (_req, res) => res.writeHead(204).end();

    const response = await client().request({ method: 'DELETE', path: '/x/1', route: 'DELETE /x/{id}', idempotent: true });

    expect(response).toMatchObject({ status: 204, body: null });
  });

  it('rejects an HTML body on a 200 with UPSTREAM_BAD_RESPONSE, keeping the body out of the message', async () => {
    const html = '<html><body>Captive portal: secret-session-42</body></html>';
    vendor.handler = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html);

    const error = await rejection(client().request(get('/x')));

    expect(error.extensions).toEqual({ code: 'UPSTREAM_BAD_RESPONSE', service: 'crm' });
    expect(error.message).not.toContain('secret-session-42');
    expect(error.message).not.toContain('<html>');
    expect(vendor.calls).toBe(1);
  });

  it('throws the profile error for a 200 that reports failure in its body, without retrying', async () => {
    vendor.handler = (_req, res) => json(res, 200, { ok: false, error: 'user_not_found' });

    const error = await rejection(client().request(get('/users.info')));

    expect(error.code).toBe('NOT_FOUND');
    expect(vendor.calls).toBe(1);
  });

  it('returns a non-2xx response the profile does not classify as an error', async () => {
    const lenient: VendorProfile = { ...profile, classify: () => null };
    vendor.handler = (_req, res) => json(res, 207, { results: [], errors: [{ id: '2' }] });

    const response = await client({ profile: lenient }).request(get('/batch'));

    expect(response).toMatchObject({ status: 207, body: { errors: [{ id: '2' }] } });
  });
});

describe('logging', () => {
  it('logs one debug line per attempt with route and status, and never the credential', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    vendor.handler = (_req, res, call) =>
      call === 1 ? json(res, 503, { secret: 'body-secret' }) : json(res, 200, { secret: 'body-secret' });

    await client({ logger: pino({ level: 'debug' }, sink) }).request(
      get('/crm/v3/objects/contacts/1', { route: 'GET /crm/v3/objects/contacts/{id}' }),
    );

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toMatchObject([
      { system: 'crm', route: 'GET /crm/v3/objects/contacts/{id}', status: 503, attempt: 1 },
      { system: 'crm', route: 'GET /crm/v3/objects/contacts/{id}', status: 200, attempt: 2 },
    ]);
    expect(lines.join('')).not.toContain(TOKEN);
    expect(lines.join('')).not.toContain('body-secret');
  });
});

describe('describeSystem', () => {
  it('names each vendor for client-facing messages', () => {
    expect([describeSystem('crm'), describeSystem('billing'), describeSystem('chat')]).toEqual(['HubSpot CRM', 'Stripe', 'Slack']);
  });
});

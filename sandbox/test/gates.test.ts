/**
 * Causal gates (sandbox/src/gates.ts) over real HTTP, on the servers startSandbox starts
 * together: a held answer goes out when the awaited request arrives (on its own system or a
 * sibling), or at its timeout, and the request log says which. Every assertion is on order
 * and recorded cause, none on elapsed time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type GateInfo, type RequestLogEntry, type Sandbox, type SandboxServer, startSandbox, type SystemName } from '../src/index.ts';

const OWNERS = 'GET /crm/v3/owners';
const CONTACTS = 'GET /crm/v3/objects/:type';
const CUSTOMERS = 'GET /v1/customers';
const CUSTOMER_SEARCH = 'GET /v1/customers/search';

let sandbox: Sandbox | undefined;

async function start(systems: readonly SystemName[] = ['crm', 'billing']): Promise<Sandbox> {
  sandbox = await startSandbox({ world: { size: 20 }, systems });
  return sandbox;
}

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** An API call with the vendor's credential; resolves with the status once the answer is in. */
async function call(s: Sandbox, system: SystemName, path: string): Promise<number> {
  const response = await fetch(`${s.urls[system]}${path}`, { headers: { authorization: `Bearer ${s.credentials[system]}` } });
  await response.arrayBuffer();
  return response.status;
}

async function admin(s: Sandbox, system: SystemName, path: string, method: string, body?: unknown) {
  const response = await fetch(`${s.urls[system]}/__sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The latest request of `route` in the server's log. */
const entry = (server: SandboxServer, route: string): RequestLogEntry | undefined =>
  server.requests.entries.findLast((e) => e.route === route);

/**
 * Resolves with the log entry of the latest `route` request once it is logged, unanswered,
 * and the server's gates hold `gates` waits between them: it has arrived and is held.
 */
async function untilHeld(server: SandboxServer, route: string, gates = 1): Promise<RequestLogEntry> {
  return vi.waitFor(
    () => {
      expect(server.gates.list(server.system).reduce((sum, g) => sum + g.holding, 0)).toBe(gates);
      const held = entry(server, route);
      expect(held).toBeDefined();
      expect(held!.answeredAt).toBeUndefined();
      return held!;
    },
    { timeout: 10_000 },
  );
}

describe('release', () => {
  it('holds a CRM answer until a billing request arrives, and records the arrival as the cause', async () => {
    const s = await start();
    const crm = s.server('crm');
    const set = await admin(s, 'crm', 'gates', 'POST', {
      route: OWNERS,
      until: { system: 'billing', route: CUSTOMERS },
      timeoutMs: 20_000,
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      system: 'crm',
      route: OWNERS,
      until: { system: 'billing', route: CUSTOMERS },
      timeoutMs: 20_000,
      open: false,
      holding: 0,
    });

    const owners = call(s, 'crm', '/crm/v3/owners');
    const held = await untilHeld(crm, OWNERS);
    expect(await call(s, 'billing', '/v1/customers?limit=1')).toBe(200);
    expect(await owners).toBe(200);

    const awaited = entry(s.server('billing'), CUSTOMERS)!;
    expect(held.heldUntil).toBe('arrival');
    expect(awaited.at).toBeLessThan(held.answeredAt!);
    expect(awaited.heldUntil).toBeUndefined();
    expect((await admin(s, 'crm', 'gates', 'GET')).body).toEqual({ gates: [{ ...set.body, open: true }] });
  });

  it('lets later answers of the route go unheld once the awaited request has arrived', async () => {
    const s = await start();
    const crm = s.server('crm');
    crm.gate({ route: OWNERS, until: { route: CONTACTS } });
    await call(s, 'crm', '/crm/v3/objects/contacts?limit=1');
    expect(await call(s, 'crm', '/crm/v3/owners')).toBe(200);
    expect(entry(crm, OWNERS)?.heldUntil).toBe('arrival');
  });

  it('opens only on arrivals after the gate was set', async () => {
    const s = await start();
    const crm = s.server('crm');
    await call(s, 'billing', '/v1/customers?limit=1');
    crm.gate({ route: OWNERS, until: { system: 'billing', route: CUSTOMERS }, timeoutMs: 50 });
    expect(await call(s, 'crm', '/crm/v3/owners')).toBe(200);
    expect(entry(crm, OWNERS)?.heldUntil).toBe('timeout');
  });

  it('lets the answer go at the timeout when the awaited request never arrives, and records that', async () => {
    const s = await start();
    const crm = s.server('crm');
    crm.gate({ route: OWNERS, until: { system: 'billing', route: CUSTOMER_SEARCH }, timeoutMs: 100 });
    expect(await call(s, 'crm', '/crm/v3/owners')).toBe(200);
    const held = entry(crm, OWNERS)!;
    expect(held.heldUntil).toBe('timeout');
    expect(held.answeredAt).toBeGreaterThan(held.at);
    expect(crm.gates.list('crm')).toMatchObject([{ open: false, holding: 0 }]);
  });

  it('holds only the requests whose path, decoded query or body contains `match`, and opens on a matching arrival', async () => {
    const s = await start();
    const crm = s.server('crm');
    crm.gate({ route: CONTACTS, match: '/companies', until: { system: 'billing', route: CUSTOMER_SEARCH, match: 'email:"' } });
    await call(s, 'crm', '/crm/v3/objects/contacts?limit=1');
    expect(entry(crm, CONTACTS)?.heldUntil).toBeUndefined();

    const companies = call(s, 'crm', '/crm/v3/objects/companies?limit=1');
    const held = await untilHeld(crm, CONTACTS);
    await call(s, 'billing', `/v1/customers/search?query=${encodeURIComponent('metadata["hubspot_contact_id"]:"1"')}`);
    expect(crm.gates.list('crm')).toMatchObject([{ open: false, holding: 1 }]);
    await call(s, 'billing', `/v1/customers/search?query=${encodeURIComponent('email:"nobody@example.com"')}`);
    expect(await companies).toBe(200);
    expect(held).toMatchObject({ path: '/crm/v3/objects/companies', heldUntil: 'arrival' });
  });

  it('waits for every gate on the route; a timeout under any of them is the recorded cause', async () => {
    const s = await start();
    const crm = s.server('crm');
    crm.gate({ route: OWNERS, until: { system: 'billing', route: CUSTOMERS } });
    crm.gate({ route: OWNERS, until: { system: 'billing', route: CUSTOMER_SEARCH }, timeoutMs: 100 });
    const owners = call(s, 'crm', '/crm/v3/owners');
    await untilHeld(crm, OWNERS, 2);
    await call(s, 'billing', '/v1/customers?limit=1');
    expect(await owners).toBe(200);
    expect(entry(crm, OWNERS)?.heldUntil).toBe('timeout');
  });
});

describe('opened by the test', () => {
  it('holds the answers of a gate without `until` until POST /__sandbox/gates/<id>/open, and records that', async () => {
    const s = await start();
    const crm = s.server('crm');
    const set = await admin(s, 'crm', 'gates', 'POST', { route: OWNERS });
    expect(set.body).toMatchObject({ route: OWNERS, open: false });
    expect(set.body.until).toBeUndefined();
    const owners = call(s, 'crm', '/crm/v3/owners');
    const held = await untilHeld(crm, OWNERS);
    // Other routes and systems answer meanwhile; the held one still waits.
    expect(await call(s, 'crm', '/crm/v3/objects/contacts?limit=1')).toBe(200);
    expect(await call(s, 'billing', '/v1/customers?limit=1')).toBe(200);
    expect(held.answeredAt).toBeUndefined();
    expect(await admin(s, 'crm', `gates/${String(set.body.id)}/open`, 'POST')).toMatchObject({ status: 200, body: { ok: true } });
    expect(await owners).toBe(200);
    expect(held.heldUntil).toBe('opened');
    // Open for good: later answers of the route are not held.
    expect(await call(s, 'crm', '/crm/v3/owners')).toBe(200);
    expect(entry(crm, OWNERS)?.heldUntil).toBe('arrival');
  });

  it('holds only the first requests with `first`: later ones of the route go out unheld while those wait', async () => {
    const s = await start();
    const crm = s.server('crm');
    const gate = crm.gate({ route: OWNERS, first: 1 });
    expect(gate).toMatchObject({ first: 1, holding: 0 });
    const owners = call(s, 'crm', '/crm/v3/owners');
    const held = await untilHeld(crm, OWNERS);
    expect(await call(s, 'crm', '/crm/v3/owners')).toBe(200);
    expect(entry(crm, OWNERS)?.heldUntil).toBeUndefined();
    expect(held.answeredAt).toBeUndefined();
    crm.openGate(gate.id);
    expect(await owners).toBe(200);
    expect(held.heldUntil).toBe('opened');
  });

  it('server.openGate() opens it too; an unknown gate is a 404, and one left shut still times out', async () => {
    const s = await start();
    const crm = s.server('crm');
    const { id } = crm.gate({ route: OWNERS, timeoutMs: 100 });
    expect(await call(s, 'crm', '/crm/v3/owners')).toBe(200);
    expect(entry(crm, OWNERS)?.heldUntil).toBe('timeout');
    expect(crm.openGate(id)).toBe(true);
    expect(crm.openGate('g999')).toBe(false);
    expect((await admin(s, 'crm', 'gates/g999/open', 'POST')).status).toBe(404);
    expect((await admin(s, 'crm', `gates/${id}/close`, 'POST')).status).toBe(404);
  });
});

describe('scope', () => {
  it('holds nothing but its route on its system', async () => {
    const s = await start(['crm', 'billing', 'chat']);
    const crm = s.server('crm');
    crm.gate({ route: OWNERS, until: { system: 'chat', route: 'GET /api/auth.test' } });
    const owners = call(s, 'crm', '/crm/v3/owners');
    const held = await untilHeld(crm, OWNERS);
    // Another CRM route, and billing's, answer while the owners page is held.
    expect(await call(s, 'crm', '/crm/v3/objects/contacts?limit=1')).toBe(200);
    expect(await call(s, 'billing', '/v1/customers?limit=1')).toBe(200);
    expect(entry(crm, CONTACTS)).toMatchObject({ status: 200 });
    expect(entry(crm, CONTACTS)?.heldUntil).toBeUndefined();
    expect(entry(s.server('billing'), CUSTOMERS)?.heldUntil).toBeUndefined();
    expect(held.answeredAt).toBeUndefined();
    expect(crm.gates.list('crm')).toMatchObject([{ holding: 1 }]);
    // Only the CRM server lists the gate.
    expect((await admin(s, 'billing', 'gates', 'GET')).body).toEqual({ gates: [] });

    await call(s, 'chat', '/api/auth.test');
    expect(await owners).toBe(200);
    expect(held.heldUntil).toBe('arrival');
  });

  it('is set on a sibling through /__sandbox/systems/<system>/gates', async () => {
    const s = await start();
    const res = await admin(s, 'billing', 'systems/crm/gates', 'POST', { route: OWNERS, until: { system: 'billing', route: CUSTOMERS } });
    expect(res.status).toBe(200);
    expect(s.server('crm').gates.list('crm')).toMatchObject([{ id: res.body.id, route: OWNERS }]);
  });
});

describe('clearing', () => {
  it('DELETE /__sandbox/gates/<id> removes that gate and lets what it holds go, recorded as cleared', async () => {
    const s = await start();
    const crm = s.server('crm');
    const kept = crm.gate({ route: CONTACTS, until: { system: 'billing', route: CUSTOMERS } });
    const removed = crm.gate({ route: OWNERS, until: { system: 'billing', route: CUSTOMERS } });
    const owners = call(s, 'crm', '/crm/v3/owners');
    const held = await untilHeld(crm, OWNERS);
    expect(await admin(s, 'crm', `gates/${removed.id}`, 'DELETE')).toEqual({ status: 200, body: { ok: true, cleared: 1 } });
    expect(await owners).toBe(200);
    expect(held.heldUntil).toBe('cleared');
    expect(crm.gates.list('crm').map((g: GateInfo) => g.id)).toEqual([kept.id]);
    expect(await admin(s, 'crm', `gates/${removed.id}`, 'DELETE')).toEqual({
      status: 404,
      body: { error: `no gate '${removed.id}' on crm` },
    });
    expect(await admin(s, 'crm', 'gates', 'DELETE')).toEqual({ status: 200, body: { ok: true, cleared: 1 } });
    expect(crm.gates.list('crm')).toEqual([]);
  });

  it('reset?scope=all clears the gates and lets held answers go; the log-only reset keeps them', async () => {
    const s = await start();
    const crm = s.server('crm');
    crm.gate({ route: OWNERS, until: { system: 'billing', route: CUSTOMERS } });
    expect((await admin(s, 'crm', 'reset', 'POST', '')).status).toBe(200);
    expect(crm.gates.list('crm')).toHaveLength(1);

    const owners = call(s, 'crm', '/crm/v3/owners');
    const held = await untilHeld(crm, OWNERS);
    expect((await admin(s, 'crm', 'reset?scope=all', 'POST', '')).status).toBe(200);
    expect(await owners).toBe(200);
    expect(held.heldUntil).toBe('cleared');
    expect(crm.gates.list('crm')).toEqual([]);
    // Nothing is held after it.
    expect(await call(s, 'crm', '/crm/v3/owners')).toBe(200);
    expect(entry(crm, OWNERS)?.heldUntil).toBeUndefined();
  });

  it('server.close() lets held answers go', async () => {
    const s = await start(['crm']);
    const crm = s.server('crm');
    crm.gate({ route: OWNERS, until: { route: CONTACTS } });
    const owners = call(s, 'crm', '/crm/v3/owners').catch(() => 'closed');
    const held = await untilHeld(crm, OWNERS);
    await s.close();
    sandbox = undefined;
    await owners;
    expect(held.heldUntil).toBe('cleared');
  });
});

describe('validation', () => {
  const UNTIL = { system: 'billing', route: CUSTOMERS };
  const cases: [string, unknown, RegExp][] = [
    ['no JSON object', '[1]', /^expected \{ "route": "METHOD \/pattern"/],
    ['an until that is no object', { route: OWNERS, until: 'billing' }, /^expected \{ "route"/],
    ['an unknown field', { route: OWNERS, until: UNTIL, times: 2 }, /^unknown gate field 'times'$/],
    ['an unknown until field', { route: OWNERS, until: { ...UNTIL, count: 1 } }, /^unknown field 'until\.count'$/],
    [
      'a route the system does not serve',
      { route: 'GET /v1/customers', until: UNTIL },
      /^route must be a crm route .*got "GET \/v1\/customers"$/,
    ],
    ['a route without its method', { route: '/crm/v3/owners', until: UNTIL }, /^route must be a crm route as the request log names it/],
    [
      'an awaited route of another system',
      { route: OWNERS, until: { system: 'billing', route: OWNERS } },
      /^until\.route must be a billing route/,
    ],
    [
      'a system not started with it',
      { route: OWNERS, until: { system: 'chat', route: 'GET /api/auth.test' } },
      /^until\.system must be one of crm, billing/,
    ],
    ['a negative timeout', { route: OWNERS, until: UNTIL, timeoutMs: -1 }, /^timeoutMs must be a positive number of ms, at most 600000$/],
    ['a timeout that is no number', { route: OWNERS, until: UNTIL, timeoutMs: '100' }, /^timeoutMs must be a positive/],
    ['an empty match', { route: OWNERS, match: '', until: UNTIL }, /^match must be a non-empty string$/],
    [
      'a count of requests to hold that is not whole',
      { route: OWNERS, first: 1.5 },
      /^first must be a whole number of requests, 1 or more$/,
    ],
    ['no requests to hold', { route: OWNERS, first: 0 }, /^first must be a whole number/],
    [
      'a gate its own requests would open',
      { route: OWNERS, until: { route: OWNERS } },
      /^until must name other requests than the ones the gate holds/,
    ],
  ];

  it.each(cases)('answers 400 naming the problem for %s', async (_name, body, message) => {
    const s = await start();
    const res = await admin(s, 'crm', 'gates', 'POST', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
    expect(s.server('crm').gates.list('crm')).toEqual([]);
  });

  it('server.gate() throws the same message', async () => {
    const s = await start();
    expect(() => s.server('crm').gate({ route: 'GET /nowhere', until: { route: OWNERS } })).toThrow(
      /^invalid gate: route must be a crm route/,
    );
  });

  it('answers other methods on /__sandbox/gates with 405', async () => {
    const s = await start();
    expect((await admin(s, 'crm', 'gates', 'PATCH', {})).status).toBe(405);
    expect((await admin(s, 'crm', 'gates/g1', 'POST', {})).status).toBe(405);
  });
});

/**
 * The CRM emulator's wire protocol around the data: bearer auth, HubSpot's error and 429
 * bodies, the X-HubSpot-RateLimit-* headers and opt-in quotas, and the request log.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CrmHarness, startCrm } from './crm-helpers.ts';

let crm: CrmHarness;

beforeAll(async () => {
  crm = await startCrm(200);
});

afterAll(async () => {
  await crm?.close();
});

afterEach(async () => {
  await crm.knobs({ rateLimitedUntil: 0, errorRate: 0 });
  await crm.admin('POST', '/__sandbox/limits', { enforceTenSecondly: false, tenSecondlyMax: 190, searchPerSecond: 0 });
});

async function raw(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${crm.url}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('authentication', () => {
  it('answers 401 INVALID_AUTHENTICATION without a token', async () => {
    const res = await raw('/crm/v3/objects/contacts');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      status: 'error',
      message: expect.stringContaining('Authentication credentials not found'),
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      category: 'INVALID_AUTHENTICATION',
    });
  });

  it('answers 401 for a wrong token, a Basic credential and the legacy hapikey parameter', async () => {
    expect((await raw('/crm/v3/objects/contacts', { authorization: 'Bearer pat-na1-wrong' })).status).toBe(401);
    expect(
      (await raw('/crm/v3/objects/contacts', { authorization: `Basic ${Buffer.from('pat-na1-sandbox-switchboard:').toString('base64')}` }))
        .status,
    ).toBe(401);
    expect((await raw('/crm/v3/objects/contacts?hapikey=pat-na1-sandbox-switchboard')).status).toBe(401);
  });

  it('accepts the sandbox token with any casing of "Bearer"', async () => {
    expect((await raw('/crm/v3/objects/contacts?limit=1', { authorization: 'bearer pat-na1-sandbox-switchboard' })).status).toBe(200);
  });
});

describe('rate limits', () => {
  it('sends the X-HubSpot-RateLimit headers on every response, counting down the 10 s window', async () => {
    const a = await crm.api('GET', '/crm/v3/objects/contacts?limit=1');
    const b = await crm.api('GET', '/crm/v3/objects/contacts/0');
    for (const res of [a, b]) {
      expect(res.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
      expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('190');
      expect(res.headers.get('x-hubspot-ratelimit-daily')).toBe('1000000');
      expect(Number(res.headers.get('x-hubspot-ratelimit-daily-remaining'))).toBeGreaterThan(0);
      expect(res.headers.get('x-hubspot-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(Number(b.headers.get('x-hubspot-ratelimit-remaining'))).toBe(Number(a.headers.get('x-hubspot-ratelimit-remaining')) - 1);
  });

  it('answers HubSpot’s 429 body while the rateLimitForMs knob is active', async () => {
    await crm.knobs({ rateLimitForMs: 60_000 });
    const res = await crm.api('GET', '/crm/v3/objects/contacts');
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({
      status: 'error',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      message: expect.stringContaining('ten_secondly_rolling'),
    });
    expect(res.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('enforces the 10-second window only when asked to', async () => {
    const probe = await crm.api('GET', '/crm/v3/objects/contacts?limit=1');
    const used = 190 - Number(probe.headers.get('x-hubspot-ratelimit-remaining'));
    const set = await crm.admin('POST', '/__sandbox/limits', { enforceTenSecondly: true, tenSecondlyMax: used + 3 });
    expect(set.body).toMatchObject({ enforceTenSecondly: true, tenSecondlyMax: used + 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await crm.api('GET', '/crm/v3/objects/contacts?limit=1')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await crm.api('GET', '/crm/v3/objects/contacts?limit=1');
    expect(limited.body.policyName).toBe('TEN_SECONDLY_ROLLING');
    expect(limited.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
  });

  it('throttles search separately with searchPerSecond (SECONDLY), leaving other routes alone', async () => {
    await crm.admin('POST', '/__sandbox/limits', { searchPerSecond: 2 });
    await new Promise((r) => setTimeout(r, 1100));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await crm.api('POST', '/crm/v3/objects/contacts/search', { limit: 1 })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await crm.api('POST', '/crm/v3/objects/deals/search', { limit: 1 });
    expect(limited.body).toMatchObject({
      policyName: 'SECONDLY',
      errorType: 'RATE_LIMIT',
      message: 'You have reached your secondly limit.',
    });
    expect((await crm.api('GET', '/crm/v3/objects/contacts?limit=1')).status).toBe(200);
  });

  it('rejects unknown or mistyped limits', async () => {
    expect((await crm.admin('POST', '/__sandbox/limits', { perMinute: 3 })).status).toBe(400);
    expect((await crm.admin('POST', '/__sandbox/limits', { searchPerSecond: 'fast' })).status).toBe(400);
  });
});

describe('errors', () => {
  it('answers the injected 500 with HubSpot’s INTERNAL_ERROR body', async () => {
    await crm.knobs({ errorRate: 1 });
    const res = await crm.api('GET', '/crm/v3/objects/contacts');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      status: 'error',
      message: 'internal error',
      category: 'INTERNAL_ERROR',
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('answers an unknown route with a 404 error body', async () => {
    const res = await crm.api('GET', '/crm/v3/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
  });
});

describe('request log', () => {
  it('counts requests by route pattern, aliases and ids folded together', async () => {
    await crm.admin('POST', '/__sandbox/reset');
    await crm.api('GET', '/crm/v3/objects/contacts?limit=1');
    await crm.api('GET', '/crm/v3/objects/0-1?limit=1');
    await crm.api('GET', `/crm/v3/objects/contacts/${crm.world.contacts[0].id}`);
    await crm.api('GET', `/crm/v3/objects/companies/${crm.world.companies[0].id}`);
    await crm.api('POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: crm.world.contacts[0].id }] });
    await crm.api('POST', '/crm/v4/associations/contacts/companies/batch/read', { inputs: [{ id: crm.world.contacts[0].id }] });
    await crm.api('POST', '/crm/v3/objects/contacts/search', {});
    const log = await crm.admin('GET', '/__sandbox/requests');
    expect(log.body.total).toBe(7);
    expect(log.body.byRoute).toEqual({
      'GET /crm/v3/objects/:type': 2,
      'GET /crm/v3/objects/:type/:id': 2,
      'POST /crm/v3/objects/:type/batch/read': 1,
      'POST /crm/v4/associations/:fromType/:toType/batch/read': 1,
      'POST /crm/v3/objects/:type/search': 1,
    });
    expect(crm.server.requests.count('GET /crm/v3/objects/:type')).toBe(2);
  });
});

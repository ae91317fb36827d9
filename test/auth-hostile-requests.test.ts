/**
 * Bad and hostile requests, table-driven: each gets its exact HTTP status and
 * `extensions.code`, and none of them reaches an upstream (the sandbox request logs stay
 * at zero). Runs over the gateway's full HTTP pipeline with JWT verification against a
 * JWKS served over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUTH_HEADERS } from './support/credentials.ts';
import { AUDIENCE, ISSUER, startTestIssuer, type TestIssuer } from './support/jwt-issuer.ts';
import { startStack, type Stack } from './support/stack.ts';

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

function nested(depth: number): string {
  let selection = '{ id }';
  for (let i = 0; i < depth; i++) selection = `{ company { contacts(first: 2) { nodes ${selection} } } }`;
  return `{ contacts(first: 2) { nodes ${selection} } }`;
}

/** Each fragment spreads the previous one ten times: 10^6 fields from a few hundred bytes. */
function fragmentBomb(): string {
  const fragments = ['fragment F0 on Contact { id email firstName }'];
  for (let i = 1; i <= 6; i++)
    fragments.push(`fragment F${i} on Contact { ${Array.from({ length: 10 }, () => `...F${i - 1}`).join(' ')} }`);
  return `{ contacts(first: 1) { nodes { ...F6 } } } ${fragments.join(' ')}`;
}

interface Case {
  name: string;
  init: (issuer: TestIssuer) => Promise<RequestInit> | RequestInit;
  status: number;
  code: string;
}

const post = (body: unknown, headers: Record<string, string> = TEST_AUTH_HEADERS): RequestInit => ({
  method: 'POST',
  headers: { ...JSON_HEADERS, ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const withToken = async (issuer: TestIssuer, claims: Record<string, unknown>, options?: Parameters<TestIssuer['mint']>[1]) =>
  post({ query: '{ contacts(first: 1) { nodes { id } } }' }, { authorization: `Bearer ${await issuer.mint(claims, options)}` });

const CASES: Case[] = [
  { name: 'malformed JSON', init: () => post('{"query": "{ contacts'), status: 400, code: 'BAD_REQUEST' },
  {
    name: 'a JSON array (batching is off)',
    init: () => post([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a form POST (a CSRF-able simple request)',
    init: () => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...TEST_AUTH_HEADERS },
      body: 'query=%7B__typename%7D',
    }),
    status: 403,
    code: 'BAD_REQUEST',
  },
  {
    name: 'an unsupported content type',
    init: () => ({ method: 'POST', headers: { 'content-type': 'application/xml', ...TEST_AUTH_HEADERS }, body: '<query/>' }),
    status: 415,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a GET without the CSRF header',
    init: () => ({ method: 'GET', headers: { accept: 'application/json', ...TEST_AUTH_HEADERS } }),
    status: 403,
    code: 'BAD_REQUEST',
  },
  {
    name: 'an oversized body',
    init: () => post({ query: '{ __typename }', variables: { pad: 'x'.repeat(200_000) } }),
    status: 413,
    code: 'REQUEST_ENTITY_TOO_LARGE',
  },
  { name: 'deep nesting', init: () => post({ query: nested(6) }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  {
    name: 'an alias bomb',
    init: () => post({ query: `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: contacts(first: 100) { nodes { id } }`).join(' ')} }` }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  { name: 'a fragment bomb', init: () => post({ query: fragmentBomb() }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  {
    name: 'a token flood',
    init: () => post({ query: `{ contacts(first: 1) { nodes { ${Array.from({ length: 1500 }, () => 'id').join(' ')} } } }` }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'a directive flood',
    init: () =>
      post({ query: `{ contacts(first: 1) { nodes { id ${Array.from({ length: 30 }, () => '@include(if: true)').join(' ')} } } }` }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'first above the page cap of 100',
    init: () => post({ query: '{ contacts(first: 101) { nodes { id } } }' }),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  // The cost limit multiplies by `first`, so a huge page is refused before execution.
  {
    name: 'a huge first',
    init: () => post({ query: '{ contacts(first: 100000) { nodes { id } } }' }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  // Pages nested through variables, or left at their default size, count at their real size too.
  {
    name: 'pages of 100 nested through a variable',
    init: () =>
      post({
        query:
          'query ($n: Int) { contacts(first: $n) { nodes { dealsConnection(first: $n) { nodes { contactsConnection(first: $n) { nodes { id email } } } } } } }',
        variables: { n: 100 },
      }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'pages nested at their default size',
    init: () =>
      post({
        query:
          '{ contacts { nodes { dealsConnection { nodes { contactsConnection { nodes { companiesConnection { nodes { id name domain } } } } } } } } }',
      }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'a wrong variable type',
    init: () => post({ query: 'query ($n: Int) { contacts(first: $n) { nodes { id } } }', variables: { n: 'ten' } }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an unknown field (no suggestion in the message)',
    init: () => post({ query: '{ contacts(first: 1) { nodes { emial } } }' }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  { name: 'no credential', init: () => post({ query: '{ __typename }' }, {}), status: 401, code: 'UNAUTHENTICATED' },
  {
    name: 'an unknown API key',
    init: () => post({ query: '{ __typename }' }, { authorization: 'Bearer sbk_not-a-real-key' }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'an unknown X-API-Key',
    init: () => post({ query: '{ __typename }' }, { 'x-api-key': 'sbk_not-a-real-key' }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'a Basic authorization header',
    init: () => post({ query: '{ __typename }' }, { authorization: 'Basic dXNlcjpwYXNz' }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'an expired token',
    init: (issuer) => withToken(issuer, { sub: 'ann', scope: 'crm:read' }, { expiresIn: Math.floor(Date.now() / 1000) - 600 }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'a forged token',
    init: (issuer) => withToken(issuer, { sub: 'ann', scope: 'crm:read' }, { forged: true }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'a wrong-audience token',
    init: (issuer) => withToken(issuer, { sub: 'ann', scope: 'crm:read' }, { audience: 'another-app' }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'a wrong-issuer token',
    init: (issuer) => withToken(issuer, { sub: 'ann', scope: 'crm:read' }, { issuer: 'https://evil.test/' }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'an unsigned (alg none) token',
    init: () => post({ query: '{ __typename }' }, { authorization: `Bearer ${unsignedToken()}` }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'a valid token without the scope',
    init: (issuer) => withToken(issuer, { sub: 'ann', scope: 'billing:read chat:read' }),
    status: 200,
    code: 'FORBIDDEN',
  },
  {
    name: 'introspection (off)',
    init: () => post({ query: '{ __schema { types { name } } }' }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
];

function unsignedToken(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'eve', iss: ISSUER, aud: AUDIENCE, exp: now + 300, scope: 'crm:read' })}.`;
}

describe('hostile and malformed requests', () => {
  let stack: Stack;
  let issuer: TestIssuer;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    stack = await startStack({
      world: { size: 50 },
      env: { JWT_JWKS_URL: issuer.jwksUrl, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, ALLOW_INTROSPECTION: '0' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await issuer?.close();
  });

  it.each(CASES)('answers $name with HTTP $status and $code, and makes no upstream request', async ({ init, status, code }) => {
    stack.resetCounts();
    const response = await stack.fetch('/graphql', await init(issuer));
    const body = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
    expect(response.status).toBe(status);
    expect(body.errors?.map((e) => e.extensions?.code)).toContain(code);
    expect(new Set(body.errors?.map((e) => e.extensions?.code))).toEqual(new Set([code]));
    for (const error of body.errors ?? []) {
      expect(error.message).not.toMatch(/Did you mean|at .*\.ts:\d+|sbk_|dXNlcjpwYXNz|eyJ/);
      expect(Object.keys(error.extensions ?? {})).not.toContain('originalError');
    }
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });

  it('asks for a bearer credential in WWW-Authenticate on 401', async () => {
    const response = await stack.fetch('/graphql', post({ query: '{ __typename }' }, {}));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('accepts a valid token with the scope and reads the JWKS over HTTP', async () => {
    const response = await stack.fetch('/graphql', await withToken(issuer, { sub: 'ann', scope: 'crm:read' }));
    const body = (await response.json()) as { data: { contacts: { nodes: { id: string }[] } }; errors?: unknown };
    expect(response.status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.contacts.nodes).toHaveLength(1);
    expect(issuer.jwksRequests()).toBeGreaterThan(0);
  });

  it('treats a literal built to break out of a compiled query as data (delegated queries run compiled)', async () => {
    const marker = '__switchboardInjected';
    const literal = `x"); globalThis.${marker} = 1; ("`;
    const result = await stack.query<{ contactByEmail: unknown; contacts: { nodes: unknown[] } }>(
      `{ contactByEmail(email: ${JSON.stringify(literal)}) { id } contacts(first: 1, filter: { email: ${JSON.stringify(literal)} }) { nodes { id } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ contactByEmail: null, contacts: { nodes: [] } });
    expect((globalThis as Record<string, unknown>)[marker]).toBeUndefined();
  });

  it('strips enum-value suggestions that graphql-js adds', async () => {
    const result = await stack.query('{ deals(first: 1, filter: { stage: CONTRACTSENT }) { nodes { id } } }');
    expect(result.status).toBe(400);
    expect(result.errors![0].message).toContain('CONTRACTSENT');
    expect(result.errors![0].message).not.toContain('Did you mean');
  });
});

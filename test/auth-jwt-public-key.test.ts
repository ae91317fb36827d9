/**
 * JWTs verified against a configured public key (JWT_PUBLIC_KEY, PEM) instead of a JWKS URL:
 * the scopes claim decides what the caller sees; a token signed by another key is refused.
 */
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

const ISSUER = 'https://idp.pem.test/';
const AUDIENCE = 'switchboard-pem';

describe('JWT verification with a configured public key', () => {
  let stack: Stack;
  let signer: CryptoKey;
  let stranger: CryptoKey;
  const mint = (scope: string, key: CryptoKey = signer) =>
    new SignJWT({ sub: 'analyst-1', scope })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signer = pair.privateKey;
    stranger = (await generateKeyPair('ES256')).privateKey;
    stack = await startStack({
      world: { size: 50 },
      env: { JWT_PUBLIC_KEY: await exportSPKI(pair.publicKey), JWT_ALGORITHM: 'ES256', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('serves a caller whose token carries crm:read, and forbids the billing edge it lacks', async () => {
    const token = await mint('crm:read');
    const result = await stack.query<{ contacts: { nodes: { id: string; billingCustomer: unknown }[] } }>(
      '{ contacts(first: 2) { nodes { id billingCustomer { id } } } }',
      undefined,
      { authorization: `Bearer ${token}` },
    );
    expect(result.status).toBe(200);
    expect(result.data!.contacts.nodes).toHaveLength(2);
    expect(result.data!.contacts.nodes.every((n) => n.billingCustomer === null)).toBe(true);
    expect(result.errors!.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
  });

  it('refuses a token signed by another key with 401 UNAUTHENTICATED and no upstream call', async () => {
    stack.resetCounts();
    const result = await stack.query('{ contacts(first: 1) { nodes { id } } }', undefined, {
      authorization: `Bearer ${await mint('crm:read', stranger)}`,
    });
    expect(result.status).toBe(401);
    expect(result.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });
});

/**
 * JWT bearer tokens for apps and people, verified with jose against a JWKS URL (keys are
 * fetched, cached and refreshed on an unknown `kid` by jose) or one configured public key.
 * Issuer, audience, expiry and not-before are checked with the configured clock skew.
 */
import { createRemoteJWKSet, importSPKI, jwtVerify, type JWTVerifyGetKey, type CryptoKey } from 'jose';
import type { AuthConfig } from '../config.ts';
import { isScope, type Principal, type Scope } from './scopes.ts';

type JwtConfig = NonNullable<AuthConfig['jwt']>;

export interface JwtVerifier {
  /** The principal for a valid token; throws (any error) for an invalid one. */
  verify(token: string): Promise<Principal>;
}

export function createJwtVerifier(config: JwtConfig): JwtVerifier {
  let key: Promise<CryptoKey> | JWTVerifyGetKey;
  if (config.jwksUrl) key = createRemoteJWKSet(new URL(config.jwksUrl));
  else key = importSPKI(config.publicKey!, config.algorithm);
  return {
    async verify(token) {
      const options = {
        issuer: config.issuer,
        audience: config.audience,
        clockTolerance: config.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
        ...(config.jwksUrl ? {} : { algorithms: [config.algorithm] }),
      };
      const { payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, await key, options);
      return { id: `jwt:${payload.sub}`, kind: 'jwt', scopes: scopesFrom(payload[config.scopesClaim]) };
    },
  };
}

/** OAuth's space-separated `scope` string, or an array (`scp`, custom claims); unknown scopes are dropped. */
function scopesFrom(claim: unknown): Set<Scope> {
  const values =
    typeof claim === 'string' ? claim.split(/\s+/) : Array.isArray(claim) ? claim.filter((v): v is string => typeof v === 'string') : [];
  return new Set(values.filter(isScope));
}

/**
 * Turns a request's credential into a principal. `Authorization: Bearer <credential>`
 * carries either an API key or a JWT (three dot-separated segments); `X-API-Key` also
 * carries an API key. A credential that is present but invalid is an error, never an
 * anonymous request.
 */
import type { Config } from '../config.ts';
import { GatewayError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { ALL_SCOPES, createApiKeyRegistry, hashApiKey, type ApiKeyEntry } from './api-keys.ts';
import { createJwtVerifier } from './jwt.ts';
import type { Principal } from './scopes.ts';

export interface Authenticator {
  /** The caller's principal; throws UNAUTHENTICATED when no valid credential is presented. */
  authenticate(request: Request): Promise<Principal>;
}

export interface AuthenticatorOptions {
  config: Config['auth'];
  /** Demo mode's generated development key (all scopes). */
  devApiKey?: string;
  logger: Logger;
}

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const entries: ApiKeyEntry[] = [...options.config.apiKeys];
  if (options.devApiKey) entries.push({ name: 'development', sha256: hashApiKey(options.devApiKey), scopes: ALL_SCOPES });
  const keys = createApiKeyRegistry(entries);
  const jwt = options.config.jwt ? createJwtVerifier(options.config.jwt) : undefined;
  const unauthenticated = (why: string) => new GatewayError('UNAUTHENTICATED', why);

  return {
    async authenticate(request) {
      const header = request.headers.get('authorization');
      const apiKeyHeader = request.headers.get('x-api-key');
      let credential: string | undefined;
      if (header) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
        if (!match) throw unauthenticated('The Authorization header must be "Bearer <API key or token>".');
        credential = match[1];
      } else if (apiKeyHeader) {
        credential = apiKeyHeader.trim();
      }
      if (!credential) throw unauthenticated('Send an API key or a bearer token in the Authorization header.');

      if (JWT_SHAPE.test(credential)) {
        if (!jwt) throw unauthenticated('Bearer tokens are not accepted by this gateway; use an API key.');
        try {
          return await jwt.verify(credential);
        } catch (error) {
          // The reason (expired, wrong audience, bad signature) is for the operator, not the caller; the
          // request's own line (info, UNAUTHENTICATED) is the one that says it failed.
          options.logger.debug({ reason: (error as { code?: string }).code ?? 'invalid' }, 'rejected a bearer token');
          throw unauthenticated('The bearer token is invalid or expired.');
        }
      }
      const principal = keys.verify(credential);
      if (!principal) throw unauthenticated('The API key is not valid.');
      return principal;
    },
  };
}

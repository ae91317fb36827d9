/**
 * Everything that decides whether a request may run, assembled in the order it runs:
 * CSRF check, authentication (401), per-principal rate limit (429), trusted documents,
 * then parse/validate limits. All of it happens before execution, so a refused request
 * makes no upstream call.
 */
import { readFileSync } from 'node:fs';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
import { createAuthenticator, type Authenticator } from '../auth/authenticate.ts';
import type { Config } from '../config.ts';
import { refusal } from '../errors.ts';
import { STATUS_DOCUMENT } from '../health/status-page.ts';
import type { Logger } from '../observability/logger.ts';
import { useAuth } from './use-auth.ts';
import { useErrorHygiene } from './use-error-hygiene.ts';
import { useLimits } from './use-limits.ts';
import { createMemoryCounter, createRedisCounter, useRateLimit } from './use-rate-limit.ts';
import { fromRoot } from '../paths.ts';

/** Written by `npx graphql-codegen --config codegen.documents.ts` from documents/. */
export const TRUSTED_DOCUMENTS_MANIFEST = fromRoot('src/generated/documents/persisted-documents.json');

export interface SecurityOptions {
  config: Config;
  logger: Logger;
  /** Demo mode's development key, accepted with every scope. */
  devApiKey?: string;
  /** Key namespace for the shared rate-limit counters. */
  namespace: string;
}

export interface Security {
  plugins: Plugin[];
  /** The one authenticator, for routes outside GraphQL that take the same credentials (/mcp). */
  authenticator: Authenticator;
  close(): Promise<void>;
}

export function loadTrustedDocuments(url: URL = TRUSTED_DOCUMENTS_MANIFEST): Map<string, string> {
  return new Map(Object.entries(JSON.parse(readFileSync(url, 'utf8')) as Record<string, string>));
}

/** The plugin builds its own error from a message and extensions: those of the refusal. */
function notTrusted(message: string): { message: string; extensions: Record<string, unknown> } {
  return { message, extensions: refusal('PERSISTED_QUERY_NOT_FOUND', message).extensions };
}

export function createSecurity(options: SecurityOptions): Security {
  const { config, logger } = options;
  const authenticator = createAuthenticator({ config: config.auth, devApiKey: options.devApiKey, logger });
  const counter = config.cache.redisUrl ? createRedisCounter(config.cache.redisUrl, options.namespace) : createMemoryCounter();
  const plugins: Plugin[] = [
    useErrorHygiene(),
    // JSON POSTs always carry a non-simple content type; GET and form posts need this header.
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'graphql-require-preflight', 'apollo-require-preflight'] }) as Plugin,
    useAuth(authenticator),
    useRateLimit({ counter, perMinute: config.limits.rateLimitPerMinute, logger }),
  ];
  if (config.limits.trustedDocuments) {
    const documents = loadTrustedDocuments();
    plugins.push(
      usePersistedOperations({
        // Clients send Apollo's `extensions.persistedQuery.sha256Hash`; codegen's manifest keys carry a `sha256:` prefix.
        // The status page's query is the gateway's own, so it is trusted like the manifest's.
        getPersistedOperation: (hash) => (hash === STATUS_DOCUMENT.id ? STATUS_DOCUMENT.query : (documents.get(`sha256:${hash}`) ?? null)),
        allowArbitraryOperations: false,
        customErrors: {
          notFound: notTrusted('Unknown trusted document id.'),
          persistedQueryOnly: notTrusted('Only trusted documents run here: send the document id, not the query text.'),
          keyNotFound: notTrusted('Send the document hash in extensions.persistedQuery.sha256Hash.'),
        },
      }) as Plugin,
    );
  }
  plugins.push(...useLimits(config.limits));
  return {
    plugins,
    authenticator,
    close: () => counter.close(),
  };
}

/**
 * Authentication before anything else about a GraphQL request is looked at: the request is
 * rejected with HTTP 401 UNAUTHENTICATED before its body is parsed, so an anonymous caller
 * reaches neither the parser nor any upstream. GraphiQL's page and the health check are
 * served by earlier plugins and need no credential (GraphiQL sends one with each query).
 */
import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticate.ts';
import type { Principal } from '../auth/scopes.ts';
import { isGatewayError, toClientError } from '../errors.ts';

const principals = new WeakMap<Request, Principal>();

/** The principal authenticated for this request (set before its body is parsed). */
export function principalOf(request: Request): Principal | undefined {
  return principals.get(request);
}

export function useAuth(authenticator: Authenticator): Plugin {
  return {
    async onRequestParse({ request }) {
      try {
        principals.set(request, await authenticator.authenticate(request));
      } catch (error) {
        if (!isGatewayError(error)) throw error;
        throw toClientError(error, { refusesRequest: true });
      }
    },
  };
}

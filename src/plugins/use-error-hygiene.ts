/**
 * The last word on what a client sees in `errors`, for errors raised outside execution
 * (request parsing, CSRF, validation) that the execution-time masking never sees: every
 * error carries a code, no `originalError` or stack is serialised, and GraphQL's
 * "Did you mean …?" hints are removed — graphql-armor strips only the field form, while
 * graphql-js also suggests enum values, arguments and types, which would let a caller
 * map the schema with introspection off. Only documented codes leave (`requestErrorCode`
 * in src/errors.ts names the rest).
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { refusal, requestErrorCode, UNSUPPORTED_MEDIA_TYPE } from '../errors.ts';

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

function clean(error: GraphQLError): GraphQLError {
  const { originalError: _original, stack: _stack, unexpected: _unexpected, ...extensions } = error.extensions as Record<string, unknown>;
  // Yoga answers an `application/json` client 400 only while a non-GraphQL originalError is
  // attached; that error (a JSON.parse message quoting the body) is dropped, so the status
  // is pinned instead.
  const http = extensions.http as { status?: number; spec?: boolean; headers?: Record<string, string> } | undefined;
  if (_original && http?.spec) extensions.http = { status: http.status, headers: http.headers };
  extensions.code = requestErrorCode(error);
  return new GraphQLError(error.message.replace(SUGGESTION, ''), { nodes: error.nodes, path: error.path, extensions });
}

type Result = { errors?: readonly GraphQLError[] };

function isResult(value: unknown): value is Result {
  return typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value);
}

export function useErrorHygiene(): Plugin {
  const tidy = (result: unknown) => {
    if (!isResult(result) || !result.errors?.length) return result;
    return { ...result, errors: result.errors.map((e) => (e instanceof GraphQLError ? clean(e) : e)) };
  };
  return {
    // Yoga answers a POST no parser accepts with an empty 415; say why, with a code.
    onRequestParse({ request, requestParser }) {
      if (request.method === 'POST' && !requestParser) {
        throw refusal('BAD_REQUEST', 'Send GraphQL as application/json (or application/graphql-response+json).', {
          status: UNSUPPORTED_MEDIA_TYPE,
        });
      }
    },
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map(tidy) as typeof result);
      else if (isResult(result)) setResult(tidy(result) as typeof result);
    },
  };
}

/**
 * GraphQL over WebSocket (the graphql-ws protocol) next to SSE. Every operation received on
 * a socket is forwarded to the gateway's own HTTP pipeline (`yoga.fetch`, SSE for
 * subscriptions) with the socket's credential, so authentication, rate limits, depth/cost
 * limits and trusted documents apply exactly as they do over HTTP — a second, WebSocket-only
 * path through the envelop plugins would skip the ones Yoga runs per HTTP request.
 *
 * The credential comes from `connectionParams.authorization` (browsers cannot set headers
 * on a WebSocket) or else from the upgrade request's Authorization header.
 */
import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, GraphQLSchema, parse, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

/** The part of a Yoga instance the bridge uses. */
export interface FetchingServer {
  graphqlEndpoint: string;
  fetch(input: string, init: RequestInit): Promise<Response> | Response;
}

interface Forwarded {
  body: string;
  authorization?: string;
}

/** graphql-ws requires a schema in the execution args but, with our own execute/subscribe, never reads it. */
const UNUSED_SCHEMA = new GraphQLSchema({});

export function attachGraphQLWs(server: Server, yoga: FetchingServer): WebSocketServer {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  useServer<Record<string, unknown> | undefined, { request: IncomingMessage }>(
    {
      onSubscribe(ctx, _id, payload) {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('The document is not valid GraphQL syntax.')];
        }
        const fromParams = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authorization = typeof fromParams === 'string' ? fromParams : ctx.extra.request.headers.authorization;
        const forwarded: Forwarded = { body: JSON.stringify(payload), authorization };
        // The yoga pipeline validates; graphql-ws only needs the document to pick execute or subscribe.
        return {
          schema: UNUSED_SCHEMA,
          document,
          contextValue: forwarded,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
        };
      },
      execute: (args) => forward(yoga, args),
      subscribe: (args) => forward(yoga, args),
    },
    wss,
  );
  return wss;
}

async function forward(yoga: FetchingServer, args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const { body, authorization } = args.contextValue as Forwarded;
  const response = await yoga.fetch(`http://localhost${yoga.graphqlEndpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(authorization ? { authorization } : {}) },
    body,
  });
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream') || !response.body) {
    return revive((await response.json()) as WireResult);
  }
  return sseResults(response.body);
}

/** Yoga's SSE stream as results; ending the iterator (client unsubscribed) cancels the stream at once. */
function sseResults(stream: ReadableStream<Uint8Array>): AsyncIterableIterator<ExecutionResult> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const done = (): IteratorResult<ExecutionResult> => ({ done: true, value: undefined });
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const event = lines
            .find((l) => l.startsWith('event:'))
            ?.slice(6)
            .trim();
          if (event === 'complete') return done();
          const data = lines
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (event === 'next' && data) return { done: false, value: revive(JSON.parse(data) as WireResult) };
          continue;
        }
        const chunk = await reader.read();
        if (chunk.done) return done();
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    async return() {
      await reader.cancel().catch(() => undefined);
      return done();
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

interface WireResult {
  data?: unknown;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** graphql-ws serializes errors with GraphQLError#toJSON, so JSON errors become GraphQLErrors again. */
function revive(result: WireResult): ExecutionResult {
  const errors = (result.errors ?? []).map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }));
  return {
    ...(result.data !== undefined ? { data: result.data as ExecutionResult['data'] } : {}),
    ...(errors.length > 0 ? { errors } : {}),
    ...(result.extensions ? { extensions: result.extensions } : {}),
  };
}

/**
 * `POST /mcp`: the Model Context Protocol endpoint (Streamable HTTP transport), served by a Yoga
 * plugin that answers the path itself like /readiness and /webhooks. Every request is
 * authenticated with the gateway's own authenticator (API key or JWT; none → 401 with
 * `WWW-Authenticate: Bearer`, as GraphQL answers) before its body is read.
 *
 * Stateless: each request gets its own MCP server and transport, made for its caller, and
 * answers with JSON (no SSE stream). Nothing of one request outlives it, so any replica can
 * answer any request and a key revoked between two calls is refused at the next one. GET
 * (a server-to-client stream) and DELETE (ending a session) have nothing to serve here: 405.
 *
 * The web-standard transport (`WebStandardStreamableHTTPServerTransport`, which the SDK's Node
 * `StreamableHTTPServerTransport` wraps) fits Yoga's fetch-style plugin: Request in, Response out.
 */
import { readFileSync } from 'node:fs';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticate.ts';
import type { Principal } from '../auth/scopes.ts';
import type { ScopeRequirements } from '../auth/scope-checks.ts';
import type { Config } from '../config.ts';
import { isGatewayError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { requestIdFrom } from '../observability/request-log.ts';
import { fromRoot } from '../paths.ts';
import { loadTrustedDocuments } from '../plugins/security.ts';
import { printSortedSchema } from '../schema-contract/print.ts';
import type { AuditLog } from '../store/index.ts';
import { buildToolCatalog } from './catalog.ts';
import type { GatewayFetch } from './execute.ts';
import { createMcpServer, type McpParts } from './server.ts';

export const MCP_PATH = '/mcp';

export interface McpRouteOptions {
  config: Config;
  /** The public schema the gateway serves, and the scope requirements its checks enforce. */
  schema: GraphQLSchema;
  requirements: ScopeRequirements;
  authenticator: Authenticator;
  /** The gateway's own GraphQL pipeline (`yoga.fetch`). */
  fetch: GatewayFetch;
  audit: AuditLog;
  logger: Logger;
}

function jsonRpcError(status: number, message: string, headers: Record<string, string> = {}, data?: unknown): Response {
  const body = { jsonrpc: '2.0', error: { code: -32000, message, ...(data ? { data } : {}) }, id: null };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function mcpParts(options: McpRouteOptions): McpParts {
  const { config, schema } = options;
  let sdl: string | undefined;
  const version = (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;
  return {
    catalog: buildToolCatalog({ schema, requirements: options.requirements, manifest: loadTrustedDocuments(), logger: options.logger }),
    sdl: config.limits.allowIntrospection ? () => (sdl ??= printSortedSchema(schema)) : undefined,
    // With trusted documents only, the gateway would refuse every text the tool sent.
    arbitrary: config.mcp.allowArbitrary && !config.limits.trustedDocuments,
    trustedDocuments: config.limits.trustedDocuments,
    fetch: options.fetch,
    audit: options.audit,
    logger: options.logger,
    version,
  };
}

export function useMcp(options: McpRouteOptions): Plugin {
  const parts = mcpParts(options);

  async function answer(request: Request): Promise<Response> {
    let principal: Principal;
    try {
      principal = await options.authenticator.authenticate(request);
    } catch (error) {
      if (!isGatewayError(error)) throw error;
      return jsonRpcError(401, error.message, { 'www-authenticate': 'Bearer' }, { code: error.code });
    }
    if (request.method !== 'POST') {
      return jsonRpcError(405, 'This MCP endpoint is stateless: send each JSON-RPC message with POST.', { allow: 'POST' });
    }
    const server = createMcpServer(parts, { request, principal, requestId: requestIdFrom(request) });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: options.config.limits.maxBodyBytes,
    });
    try {
      await server.connect(transport);
      return await transport.handleRequest(request);
    } finally {
      await server.close();
    }
  }

  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname === MCP_PATH) endResponse(await answer(request));
    },
  };
}

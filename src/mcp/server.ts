/**
 * The MCP server one /mcp request talks to, made for the caller that request authenticated:
 * it lists only the tools the caller's scopes allow and refuses the others by name, runs each
 * call through the GraphQL pipeline (execute.ts) and audits it (audit.ts).
 *
 * Tools are served by the protocol-level handlers rather than McpServer.registerTool, which
 * takes zod schemas: a tool's input schema is derived from the GraphQL schema as JSON Schema
 * (input-schema.ts) and published as is; GraphQL's own variable coercion validates the values.
 * Resources use McpServer's registry.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '../auth/scopes.ts';
import type { Logger } from '../observability/logger.ts';
import type { AuditLog } from '../store/index.ts';
import { ARBITRARY_DESCRIPTION, ARBITRARY_INPUT_SCHEMA, ARBITRARY_TOOL, readOnlyProblem } from './arbitrary.ts';
import { auditToolCall } from './audit.ts';
import { IDEMPOTENCY_VARIABLE, type DocumentTool } from './catalog.ts';
import { refusedResult, runOperation, type GatewayFetch, type ToolOutcome } from './execute.ts';
import { LINKS_GUIDE } from './guide.ts';
import { allows, missingFor } from './scopes.ts';

export const SCHEMA_RESOURCE = 'switchboard://schema.graphql';
export const GUIDE_RESOURCE = 'switchboard://guide/links';

export interface McpParts {
  catalog: ReadonlyMap<string, DocumentTool>;
  /** The public SDL (printed on first read), or undefined where introspection is off: it is not served around that policy. */
  sdl?: () => string;
  /** Offer `graphql_query` (MCP_ALLOW_ARBITRARY=1 without TRUSTED_DOCUMENTS=1). */
  arbitrary: boolean;
  /** Send manifest hashes rather than texts (TRUSTED_DOCUMENTS=1). */
  trustedDocuments: boolean;
  fetch: GatewayFetch;
  audit: AuditLog;
  logger: Logger;
  version: string;
}

/** The /mcp request a server answers, and who sent it. */
export interface McpCaller {
  request: Request;
  principal: Principal;
  requestId: string;
}

const INSTRUCTIONS =
  'Switchboard puts a CRM (HubSpot), billing (Stripe) and chat (Slack) behind one GraphQL graph. Each tool runs one ' +
  "reviewed operation with your key's scopes; you are offered exactly the tools your key may run. Read " +
  `${GUIDE_RESOURCE} to see how records link across systems and what a query costs upstream.`;

function listing(tool: DocumentTool): Tool {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema as Tool['inputSchema'],
    annotations: {
      readOnlyHint: tool.kind === 'query',
      destructiveHint: tool.kind === 'mutation',
      idempotentHint: tool.kind === 'query' || tool.idempotent,
      // Every tool reaches the vendors' systems of record.
      openWorldHint: true,
    },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why these arguments cannot be a document tool's variables, or null. */
function argumentProblem(tool: DocumentTool, args: Record<string, unknown>): string | null {
  const known = Object.keys((tool.inputSchema.properties as Record<string, unknown> | undefined) ?? {});
  const unknown = Object.keys(args).filter((name) => !known.includes(name));
  if (unknown.length > 0) return `Unknown argument ${unknown.join(', ')}; ${tool.name} takes ${known.join(', ') || 'no arguments'}.`;
  const required = (tool.inputSchema.required as string[] | undefined) ?? [];
  const missing = required.filter((name) => args[name] === undefined || args[name] === null);
  if (missing.length > 0) return `Missing argument ${missing.join(', ')}.`;
  return null;
}

async function callDocumentTool(
  parts: McpParts,
  caller: McpCaller,
  tool: DocumentTool,
  args: Record<string, unknown>,
): Promise<ToolOutcome> {
  if (!allows(caller.principal, tool.needed)) {
    const requiredScopes = missingFor(caller.principal, tool.needed);
    return refusedResult({
      code: 'FORBIDDEN',
      message: `Missing scope ${requiredScopes.join(', ')} for the tool ${tool.name}.`,
      requiredScopes,
    });
  }
  const problem = argumentProblem(tool, args);
  if (problem) return refusedResult({ code: 'BAD_USER_INPUT', message: problem });
  const operation = parts.trustedDocuments ? { hash: tool.hash, variables: args } : { query: tool.text, variables: args };
  return runOperation(parts.fetch, caller.request, caller.requestId, operation, parts.logger);
}

async function callArbitrary(parts: McpParts, caller: McpCaller, args: Record<string, unknown>): Promise<ToolOutcome> {
  const problem = readOnlyProblem(args.query);
  if (problem) return refusedResult(problem);
  if (args.variables !== undefined && !isRecord(args.variables))
    return refusedResult({ code: 'BAD_USER_INPUT', message: '`variables` must be an object.' });
  const variables = (args.variables as Record<string, unknown> | undefined) ?? {};
  return runOperation(parts.fetch, caller.request, caller.requestId, { query: args.query as string, variables }, parts.logger);
}

function registerTools(server: McpServer, parts: McpParts, caller: McpCaller): void {
  server.server.registerCapabilities({ tools: { listChanged: false } });
  server.server.setRequestHandler(ListToolsRequestSchema, () => {
    const tools = [...parts.catalog.values()].filter((tool) => allows(caller.principal, tool.needed)).map(listing);
    if (parts.arbitrary) {
      tools.push({
        name: ARBITRARY_TOOL,
        description: ARBITRARY_DESCRIPTION,
        inputSchema: ARBITRARY_INPUT_SCHEMA as Tool['inputSchema'],
        annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
      });
    }
    return { tools };
  });
  server.server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const startedAt = new Date();
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    const tool = parts.catalog.get(name);
    const known = tool !== undefined || (parts.arbitrary && name === ARBITRARY_TOOL);
    const outcome: ToolOutcome | undefined = !known
      ? undefined
      : tool
        ? await callDocumentTool(parts, caller, tool, args)
        : await callArbitrary(parts, caller, args);
    const key = tool?.idempotent && typeof args[IDEMPOTENCY_VARIABLE] === 'string' ? (args[IDEMPOTENCY_VARIABLE] as string) : undefined;
    await auditToolCall(parts.audit, parts.logger, {
      tool: name,
      principal: caller.principal.id,
      requestId: caller.requestId,
      arguments: args,
      idempotencyKey: key?.slice(0, 200),
      startedAt,
      outcome: outcome ?? { outcome: 'rejected', errorCode: 'BAD_REQUEST' },
    });
    if (!outcome) throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
    return outcome.result;
  });
}

function registerResources(server: McpServer, parts: McpParts): void {
  const { sdl } = parts;
  if (sdl !== undefined) {
    server.registerResource(
      'schema',
      SCHEMA_RESOURCE,
      {
        title: 'GraphQL schema (SDL)',
        description: 'The public schema with its descriptions, as the gateway serves it.',
        mimeType: 'text/plain',
      },
      (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: sdl() }] }),
    );
  }
  server.registerResource(
    'links-guide',
    GUIDE_RESOURCE,
    {
      title: 'How records link across systems',
      description: 'Links, scopes and upstream costs, to plan queries.',
      mimeType: 'text/markdown',
    },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: LINKS_GUIDE }] }),
  );
}

export function createMcpServer(parts: McpParts, caller: McpCaller): McpServer {
  const server = new McpServer({ name: 'switchboard', version: parts.version }, { instructions: INSTRUCTIONS });
  registerTools(server, parts, caller);
  registerResources(server, parts);
  return server;
}

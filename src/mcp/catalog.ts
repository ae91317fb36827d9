/**
 * The MCP tools: one per trusted document (the operations in documents/, as the generated
 * manifest holds them — the exact texts the gateway runs with TRUSTED_DOCUMENTS=1), named after
 * the operation, described by the document's leading `#` comment, with an input schema from its
 * variables and the scopes its fields need. Subscriptions are not tools (a tool call answers
 * once). Built once per gateway; which tools a caller sees is decided per request (`allows`).
 */
import { type DocumentNode, getOperationAST, type GraphQLSchema, parse, validate } from 'graphql';
import type { ScopeRequirements } from '../auth/scope-checks.ts';
import type { Logger } from '../observability/logger.ts';
import { readTrustedDocuments, type TrustedDocument } from '../schema-contract/documents.ts';
import { variablesSchema, type JsonSchema } from './input-schema.ts';
import { operationRequirements, type OperationRequirements } from './scopes.ts';

/** The variable the cross-system mutations take their idempotency key in. */
export const IDEMPOTENCY_VARIABLE = 'idempotencyKey';

export interface DocumentTool {
  name: string;
  description: string;
  kind: 'query' | 'mutation';
  inputSchema: JsonSchema;
  needed: OperationRequirements;
  /** The document as the manifest holds it, and its SHA-256 (the manifest key without `sha256:`). */
  text: string;
  hash: string;
  /** Whether a repeated call with the same key is replayed rather than run again. */
  idempotent: boolean;
}

export interface CatalogOptions {
  schema: GraphQLSchema;
  requirements: ScopeRequirements;
  /** The trusted-document manifest: `sha256:<hash>` → document text. */
  manifest: ReadonlyMap<string, string>;
  /** The documents' sources, for their comments (default: documents/). */
  sources?: readonly TrustedDocument[];
  logger: Logger;
}

const KEY_DESCRIPTION =
  'Idempotency key you choose for this write (1–200 characters). Calling again with the same key and the same ' +
  'inputs returns the first outcome (`replayed: true`) and writes nothing again; use a new key for a new write.';

const NOT_IDEMPOTENT =
  'Single-system writes take no idempotency key at this gateway: every call writes again. Call it once per intended ' +
  'change, and after an error read the record back before calling again.';

/** The leading `#` comment of each document, by operation name. */
function commentsByOperation(sources: readonly TrustedDocument[]): Map<string, string> {
  const comments = new Map<string, string>();
  for (const { source } of sources) {
    const name = /^\s*(?:query|mutation|subscription)\s+(\w+)/m.exec(source)?.[1];
    if (!name) continue;
    const lines: string[] = [];
    for (const line of source.split('\n')) {
      if (!line.startsWith('#')) break;
      lines.push(line.replace(/^#\s?/, ''));
    }
    // The files wrap their comments at the editor's width: a description reads as one paragraph.
    comments.set(name, lines.join(' ').replace(/\s+/g, ' ').trim());
  }
  return comments;
}

/** What the tool needs, in words: scopes every field needs, then the groups any one of which will do. */
export function describeScopes(needed: OperationRequirements): string {
  const all = new Set<string>();
  const groups: string[][] = [];
  for (const alternatives of needed.values()) {
    if (alternatives.length === 1) for (const scope of alternatives[0]) all.add(scope);
  }
  for (const alternatives of needed.values()) {
    if (alternatives.length === 1 || alternatives.some((scopes) => scopes.every((s) => all.has(s)))) continue;
    const group = alternatives.map((scopes) => scopes.join(' + ')).sort();
    if (!groups.some((known) => known.join() === group.join())) groups.push(group);
  }
  const parts = [...[...all].sort(), ...groups.map((group) => `one of ${group.join(' / ')}`)];
  return parts.length > 0 ? `Needs the scopes: ${parts.join(', ')}.` : 'Needs no scope.';
}

function toolOf(options: CatalogOptions, comments: Map<string, string>, key: string, text: string): DocumentTool | undefined {
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch (error) {
    options.logger.warn({ err: error, document: key }, 'a trusted document does not parse: it is not offered as an MCP tool');
    return undefined;
  }
  const operation = getOperationAST(document);
  if (!operation?.name || operation.operation === 'subscription') return undefined;
  const problems = validate(options.schema, document);
  if (problems.length > 0) {
    const name = operation.name.value;
    options.logger.warn(
      { document: name, problems: problems.map((p) => p.message) },
      'a trusted document does not validate: not an MCP tool',
    );
    return undefined;
  }
  const name = operation.name.value;
  const kind = operation.operation;
  const idempotent = (operation.variableDefinitions ?? []).some((v) => v.variable.name.value === IDEMPOTENCY_VARIABLE);
  const needed = operationRequirements(options.schema, options.requirements, document);
  const notes = [comments.get(name) ?? `The ${name} ${kind}.`, describeScopes(needed)];
  if (kind === 'mutation' && !idempotent) notes.push(NOT_IDEMPOTENT);
  return {
    name,
    kind,
    description: notes.join('\n\n'),
    inputSchema: variablesSchema(
      options.schema,
      operation,
      idempotent ? { required: new Set([IDEMPOTENCY_VARIABLE]), descriptions: { [IDEMPOTENCY_VARIABLE]: KEY_DESCRIPTION } } : {},
    ),
    needed,
    text,
    hash: key.replace(/^sha256:/, ''),
    idempotent,
  };
}

/** The documents' sources; a deployment without documents/ still serves its tools, described by name only. */
function documentSources(logger: Logger): readonly TrustedDocument[] {
  try {
    return readTrustedDocuments();
  } catch (error) {
    logger.warn({ err: error }, 'documents/ is not readable: MCP tools are described by their names only');
    return [];
  }
}

/** The tools, by name, in the manifest's order. */
export function buildToolCatalog(options: CatalogOptions): Map<string, DocumentTool> {
  const comments = commentsByOperation(options.sources ?? documentSources(options.logger));
  const tools = new Map<string, DocumentTool>();
  for (const [key, text] of options.manifest) {
    const tool = toolOf(options, comments, key, text);
    if (tool) tools.set(tool.name, tool);
  }
  return tools;
}

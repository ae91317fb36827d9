/**
 * What the client needs to know about a typed document before sending it: its text, its
 * trusted-document hash, whether it is a query, mutation or subscription, and which variables
 * it declares (a document declaring `$idempotencyKey` is a write that is safe to retry with it).
 *
 * Documents come from GraphQL Code Generator's client preset: with `documentMode: 'string'` a
 * document is its own text (a `TypedDocumentString`, no `graphql` runtime needed); a
 * `TypedDocumentNode` (the preset's default AST mode) is accepted too when the client is given
 * graphql's `print`. Either carries `__meta__.hash` when the preset's `persistedDocuments` is on.
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

/** A typed document: anything codegen's client preset generates (string or AST mode). */
export type TypedDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & {
  __meta__?: Record<string, unknown>;
};

export type OperationKind = 'query' | 'mutation' | 'subscription';

export interface OperationInfo {
  kind: OperationKind;
  name: string | undefined;
  text: string;
  /** SHA-256 hex of the trusted document (without the manifest's `sha256:` prefix), when codegen embedded one. */
  hash: string | undefined;
  variables: ReadonlySet<string>;
}

interface AstVariableDefinition {
  variable: { name: { value: string } };
}
interface AstDefinition {
  kind: string;
  operation?: OperationKind;
  name?: { value: string };
  variableDefinitions?: readonly AstVariableDefinition[];
}
interface AstDocument {
  kind: 'Document';
  definitions: readonly AstDefinition[];
  loc?: { source?: { body?: string } };
}

function isAst(document: unknown): document is AstDocument {
  return typeof document === 'object' && document !== null && (document as { kind?: unknown }).kind === 'Document';
}

/** The operation's facts, computed once per document object. */
export function describeOperation(document: TypedDocument<unknown, never>, print?: (ast: never) => string): OperationInfo {
  // A plain string (a hand-written document) cannot key a WeakMap: it is scanned each time.
  const cacheable = typeof document === 'object' && document !== null;
  const cached = cacheable ? cache.get(document) : undefined;
  if (cached) return cached;
  const meta = document.__meta__?.hash;
  const hash = typeof meta === 'string' ? meta.replace(/^sha256:/, '') : undefined;
  let info: OperationInfo;
  if (isAst(document)) {
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
    if (!operation?.operation) throw new TypeError('The document has no operation.');
    const text = document.loc?.source?.body ?? print?.(document as never);
    if (text === undefined) {
      throw new TypeError("An AST document needs graphql's `print` (createClient({ print })) or codegen's documentMode: 'string'.");
    }
    const variables = new Set((operation.variableDefinitions ?? []).map((v) => v.variable.name.value));
    info = { kind: operation.operation, name: operation.name?.value, text, hash, variables };
  } else {
    info = { ...scanOperation(String(document)), hash };
  }
  if (cacheable) cache.set(document, info);
  return info;
}

const cache = new WeakMap<object, OperationInfo>();

/**
 * Reads the first operation's kind, name and declared variables off the text. Strings and
 * comments are blanked first so that nothing quoted counts; only top-level tokens (outside
 * selection sets) can start an operation, so a field named `query` inside a fragment does not.
 */
export function scanOperation(text: string): Omit<OperationInfo, 'hash'> {
  const plain = text.replace(/"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|#[^\n\r]*/g, (match) => ' '.repeat(match.length));
  let depth = 0;
  for (let i = 0; i < plain.length; i++) {
    const char = plain[i];
    if (char === '{') {
      if (depth === 0) return { kind: 'query', name: undefined, text, variables: new Set() };
      depth++;
    } else if (char === '}') {
      depth--;
    } else if (depth === 0 && /[A-Za-z_]/.test(char)) {
      const word = /^[_A-Za-z]\w*/.exec(plain.slice(i))![0];
      if (word === 'fragment') {
        // Skip the fragment's header and body.
        const open = plain.indexOf('{', i);
        i = closing(plain, open, '{', '}');
        continue;
      }
      if (word === 'query' || word === 'mutation' || word === 'subscription') return header(plain, i + word.length, word, text);
      i += word.length - 1;
    }
  }
  throw new TypeError('The document has no operation.');
}

function header(plain: string, from: number, kind: OperationKind, text: string): Omit<OperationInfo, 'hash'> {
  const match = /^\s*([_A-Za-z]\w*)?\s*(\()?/.exec(plain.slice(from))!;
  const variables = new Set<string>();
  if (match[2]) {
    const open = from + match[0].length - 1;
    const definitions = plain.slice(open, closing(plain, open, '(', ')'));
    for (const found of definitions.matchAll(/\$\s*([_A-Za-z]\w*)\s*:/g)) variables.add(found[1]);
  }
  return { kind, name: match[1], text, variables };
}

/** Index of the bracket that closes the one at `open`. */
function closing(plain: string, open: number, left: string, right: string): number {
  let depth = 0;
  for (let i = open; i < plain.length; i++) {
    if (plain[i] === left) depth++;
    else if (plain[i] === right && --depth === 0) return i;
  }
  return plain.length;
}

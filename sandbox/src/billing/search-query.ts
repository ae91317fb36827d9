/**
 * Stripe's search query language (docs.stripe.com/search), parsed strictly so connectors
 * learn its limits here rather than in production:
 *
 *   clause   = ['-'] field op value
 *   field    = name ('.' name)* | 'metadata["' key '"]'
 *   op       = ':' (exact, case-insensitive) | '~' (substring, ≥ 3 chars) | '>' | '<' | '>=' | '<='
 *   value    = '"' chars with \" escapes '"' | number | null
 *   query    = clause ((' ' | ' AND ' | ' OR ') clause)*     — at most 10 clauses,
 *              AND and OR never mixed, no parentheses; strings must be quoted.
 */
import { invalidParam, type StripeError } from './errors.ts';

export type Operator = ':' | '~' | '>' | '<' | '>=' | '<=';

export interface Clause {
  negated: boolean;
  field: string;
  /** Set for `metadata["key"]` clauses (then `field` is `metadata`). */
  metadataKey?: string;
  operator: Operator;
  value: string | number | null;
  /** Whether the value was written as a quoted string. */
  quoted: boolean;
}

export interface ParsedQuery {
  join: 'AND' | 'OR';
  clauses: Clause[];
}

export const MAX_CLAUSES = 10;

const queryError = (message: string): StripeError => invalidParam('query', message);

const NUMBER = /^-?\d+(\.\d+)?$/;

export function parseQuery(query: string): ParsedQuery {
  const clauses: Clause[] = [];
  const joins = new Set<'AND' | 'OR' | 'SPACE'>();
  let i = 0;
  const n = query.length;
  const ws = () => {
    while (i < n && /\s/.test(query[i])) i++;
  };

  ws();
  if (i >= n) throw queryError('The query is empty. Provide at least one clause, e.g. email:"jenny@example.com".');
  while (i < n) {
    if (clauses.length > 0) {
      const rest = query.slice(i);
      const keyword = /^(AND|OR)(?=\s)/i.exec(rest);
      if (keyword) {
        joins.add(keyword[1].toUpperCase() as 'AND' | 'OR');
        i += keyword[1].length;
        ws();
        if (i >= n) throw queryError(`The query ends with '${keyword[1]}'; a clause must follow it.`);
      } else joins.add('SPACE');
    }
    if (query[i] === '(' || query[i] === ')') throw queryError(`Parentheses are not supported in search queries (at position ${i}).`);
    const clause = parseClause();
    clauses.push(clause);
    if (clauses.length > MAX_CLAUSES)
      throw queryError(`The query has more than ${MAX_CLAUSES} clauses; Stripe search supports at most ${MAX_CLAUSES}.`);
    const before = i;
    ws();
    if (i < n && i === before)
      throw queryError(`Unexpected character '${query[i]}' at position ${i}; clauses are separated by whitespace.`);
  }
  if (joins.has('OR') && (joins.has('AND') || joins.has('SPACE'))) {
    throw queryError('Queries cannot mix AND and OR; use only one kind of conjunction (no parentheses).');
  }
  return { join: joins.has('OR') ? 'OR' : 'AND', clauses };

  function parseClause(): Clause {
    const start = i;
    let negated = false;
    if (query[i] === '-') {
      negated = true;
      i++;
    }
    const nameMatch = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(i));
    if (!nameMatch) throw queryError(`Expected a field name at position ${i}.`);
    const field = nameMatch[0];
    i += field.length;
    let metadataKey: string | undefined;
    if (query[i] === '[') {
      if (field !== 'metadata') throw queryError(`Only metadata supports a bracketed key (at position ${i}).`);
      i++;
      if (query[i] !== '"') throw queryError(`Metadata keys must be double-quoted, e.g. metadata["key"] (at position ${i}).`);
      metadataKey = readQuoted();
      if (query[i] !== ']') throw queryError(`Expected ']' at position ${i}.`);
      i++;
    } else if (field === 'metadata') {
      throw queryError('Search on metadata needs a key: metadata["key"]:"value".');
    }
    const op = /^(>=|<=|:|~|>|<)/.exec(query.slice(i));
    if (!op) throw queryError(`Expected an operator (:, ~, >, <, >=, <=) after '${query.slice(start, i)}' at position ${i}.`);
    const operator = op[1] as Operator;
    i += operator.length;
    let value: string | number | null;
    let quoted = false;
    if (query[i] === '"') {
      value = readQuoted();
      quoted = true;
    } else {
      const bare = /^[^\s()]+/.exec(query.slice(i));
      if (!bare) throw queryError(`Expected a value after '${query.slice(start, i)}' at position ${i}.`);
      i += bare[0].length;
      if (bare[0] === 'null') value = null;
      else if (NUMBER.test(bare[0])) value = Number(bare[0]);
      else throw queryError(`String values must be double-quoted: ${field}${operator}"${bare[0]}".`);
    }
    return { negated, field, metadataKey, operator, value, quoted };
  }

  function readQuoted(): string {
    i++; // opening quote
    let out = '';
    while (i < n) {
      const ch = query[i];
      if (ch === '\\' && i + 1 < n) {
        out += query[i + 1];
        i += 2;
        continue;
      }
      if (ch === '"') {
        i++;
        return out;
      }
      out += ch;
      i++;
    }
    throw queryError('Unterminated quoted string in query.');
  }
}

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
  const c = new QueryCursor(query);

  c.ws();
  if (c.i >= c.n) throw queryError('The query is empty. Provide at least one clause, e.g. email:"jenny@example.com".');
  while (c.i < c.n) {
    if (clauses.length > 0) {
      const rest = query.slice(c.i);
      const keyword = /^(AND|OR)(?=\s)/i.exec(rest);
      if (keyword) {
        joins.add(keyword[1].toUpperCase() as 'AND' | 'OR');
        c.i += keyword[1].length;
        c.ws();
        if (c.i >= c.n) throw queryError(`The query ends with '${keyword[1]}'; a clause must follow it.`);
      } else joins.add('SPACE');
    }
    if (query[c.i] === '(' || query[c.i] === ')') throw queryError(`Parentheses are not supported in search queries (at position ${c.i}).`);
    const clause = c.parseClause();
    clauses.push(clause);
    if (clauses.length > MAX_CLAUSES)
      throw queryError(`The query has more than ${MAX_CLAUSES} clauses; Stripe search supports at most ${MAX_CLAUSES}.`);
    const before = c.i;
    c.ws();
    if (c.i < c.n && c.i === before)
      throw queryError(`Unexpected character '${query[c.i]}' at position ${c.i}; clauses are separated by whitespace.`);
  }
  if (joins.has('OR') && (joins.has('AND') || joins.has('SPACE'))) {
    throw queryError('Queries cannot mix AND and OR; use only one kind of conjunction (no parentheses).');
  }
  return { join: joins.has('OR') ? 'OR' : 'AND', clauses };
}

/** A position in the query text, and the readers that advance it. */
class QueryCursor {
  i = 0;
  readonly n: number;

  constructor(readonly query: string) {
    this.n = query.length;
  }

  ws(): void {
    while (this.i < this.n && /\s/.test(this.query[this.i])) this.i++;
  }

  parseClause(): Clause {
    const start = this.i;
    let negated = false;
    if (this.query[this.i] === '-') {
      negated = true;
      this.i++;
    }
    const nameMatch = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.query.slice(this.i));
    if (!nameMatch) throw queryError(`Expected a field name at position ${this.i}.`);
    const field = nameMatch[0];
    this.i += field.length;
    let metadataKey: string | undefined;
    if (this.query[this.i] === '[') {
      if (field !== 'metadata') throw queryError(`Only metadata supports a bracketed key (at position ${this.i}).`);
      this.i++;
      if (this.query[this.i] !== '"')
        throw queryError(`Metadata keys must be double-quoted, e.g. metadata["key"] (at position ${this.i}).`);
      metadataKey = this.readQuoted();
      if (this.query[this.i] !== ']') throw queryError(`Expected ']' at position ${this.i}.`);
      this.i++;
    } else if (field === 'metadata') {
      throw queryError('Search on metadata needs a key: metadata["key"]:"value".');
    }
    const op = /^(>=|<=|:|~|>|<)/.exec(this.query.slice(this.i));
    if (!op)
      throw queryError(`Expected an operator (:, ~, >, <, >=, <=) after '${this.query.slice(start, this.i)}' at position ${this.i}.`);
    const operator = op[1] as Operator;
    this.i += operator.length;
    let value: string | number | null;
    let quoted = false;
    if (this.query[this.i] === '"') {
      value = this.readQuoted();
      quoted = true;
    } else {
      const bare = /^[^\s()]+/.exec(this.query.slice(this.i));
      if (!bare) throw queryError(`Expected a value after '${this.query.slice(start, this.i)}' at position ${this.i}.`);
      this.i += bare[0].length;
      if (bare[0] === 'null') value = null;
      else if (NUMBER.test(bare[0])) value = Number(bare[0]);
      else throw queryError(`String values must be double-quoted: ${field}${operator}"${bare[0]}".`);
    }
    return { negated, field, metadataKey, operator, value, quoted };
  }

  readQuoted(): string {
    this.i++; // opening quote
    let out = '';
    while (this.i < this.n) {
      const ch = this.query[this.i];
      if (ch === '\\' && this.i + 1 < this.n) {
        out += this.query[this.i + 1];
        this.i += 2;
        continue;
      }
      if (ch === '"') {
        this.i++;
        return out;
      }
      out += ch;
      this.i++;
    }
    throw queryError('Unterminated quoted string in query.');
  }
}

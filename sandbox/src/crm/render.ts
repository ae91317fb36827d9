/**
 * How records go out on the wire (SimplePublicObject and friends) and the small request
 * parsing rules the object routes share (list parameters, JSON bodies, cursors).
 */
import type { SandboxRequest, SandboxResponse } from '../http.ts';
import { validationError } from './errors.ts';
import { ALWAYS_PROPERTIES, associationTypesOf, type CrmObjectType, DEFAULT_PROPERTIES, PROPERTIES, resolveObjectType } from './schema.ts';
import { type CrmRecord, type CrmStore, iso } from './store.ts';

export interface PublicHistoryEntry {
  value: string;
  timestamp: string;
  sourceType: string;
  sourceId?: string;
}

export interface PublicAssociatedId {
  id: string;
  type: string;
}

export interface PublicCrmObject {
  id: string;
  properties: Record<string, string | null>;
  propertiesWithHistory?: Record<string, PublicHistoryEntry[]>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  associations?: Record<string, { results: PublicAssociatedId[] }>;
}

export interface ReadOptions {
  /** null: the type's default properties. */
  properties: readonly string[] | null;
  propertiesWithHistory: readonly string[];
  associations: readonly CrmObjectType[];
}

export const DEFAULT_READ: ReadOptions = { properties: null, propertiesWithHistory: [], associations: [] };

export function renderRecord(store: CrmStore, record: CrmRecord, options: ReadOptions = DEFAULT_READ): PublicCrmObject {
  const known = PROPERTIES[record.type];
  const properties: Record<string, string | null> = {};
  const wanted = options.properties && options.properties.length > 0 ? options.properties : DEFAULT_PROPERTIES[record.type];
  // Unknown names are left out rather than rejected, as HubSpot does; known but unset ones are null.
  for (const name of wanted) if (known[name]) properties[name] = record.properties[name] ?? null;
  for (const name of ALWAYS_PROPERTIES[record.type]) properties[name] = record.properties[name] ?? null;
  const out: PublicCrmObject = {
    id: record.id,
    properties,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    archived: record.archived,
  };
  if (record.archivedAt !== null) out.archivedAt = iso(record.archivedAt);
  if (options.propertiesWithHistory.length > 0) {
    const history: Record<string, PublicHistoryEntry[]> = {};
    for (const name of options.propertiesWithHistory) {
      if (!known[name]) continue;
      history[name] = store.history(record, name).map((h) => {
        const entry: PublicHistoryEntry = { value: h.value, timestamp: iso(h.timestamp), sourceType: h.sourceType };
        if (h.sourceId !== undefined) entry.sourceId = h.sourceId;
        return entry;
      });
    }
    out.propertiesWithHistory = history;
  }
  if (options.associations.length > 0) {
    const associations: Record<string, { results: PublicAssociatedId[] }> = {};
    for (const toType of options.associations) {
      const results: PublicAssociatedId[] = [];
      for (const [target, flags] of store.visibleLinks(record, toType)) {
        for (const t of associationTypesOf(record.type, toType, flags)) results.push({ id: target.id, type: t.name });
      }
      // HubSpot leaves out association types without any result.
      if (results.length > 0) associations[toType] = { results };
    }
    if (Object.keys(associations).length > 0) out.associations = associations;
  }
  return out;
}

/** A query parameter given as a comma list, repeated, or both. */
export function listParam(query: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (const value of query.getAll(name)) {
    for (const part of value.split(',')) {
      const trimmed = part.trim();
      if (trimmed) out.push(trimmed);
    }
  }
  return out;
}

/** Body lists are arrays, but a comma string is tolerated. */
export function listValue(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
  if (typeof value === 'string')
    return value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  return [];
}

export function readOptionsFromQuery(query: URLSearchParams): ReadOptions {
  const properties = listParam(query, 'properties');
  const associations: CrmObjectType[] = [];
  for (const name of listParam(query, 'associations')) {
    const type = resolveObjectType(name);
    if (type && !associations.includes(type)) associations.push(type);
  }
  return {
    properties: properties.length > 0 ? properties : null,
    propertiesWithHistory: listParam(query, 'propertiesWithHistory'),
    associations,
  };
}

export function boolParam(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; response: SandboxResponse };

export function parseJsonBody(req: SandboxRequest): ParsedBody {
  if (req.rawBody.length === 0)
    return { ok: false, response: validationError('Invalid input JSON: No content to map due to end-of-input') };
  try {
    return { ok: true, value: JSON.parse(req.rawBody.toString('utf8')) as unknown };
  } catch (error) {
    return { ok: false, response: validationError(`Invalid input JSON on line 1: ${(error as Error).message}`) };
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * List cursors are opaque to clients (HubSpot's look like `NTI1Cg%3D%3D`): base64url of the
 * last id returned, so paging resumes strictly after it whatever was created or archived.
 */
export function encodeCursor(num: number): string {
  return Buffer.from(String(num)).toString('base64url');
}

export function decodeCursor(after: string | null): number | null | 'invalid' {
  if (after === null || after === '') return null;
  let text: string;
  try {
    text = decodeURIComponent(after);
  } catch {
    return 'invalid';
  }
  const decoded = Buffer.from(text.replace(/=+$/, ''), 'base64url').toString('utf8').trim();
  if (/^\d+$/.test(decoded)) return Number(decoded);
  return 'invalid';
}

/** The `paging.next.link` HubSpot includes on list responses: the same request with the new cursor. */
export function nextLink(req: SandboxRequest, after: string): string {
  const url = new URL(req.url.toString());
  url.searchParams.set('after', after);
  return url.toString();
}

/** Parses a positive integer parameter; NaN when it is not one. */
export function intParam(raw: string | null | undefined, fallback: number): number {
  if (raw === null || raw === undefined || raw === '') return fallback;
  return /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
}

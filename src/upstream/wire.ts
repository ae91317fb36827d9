/** How a request goes on the wire and what comes back: query strings, bodies, headers, low-level error codes. */
import type { QueryValue, UpstreamRequest } from './types.ts';

/**
 * Builds a query string: arrays repeat the key (HubSpot's `properties=a&properties=b`),
 * undefined and null are left out. Returns '' when nothing remains.
 */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly (string | number)[]) params.append(key, String(item));
    } else {
      params.append(key, String(value));
    }
  }
  return params.toString();
}

export function buildPath(basePath: string, request: UpstreamRequest): string {
  const query = encodeQuery(request.query);
  const path = basePath + request.path;
  if (!query) return path;
  return path + (path.includes('?') ? '&' : '?') + query;
}

export function buildBody(request: UpstreamRequest): { body?: string; contentType?: string } {
  if (!request.body) return {};
  if ('json' in request.body) return { body: JSON.stringify(request.body.json), contentType: 'application/json' };
  return { body: request.body.form, contentType: 'application/x-www-form-urlencoded' };
}

// Errors that mean the request never left this machine, so re-sending is safe for any method.
export const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
// Programmer errors from undici: a bug to surface as-is, not an outage to retry.
export const USAGE_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_INVALID_RETURN_VALUE']);

export function errorCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 3; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function normalizeHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers) for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

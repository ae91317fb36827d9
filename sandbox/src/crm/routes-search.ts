/**
 * `POST /crm/v3/objects/{type}/search`. Search lags writes by `knobs.searchLagMs` (HubSpot's
 * lag is undocumented, so the CRM default is 0) and may be throttled by the opt-in
 * `searchPerSecond` limit, which answers HubSpot's SECONDLY 429.
 */
import type { Router } from '../http.ts';
import { type CrmContext, route } from './context.ts';
import { validationError } from './errors.ts';
import { parseJsonBody, renderRecord } from './render.ts';
import { resolveObjectType } from './schema.ts';
import { parseSearch, runSearch } from './search.ts';

export function registerSearchRoutes(router: Router, ctx: CrmContext): void {
  route(router, ctx, 'POST', '/crm/v3/objects/:type/search', (req) => {
    const type = resolveObjectType(req.params.type ?? '');
    if (!type) return validationError(`Unable to infer object type from: ${req.params.type}`);
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return parsed.response;
    const search = parseSearch(type, parsed.value);
    if (!search.ok) return validationError(search.message);
    ctx.store.drainSearch(ctx.knobs()?.searchLagMs ?? 0);
    const { total, page } = runSearch(ctx.store, type, search.search);
    const options = { properties: search.search.properties, propertiesWithHistory: [], associations: [] };
    // Results show what the index holds, which may trail the live record.
    const results = page.map(({ record, properties }) =>
      renderRecord(ctx.store, { ...record, properties, updatedAt: indexedUpdatedAt(record.updatedAt, properties) }, options),
    );
    const body: Record<string, unknown> = { total, results };
    const next = search.search.after + search.search.limit;
    if (search.search.limit > 0 && next < total) body.paging = { next: { after: String(next) } };
    return { status: 200, body };
  });
}

function indexedUpdatedAt(live: number, properties: Readonly<Record<string, string>>): number {
  const indexed = Date.parse(properties.lastmodifieddate ?? properties.hs_lastmodifieddate ?? '');
  return Number.isFinite(indexed) ? indexed : live;
}

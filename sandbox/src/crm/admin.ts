/**
 * CRM-specific admin routes under `/__sandbox/` (outside auth, chaos and quotas):
 *
 * - `POST /__sandbox/edit` — a change made "in HubSpot's UI": it takes the same path as an
 *   API write (indexes, history, search lag, change log, `change` event) with
 *   `changeSource: 'CRM'`. Body:
 *     `{ "objectType": "contacts", "id": "10000001", "properties": { "lifecyclestage": "customer" } }`
 *     (`action` defaults to `update`; `idProperty` may be `email`/`domain`), or
 *     `{ "action": "create", "objectType", "properties", "associations"?: [{ "toObjectType", "toId", "primary"? }] }`,
 *     `{ "action": "archive", "objectType", "id" }`,
 *     `{ "action": "associate" | "unassociate", "objectType", "id", "toObjectType", "toId", "primary"? }`;
 *   any of them may carry `sourceId` (default `userId:<first owner's userId>`).
 *   Answers `{ ok, object, events }` with the record and the events it emitted.
 * - `GET /__sandbox/changes?after=<eventId>&limit=` — the change log (newest 10,000 kept).
 * - `GET|POST /__sandbox/limits` — the quota settings (see rate-limit.ts).
 */
import { Router, type SandboxRequest, type SandboxResponse } from '../http.ts';
import type { CrmContext } from './context.ts';
import { validateLimits } from './rate-limit.ts';
import { isObject, renderRecord } from './render.ts';
import { createOne, updateOne } from './routes-objects.ts';
import { type CrmObjectType, ID_PROPERTIES, LINK_PRIMARY, LINK_UNLABELED, resolveObjectType } from './schema.ts';
import type { ChangeContext, CrmChangeEvent, CrmRecord } from './store.ts';

const fail = (status: number, error: string): SandboxResponse => ({ status, body: { ok: false, error } });

export function createAdminRouter(ctx: CrmContext): Router {
  const router = new Router();

  router.on('POST', '/__sandbox/edit', (req) => {
    const body = parse(req);
    if (!isObject(body)) return fail(400, 'expected a JSON object: { objectType, id, properties } (see the CRM sandbox README)');
    const type = resolveObjectType(String(body.objectType ?? ''));
    if (!type) return fail(400, `unknown objectType ${JSON.stringify(body.objectType)}; use contacts, companies or deals`);
    const change: ChangeContext = {
      source: 'CRM',
      sourceId: typeof body.sourceId === 'string' ? body.sourceId : `userId:${ctx.owners[0]?.userId ?? 0}`,
    };
    const events: CrmChangeEvent[] = [];
    const collect = (event: CrmChangeEvent) => events.push(event);
    ctx.store.events.on('change', collect);
    try {
      const out = edit(ctx, type, body, change);
      if ('status' in out) return out;
      return { status: 200, body: { ok: true, object: renderAll(ctx, out), events } };
    } finally {
      ctx.store.events.off('change', collect);
    }
  });

  router.on('GET', '/__sandbox/changes', (req) => {
    const after = Number(req.query.get('after') ?? 0);
    const limit = Math.min(Number(req.query.get('limit') ?? 1000), 10_000);
    const log = ctx.store.changeLog;
    const changes = log.filter((e) => e.eventId > after).slice(0, Number.isFinite(limit) ? limit : 1000);
    return { status: 200, body: { changes, lastEventId: log.length > 0 ? log[log.length - 1].eventId : 0 } };
  });

  router.on('GET', '/__sandbox/limits', () => ({ status: 200, body: ctx.limiter.limits }));
  router.on('POST', '/__sandbox/limits', (req) => {
    const body = parse(req);
    const problem = validateLimits(body);
    if (problem) return fail(400, problem);
    return { status: 200, body: ctx.limiter.update(body as Record<string, never>) };
  });

  return router;
}

function edit(ctx: CrmContext, type: CrmObjectType, body: Record<string, unknown>, change: ChangeContext): CrmRecord | SandboxResponse {
  const action = String(body.action ?? 'update');
  if (action === 'create') {
    const associations = [];
    for (const a of Array.isArray(body.associations) ? body.associations : []) {
      const target = isObject(a) ? resolveTarget(ctx, a.toObjectType, a.toId) : null;
      if (!target) return fail(404, `association target ${JSON.stringify(a)} not found`);
      associations.push({ target, primary: isObject(a) && a.primary === true });
    }
    const created = createOne(ctx, type, { properties: body.properties ?? {} }, change);
    if ('response' in created) return hubspotFailure(created.response);
    for (const { target, primary } of associations) ctx.store.link(created.record, target, primary ? LINK_PRIMARY : LINK_UNLABELED, change);
    return created.record;
  }

  const idProperty = typeof body.idProperty === 'string' ? body.idProperty : 'hs_object_id';
  if (!ID_PROPERTIES[type].includes(idProperty)) return fail(400, `idProperty must be one of ${ID_PROPERTIES[type].join(', ')}`);
  const record = ctx.store.findLive(type, String(body.id ?? ''), idProperty);
  if (!record) return fail(404, `${type} ${JSON.stringify(body.id)} not found (or archived)`);

  switch (action) {
    case 'update': {
      if (!isObject(body.properties)) return fail(400, 'properties must be an object');
      const failed = updateOne(ctx, record, body.properties, change);
      return failed ? hubspotFailure(failed) : record;
    }
    case 'archive':
      ctx.store.archive(record, change);
      return record;
    case 'associate':
    case 'unassociate': {
      const target = resolveTarget(ctx, body.toObjectType, body.toId);
      if (!target) return fail(404, `association target ${JSON.stringify(body.toObjectType)} ${JSON.stringify(body.toId)} not found`);
      if (target.type === record.type) return fail(400, 'cannot associate a record with its own type');
      if (action === 'associate') ctx.store.link(record, target, body.primary === true ? LINK_PRIMARY : LINK_UNLABELED, change);
      else ctx.store.unlink(record, target, change);
      return record;
    }
    default:
      return fail(400, `unknown action ${JSON.stringify(action)}; use update, create, archive, associate or unassociate`);
  }
}

function resolveTarget(ctx: CrmContext, rawType: unknown, rawId: unknown): CrmRecord | null {
  const type = resolveObjectType(String(rawType ?? ''));
  return type ? (ctx.store.findLive(type, String(rawId ?? '')) ?? null) : null;
}

/** Passes HubSpot's own rejection (400 invalid property, 409 duplicate email) through with an admin-style `error`. */
function hubspotFailure(res: SandboxResponse): SandboxResponse {
  const message = isObject(res.body) && typeof res.body.message === 'string' ? res.body.message : 'rejected';
  return { status: res.status, body: { ok: false, error: message, hubspot: res.body } };
}

function renderAll(ctx: CrmContext, record: CrmRecord) {
  return renderRecord(ctx.store, record, {
    properties: Object.keys(record.properties),
    propertiesWithHistory: [],
    associations: (['contacts', 'companies', 'deals'] as const).filter((t) => t !== record.type),
  });
}

function parse(req: SandboxRequest): unknown {
  if (req.rawBody.length === 0) return undefined;
  try {
    return JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
}

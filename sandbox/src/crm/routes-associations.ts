/**
 * Associations v4. Links are stored once per pair with flags (unlabeled, primary) and read
 * from either side with that side's type ids: a contact's primary company shows typeIds 1
 * (label "Primary") and 279 (unlabeled), the company sees the contact as 2 and 280.
 *
 * Batch read reports inputs without any association — including unknown ids — in `errors`
 * with subCategory `crm.associations.NO_ASSOCIATIONS_FOUND` and answers 207, as HubSpot
 * does; they are absent from `results`. `toObjectId` is a number on the wire.
 */
import type { Router, SandboxRequest, SandboxResponse } from '../http.ts';
import { batchEnvelope, batchInputs, isResponse } from './batch.ts';
import { API_CHANGE, type CrmContext, route } from './context.ts';
import { type HubSpotErrorBody, errorBody, notFoundError, validationError } from './errors.ts';
import { decodeCursor, encodeCursor, intParam, isObject, nextLink, parseJsonBody } from './render.ts';
import {
  associationType,
  associationTypesOf,
  type CrmObjectType,
  LINK_PRIMARY,
  LINK_UNLABELED,
  OBJECT_TYPE_IDS,
  resolveObjectType,
  SINGULAR,
} from './schema.ts';
import type { CrmRecord } from './store.ts';

export const ASSOCIATION_LIMITS = {
  /** Page size of the list endpoint and of each input of batch read. */
  pageMax: 500,
  batchReadInputs: 1000,
  batchWriteInputs: 100,
} as const;

interface PublicAssociationType {
  category: 'HUBSPOT_DEFINED';
  typeId: number;
  label: string | null;
}

interface PublicAssociated {
  toObjectId: number;
  associationTypes: PublicAssociationType[];
}

function associated(from: CrmObjectType, target: CrmRecord, flags: number): PublicAssociated {
  return {
    toObjectId: target.num,
    associationTypes: associationTypesOf(from, target.type, flags).map((t) => ({
      category: 'HUBSPOT_DEFINED',
      typeId: t.typeId,
      label: t.label,
    })),
  };
}

/** One page of a record's associations towards `toType`, after the cursor's id. */
function pageOf(ctx: CrmContext, record: CrmRecord, toType: CrmObjectType, afterNum: number | null, limit: number) {
  const links = ctx.store.visibleLinks(record, toType);
  const start = afterNum === null ? 0 : links.findIndex(([target]) => target.num > afterNum);
  const slice = start < 0 ? [] : links.slice(start, start + limit);
  const more = start >= 0 && start + limit < links.length;
  return {
    results: slice.map(([target, flags]) => associated(record.type, target, flags)),
    next: more ? encodeCursor(slice[slice.length - 1][0].num) : null,
  };
}

export function registerAssociationRoutes(router: Router, ctx: CrmContext): void {
  registerRecordAssociationRoutes(router, ctx);
  registerBatchAssociationRoutes(router, ctx);
}

/** One record's associations: list, associate (default or labelled), remove. */
function registerRecordAssociationRoutes(router: Router, ctx: CrmContext): void {
  route(router, ctx, 'GET', '/crm/v4/objects/:type/:id/associations/:toType', (req) => {
    const t = pathTypes(req, 'type', 'toType');
    if (!Array.isArray(t)) return t;
    const limit = Math.min(intParam(req.query.get('limit'), ASSOCIATION_LIMITS.pageMax), ASSOCIATION_LIMITS.pageMax);
    if (Number.isNaN(limit) || limit < 1) return validationError('limit must be a positive integer');
    const after = decodeCursor(req.query.get('after'));
    if (after === 'invalid') return validationError(`Invalid 'after' cursor: ${JSON.stringify(req.query.get('after'))}`);
    const record = ctx.store.findLive(t[0], req.params.id);
    // An unknown or archived record simply has no associations.
    if (!record) return { status: 200, body: { results: [] } };
    const { results, next } = pageOf(ctx, record, t[1], after, limit);
    const body: Record<string, unknown> = { results };
    if (next) body.paging = { next: { after: next, link: nextLink(req, next) } };
    return { status: 200, body };
  });

  route(router, ctx, 'PUT', '/crm/v4/objects/:fromType/:fromId/associations/default/:toType/:toId', (req) => {
    const startedAt = Date.now();
    const t = pathTypes(req, 'fromType', 'toType');
    if (!Array.isArray(t)) return t;
    const p = pathPair(ctx, req, t[0], t[1], 'fromId', 'toId');
    if (!Array.isArray(p)) return p;
    ctx.store.link(p[0], p[1], LINK_UNLABELED, API_CHANGE);
    return batchEnvelope(startedAt, defaultResults(p[0], p[1]), []);
  });

  route(router, ctx, 'PUT', '/crm/v4/objects/:type/:id/associations/:toType/:toId', (req) => {
    const t = pathTypes(req, 'type', 'toType');
    if (!Array.isArray(t)) return t;
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return parsed.response;
    const flags = labelledFlags(t[0], t[1], parsed.value);
    if (typeof flags === 'string') return validationError(flags);
    const p = pathPair(ctx, req, t[0], t[1], 'id', 'toId');
    if (!Array.isArray(p)) return p;
    ctx.store.link(p[0], p[1], flags, API_CHANGE);
    return { status: 201, body: labelsBetween(p[0], p[1]) };
  });

  route(router, ctx, 'DELETE', '/crm/v4/objects/:type/:id/associations/:toType/:toId', (req) => {
    const t = pathTypes(req, 'type', 'toType');
    if (!Array.isArray(t)) return t;
    const from = ctx.store.get(t[0], req.params.id);
    const to = ctx.store.get(t[1], req.params.toId);
    if (from && to) ctx.store.unlink(from, to, API_CHANGE);
    return { status: 204 };
  });
}

function registerBatchAssociationRoutes(router: Router, ctx: CrmContext): void {
  route(router, ctx, 'POST', '/crm/v4/associations/:fromType/:toType/batch/read', (req) => readAssociationBatch(ctx, req));

  route(router, ctx, 'POST', '/crm/v4/associations/:fromType/:toType/batch/associate/default', (req) => {
    const startedAt = Date.now();
    const batch = batchPairs(ctx, req);
    if (isResponse(batch)) return batch;
    const results = [];
    for (const [from, to] of batch.pairs) {
      ctx.store.link(from, to, LINK_UNLABELED, API_CHANGE);
      results.push(...defaultResults(from, to));
    }
    // The client library accepts only 200 here, so unknown ids fail the batch up front (resolvePairs).
    return batchEnvelope(startedAt, results, []);
  });

  route(router, ctx, 'POST', '/crm/v4/associations/:fromType/:toType/batch/create', (req) => {
    const startedAt = Date.now();
    const batch = batchPairs(ctx, req);
    if (isResponse(batch)) return batch;
    const [fromType, toType] = batch.types;
    const flags: number[] = [];
    for (const [i, input] of batch.inputs.entries()) {
      const f = labelledFlags(fromType, toType, isObject(input) ? input.types : undefined);
      if (typeof f === 'string') return validationError(`inputs[${i}]: ${f}`);
      flags.push(f);
    }
    const results = batch.pairs.map(([from, to], i) => {
      ctx.store.link(from, to, flags[i], API_CHANGE);
      return labelsBetween(from, to);
    });
    return batchEnvelope(startedAt, results, [], 201);
  });

  route(router, ctx, 'POST', '/crm/v4/associations/:fromType/:toType/batch/archive', (req) => {
    const batch = typedBatch(req, ASSOCIATION_LIMITS.batchWriteInputs);
    if (isResponse(batch)) return batch;
    const [fromType, toType] = batch.types;
    for (const input of batch.inputs) {
      if (!isObject(input) || !isObject(input.from) || !Array.isArray(input.to))
        return validationError('Each input needs from.id and a to array');
      const from = ctx.store.get(fromType, String(input.from.id ?? ''));
      for (const target of input.to) {
        const to = isObject(target) ? ctx.store.get(toType, String(target.id ?? '')) : undefined;
        if (from && to) ctx.store.unlink(from, to, API_CHANGE);
      }
    }
    return { status: 204 };
  });
}

/** The two object types a path names, or HubSpot's validation error. */
function pathTypes(req: SandboxRequest, from: string, to: string): [CrmObjectType, CrmObjectType] | SandboxResponse {
  const a = resolveObjectType(req.params[from] ?? '');
  const b = resolveObjectType(req.params[to] ?? '');
  if (!a) return validationError(`Unable to infer object type from: ${req.params[from]}`);
  if (!b) return validationError(`Unable to infer object type from: ${req.params[to]}`);
  if (a === b) return validationError(`No associations are defined between ${a} and ${b}`);
  return [a, b];
}

/** The two live records a path names, or HubSpot's 404 for the first one missing. */
function pathPair(
  ctx: CrmContext,
  req: SandboxRequest,
  fromType: CrmObjectType,
  toType: CrmObjectType,
  fromKey: string,
  toKey: string,
): [CrmRecord, CrmRecord] | SandboxResponse {
  const from = ctx.store.findLive(fromType, req.params[fromKey] ?? '');
  if (!from)
    return notFoundError(`${SINGULAR[fromType]} ${req.params[fromKey]} not found`, { context: { id: [req.params[fromKey] ?? ''] } });
  const to = ctx.store.findLive(toType, req.params[toKey] ?? '');
  if (!to) return notFoundError(`${SINGULAR[toType]} ${req.params[toKey]} not found`, { context: { id: [req.params[toKey] ?? ''] } });
  return [from, to];
}

/** `batch/read`: one page of associations per distinct input id; an id with none is an error entry. */
function readAssociationBatch(ctx: CrmContext, req: SandboxRequest): SandboxResponse {
  const startedAt = Date.now();
  const batch = typedBatch(req, ASSOCIATION_LIMITS.batchReadInputs);
  if (isResponse(batch)) return batch;
  const [fromType, toType] = batch.types;
  const results = [];
  const errors: HubSpotErrorBody[] = [];
  const seen = new Set<string>();
  for (const input of batch.inputs) {
    const id = isObject(input) && (typeof input.id === 'string' || typeof input.id === 'number') ? String(input.id) : null;
    if (id === null) return validationError('Each input needs an id');
    if (seen.has(id)) continue;
    seen.add(id);
    const after = decodeCursor(isObject(input) && typeof input.after === 'string' ? input.after : null);
    const record = ctx.store.findLive(fromType, id);
    const page = record && after !== 'invalid' ? pageOf(ctx, record, toType, after, ASSOCIATION_LIMITS.pageMax) : null;
    if (!page || page.results.length === 0) {
      errors.push(
        errorBody('OBJECT_NOT_FOUND', `No ${SINGULAR[toType]} is associated with ${SINGULAR[fromType]} ${id}.`, {
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
          context: { fromObjectId: [id], toObjectType: [SINGULAR[toType]] },
        }),
      );
      continue;
    }
    const result: Record<string, unknown> = { from: { id }, to: page.results };
    if (page.next) result.paging = { next: { after: page.next } };
    results.push(result);
  }
  return batchEnvelope(startedAt, results, errors, 200);
}

interface TypedBatch {
  types: [CrmObjectType, CrmObjectType];
  inputs: unknown[];
}

/** A batch route's two path types and its inputs, or the error answer for the first that is wrong. */
function typedBatch(req: SandboxRequest, maxInputs: number): TypedBatch | SandboxResponse {
  const types = pathTypes(req, 'fromType', 'toType');
  if (!Array.isArray(types)) return types;
  const got = batchInputs(req, maxInputs);
  if (isResponse(got)) return got;
  return { types, inputs: got.inputs };
}

/** A batch write's types and inputs, plus the live records each input pairs (all must exist). */
function batchPairs(ctx: CrmContext, req: SandboxRequest): (TypedBatch & { pairs: Array<[CrmRecord, CrmRecord]> }) | SandboxResponse {
  const batch = typedBatch(req, ASSOCIATION_LIMITS.batchWriteInputs);
  if (isResponse(batch)) return batch;
  const pairs = resolvePairs(ctx, batch.types[0], batch.types[1], batch.inputs);
  if (!Array.isArray(pairs)) return pairs;
  return { ...batch, pairs };
}

function resolvePairs(
  ctx: CrmContext,
  fromType: CrmObjectType,
  toType: CrmObjectType,
  inputs: unknown[],
): Array<[CrmRecord, CrmRecord]> | SandboxResponse {
  const out: Array<[CrmRecord, CrmRecord]> = [];
  for (const [i, input] of inputs.entries()) {
    if (!isObject(input) || !isObject(input.from) || !isObject(input.to)) return validationError(`inputs[${i}] needs from.id and to.id`);
    const fromId = String(input.from.id ?? '');
    const toId = String(input.to.id ?? '');
    const from = ctx.store.findLive(fromType, fromId);
    const to = ctx.store.findLive(toType, toId);
    if (!from) return notFoundError(`${SINGULAR[fromType]} ${fromId} not found`, { context: { id: [fromId] } });
    if (!to) return notFoundError(`${SINGULAR[toType]} ${toId} not found`, { context: { id: [toId] } });
    out.push([from, to]);
  }
  return out;
}

/** A labelled association body: `[{associationCategory: 'HUBSPOT_DEFINED', associationTypeId}]`. */
function labelledFlags(fromType: CrmObjectType, toType: CrmObjectType, body: unknown): number | string {
  if (!Array.isArray(body) || body.length === 0) return 'expected a non-empty array of {associationCategory, associationTypeId}';
  let flags = 0;
  for (const spec of body) {
    const def = isObject(spec) ? associationType(Number(spec.associationTypeId)) : undefined;
    if (!def || !isObject(spec) || (spec.associationCategory !== undefined && spec.associationCategory !== 'HUBSPOT_DEFINED')) {
      return `${JSON.stringify(spec)} is not a valid association type`;
    }
    if (def.from !== fromType || def.to !== toType)
      return `association type ${def.typeId} goes from ${def.from} to ${def.to}, not from ${fromType} to ${toType}`;
    flags |= def.flag === LINK_PRIMARY ? LINK_PRIMARY | LINK_UNLABELED : LINK_UNLABELED;
  }
  return flags;
}

/** What a default association answers: the unlabeled type in both directions. */
function defaultResults(from: CrmRecord, to: CrmRecord) {
  const spec = (a: CrmRecord, b: CrmRecord) => {
    const t = associationTypesOf(a.type, b.type, LINK_UNLABELED)[0];
    return {
      from: { id: a.id },
      to: { id: b.id },
      associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: t.typeId },
    };
  };
  return [spec(from, to), spec(to, from)];
}

function labelsBetween(from: CrmRecord, to: CrmRecord) {
  const flags = from.links[to.type]?.get(to.id) ?? 0;
  return {
    fromObjectTypeId: OBJECT_TYPE_IDS[from.type],
    fromObjectId: from.num,
    toObjectTypeId: OBJECT_TYPE_IDS[to.type],
    toObjectId: to.num,
    labels: associationTypesOf(from.type, to.type, flags)
      .map((t) => t.label)
      .filter((l): l is string => l !== null),
  };
}

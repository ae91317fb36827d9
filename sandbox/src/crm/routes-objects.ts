/**
 * CRM objects v3: list, get, create, update, archive and the batch endpoints for contacts,
 * companies and deals (also addressed as 0-1, 0-2, 0-3).
 *
 * Batch semantics (HubSpot's): read reports missing ids in one 207 error with
 * `context.ids`; update applies what it can and reports missing ids the same way; create is
 * all-or-nothing — an invalid property is a 400 and an existing email a 409 CONFLICT for the
 * whole batch, as HubSpot answers.
 */
import type { Router, SandboxRequest, SandboxResponse } from '../http.ts';
import { batchEnvelope, batchInputs, isResponse } from './batch.ts';
import { API_CHANGE, type CrmContext, route } from './context.ts';
import { type HubSpotErrorBody, errorBody, hubspotError, notFoundError, validationError } from './errors.ts';
import { normalizeProperties, propertyProblemsBody } from './properties.ts';
import {
  boolParam,
  decodeCursor,
  encodeCursor,
  intParam,
  isObject,
  listValue,
  nextLink,
  parseJsonBody,
  readOptionsFromQuery,
  type ReadOptions,
  renderRecord,
} from './render.ts';
import { associationType, type CrmObjectType, ID_PROPERTIES, LINK_PRIMARY, LINK_UNLABELED, resolveObjectType, SINGULAR } from './schema.ts';
import type { ChangeContext, CrmRecord } from './store.ts';

export const LIST_LIMIT = { default: 10, max: 100, maxWithHistory: 50 } as const;
export const BATCH_LIMIT = 100;
/** HubSpot allows fewer inputs when property history is requested. */
export const BATCH_LIMIT_WITH_HISTORY = 50;

const OBJECTS = '/crm/v3/objects/:type';

export function registerObjectRoutes(router: Router, ctx: CrmContext): void {
  const on = (method: string, pattern: string, handler: (req: SandboxRequest, type: CrmObjectType) => SandboxResponse) =>
    route(router, ctx, method, pattern, (req) => {
      const type = resolveObjectType(req.params.type ?? '');
      if (!type) return validationError(`Unable to infer object type from: ${req.params.type}`);
      return handler(req, type);
    });

  on('GET', OBJECTS, (req, type) => list(ctx, req, type));
  on('POST', OBJECTS, (req, type) => create(ctx, req, type));
  on('POST', `${OBJECTS}/batch/read`, (req, type) => batchRead(ctx, req, type));
  on('POST', `${OBJECTS}/batch/create`, (req, type) => batchCreate(ctx, req, type));
  on('POST', `${OBJECTS}/batch/update`, (req, type) => batchUpdate(ctx, req, type));
  on('POST', `${OBJECTS}/batch/archive`, (req, type) => batchArchive(ctx, req, type));
  on('GET', `${OBJECTS}/:id`, (req, type) => getOne(ctx, req, type));
  on('PATCH', `${OBJECTS}/:id`, (req, type) => update(ctx, req, type));
  on('DELETE', `${OBJECTS}/:id`, (req, type) => archive(ctx, req, type));
}

// ----- single-record routes -------------------------------------------------------------------

function list(ctx: CrmContext, req: SandboxRequest, type: CrmObjectType): SandboxResponse {
  const options = readOptionsFromQuery(req.query);
  let limit = intParam(req.query.get('limit'), LIST_LIMIT.default);
  if (Number.isNaN(limit) || limit < 1)
    return validationError(`limit must be a positive integer, got ${JSON.stringify(req.query.get('limit'))}`);
  // HubSpot caps oversized pages instead of rejecting them.
  limit = Math.min(limit, options.propertiesWithHistory.length > 0 ? LIST_LIMIT.maxWithHistory : LIST_LIMIT.max);
  const after = decodeCursor(req.query.get('after'));
  if (after === 'invalid') return validationError(`Invalid 'after' cursor: ${JSON.stringify(req.query.get('after'))}`);
  const archived = boolParam(req.query, 'archived');

  const table = ctx.store.tables[type];
  const results = [];
  let last: CrmRecord | null = null;
  let more = false;
  for (let i = after === null ? 0 : table.indexAfter(after); i < table.all.length; i++) {
    const record = table.all[i];
    if (record.archived !== archived) continue;
    if (results.length === limit) {
      more = true;
      break;
    }
    results.push(renderRecord(ctx.store, record, options));
    last = record;
  }
  const body: Record<string, unknown> = { results };
  if (more && last) {
    const cursor = encodeCursor(last.num);
    body.paging = { next: { after: cursor, link: nextLink(req, cursor) } };
  }
  return { status: 200, body };
}

function idPropertyOf(req: SandboxRequest, type: CrmObjectType): string | SandboxResponse {
  const idProperty = req.query.get('idProperty') ?? 'hs_object_id';
  if (!ID_PROPERTIES[type].includes(idProperty)) {
    return validationError(`${idProperty} is not a unique identifier property for ${type}; use one of ${ID_PROPERTIES[type].join(', ')}`);
  }
  return idProperty;
}

function objectNotFound(type: CrmObjectType, id: string): SandboxResponse {
  return notFoundError(`Object not found. objectId are usually numeric.`, { context: { id: [id], type: [SINGULAR[type].toUpperCase()] } });
}

function getOne(ctx: CrmContext, req: SandboxRequest, type: CrmObjectType): SandboxResponse {
  const idProperty = idPropertyOf(req, type);
  if (typeof idProperty !== 'string') return idProperty;
  const id = req.params.id;
  const archived = boolParam(req.query, 'archived');
  // `archived=true` asks for archived records only; archived ones keep no email index entry.
  const record = archived ? findArchived(ctx, type, id, idProperty) : ctx.store.findLive(type, id, idProperty);
  if (!record) return objectNotFound(type, id);
  return { status: 200, body: renderRecord(ctx.store, record, readOptionsFromQuery(req.query)) };
}

function findArchived(ctx: CrmContext, type: CrmObjectType, value: string, idProperty: string): CrmRecord | undefined {
  if (idProperty === 'hs_object_id') {
    const record = ctx.store.get(type, value);
    return record?.archived ? record : undefined;
  }
  const wanted = value.trim().toLowerCase();
  return ctx.store.tables[type].all.find((r) => r.archived && r.properties[idProperty]?.toLowerCase() === wanted);
}

/** Renders a written record with the properties it now has set (plus the always-present ones). */
function renderWritten(ctx: CrmContext, record: CrmRecord): unknown {
  return renderRecord(ctx.store, record, { properties: Object.keys(record.properties), propertiesWithHistory: [], associations: [] });
}

function conflict(existing: CrmRecord): SandboxResponse {
  return hubspotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
}

interface LinkRequest {
  target: CrmRecord;
  flags: number;
}

/** Resolves create-time `associations: [{to: {id}, types: [{associationCategory, associationTypeId}]}]`. */
function resolveAssociations(ctx: CrmContext, type: CrmObjectType, raw: unknown): LinkRequest[] | string {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return 'associations must be an array';
  const out: LinkRequest[] = [];
  for (const [i, item] of raw.entries()) {
    if (!isObject(item) || !isObject(item.to) || !Array.isArray(item.types)) return `associations[${i}] must have to.id and types`;
    const toId = String(item.to.id ?? '');
    for (const t of item.types) {
      const def = isObject(t) ? associationType(Number(t.associationTypeId)) : undefined;
      if (!def || (isObject(t) && t.associationCategory !== undefined && t.associationCategory !== 'HUBSPOT_DEFINED')) {
        return `associations[${i}]: ${JSON.stringify(t)} is not a valid association type`;
      }
      if (def.from !== type)
        return `associations[${i}]: association type ${def.typeId} goes from ${def.from} to ${def.to}, not from ${type}`;
      const target = ctx.store.findLive(def.to, toId);
      if (!target) return `associations[${i}]: ${SINGULAR[def.to]} ${toId} does not exist`;
      out.push({ target, flags: def.flag === LINK_PRIMARY ? LINK_PRIMARY | LINK_UNLABELED : LINK_UNLABELED });
    }
  }
  return out;
}

function create(ctx: CrmContext, req: SandboxRequest, type: CrmObjectType): SandboxResponse {
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.response;
  if (!isObject(parsed.value)) return validationError('Invalid input JSON: expected an object with properties');
  const result = createOne(ctx, type, parsed.value, API_CHANGE);
  if ('response' in result) return result.response;
  return { status: 201, body: renderWritten(ctx, result.record) };
}

/** The create path shared by the API, batch create and admin edits. */
export function createOne(
  ctx: CrmContext,
  type: CrmObjectType,
  input: Record<string, unknown>,
  change: ChangeContext,
): { record: CrmRecord } | { response: SandboxResponse } {
  const checked = checkCreate(ctx, type, input);
  if ('response' in checked) return checked;
  const record = ctx.store.create(type, checked.values, change);
  for (const link of checked.links) ctx.store.link(record, link.target, link.flags, change);
  return { record };
}

function checkCreate(
  ctx: CrmContext,
  type: CrmObjectType,
  input: Record<string, unknown>,
): { values: Record<string, string>; links: LinkRequest[] } | { response: SandboxResponse } {
  const { values, problems } = normalizeProperties(type, input.properties ?? {}, ctx.ownerIds);
  if (problems.length > 0) {
    const { message, errors } = propertyProblemsBody(problems);
    return { response: validationError(message, { errors }) };
  }
  if (type === 'contacts' && values.email) {
    const existing = ctx.store.findLive('contacts', values.email, 'email');
    if (existing) return { response: conflict(existing) };
  }
  const links = resolveAssociations(ctx, type, input.associations);
  if (typeof links === 'string') return { response: validationError(links) };
  return { values, links };
}

function update(ctx: CrmContext, req: SandboxRequest, type: CrmObjectType): SandboxResponse {
  const idProperty = idPropertyOf(req, type);
  if (typeof idProperty !== 'string') return idProperty;
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.response;
  if (!isObject(parsed.value)) return validationError('Invalid input JSON: expected an object with properties');
  const record = ctx.store.findLive(type, req.params.id, idProperty);
  if (!record) return objectNotFound(type, req.params.id);
  const result = updateOne(ctx, record, parsed.value.properties, API_CHANGE);
  if (result) return result;
  return { status: 200, body: renderWritten(ctx, record) };
}

/** The update path shared by the API, batch update and admin edits; returns an error response or null. */
export function updateOne(ctx: CrmContext, record: CrmRecord, properties: unknown, change: ChangeContext): SandboxResponse | null {
  const { values, problems } = normalizeProperties(record.type, properties ?? {}, ctx.ownerIds);
  if (problems.length > 0) {
    const { message, errors } = propertyProblemsBody(problems);
    return validationError(message, { errors });
  }
  if (record.type === 'contacts' && values.email) {
    const existing = ctx.store.findLive('contacts', values.email, 'email');
    if (existing && existing !== record) return conflict(existing);
  }
  ctx.store.update(record, values, change);
  return null;
}

function archive(ctx: CrmContext, req: SandboxRequest, type: CrmObjectType): SandboxResponse {
  const record = ctx.store.findLive(type, req.params.id);
  // HubSpot answers 204 whether or not there was anything to archive.
  if (record) ctx.store.archive(record, API_CHANGE);
  return { status: 204 };
}

// ----- batch routes ---------------------------------------------------------------------------

function missingIdsError(type: CrmObjectType, ids: string[], verb: string): HubSpotErrorBody {
  return errorBody(
    'OBJECT_NOT_FOUND',
    `Could not ${verb} some ${SINGULAR[type].toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
    { context: { ids } },
  );
}

const inputId = (input: unknown): string | null =>
  isObject(input) && (typeof input.id === 'string' || typeof input.id === 'number') ? String(input.id) : null;

function batchRead(ctx: CrmContext, req: SandboxRequest, type: CrmObjectType): SandboxResponse {
  const startedAt = Date.now();
  const got = batchInputs(req, BATCH_LIMIT);
  if (isResponse(got)) return got;
  const { inputs, body } = got;
  const options: ReadOptions = {
    properties: listValue(body.properties),
    propertiesWithHistory: listValue(body.propertiesWithHistory),
    associations: [],
  };
  if (options.propertiesWithHistory.length > 0 && inputs.length > BATCH_LIMIT_WITH_HISTORY) {
    return validationError(
      `Too many inputs: ${inputs.length}. The maximum number of inputs per batch with propertiesWithHistory is ${BATCH_LIMIT_WITH_HISTORY}.`,
    );
  }
  const idProperty = typeof body.idProperty === 'string' && body.idProperty !== '' ? body.idProperty : 'hs_object_id';
  if (!ID_PROPERTIES[type].includes(idProperty)) return validationError(`${idProperty} is not a unique identifier property for ${type}`);
  const archived = boolParam(req.query, 'archived');

  const seen = new Set<string>();
  const results = [];
  const missing: string[] = [];
  for (const input of inputs) {
    const id = inputId(input);
    if (id === null) return validationError('Each input needs an id');
    if (seen.has(id)) continue; // HubSpot answers each distinct id once.
    seen.add(id);
    const record = archived ? findArchived(ctx, type, id, idProperty) : ctx.store.findLive(type, id, idProperty);
    if (record) results.push(renderRecord(ctx.store, record, options));
    else missing.push(id);
  }
  return batchEnvelope(startedAt, results, missing.length > 0 ? [missingIdsError(type, missing, 'get')] : []);
}

function batchCreate(ctx: CrmContext, req: SandboxRequest, type: CrmObjectType): SandboxResponse {
  const startedAt = Date.now();
  const got = batchInputs(req, BATCH_LIMIT);
  if (isResponse(got)) return got;
  // All inputs are checked before anything is written: HubSpot fails such a batch as a whole.
  const checked: Array<{ values: Record<string, string>; links: LinkRequest[] }> = [];
  const emails = new Set<string>();
  for (const [i, input] of got.inputs.entries()) {
    if (!isObject(input)) return validationError(`inputs[${i}] must be an object with properties`);
    const result = checkCreate(ctx, type, input);
    if ('response' in result) return result.response;
    const email = result.values.email;
    if (type === 'contacts' && email) {
      if (emails.has(email)) return validationError(`Duplicate email in batch: ${email}`, { context: { email: [email] } });
      emails.add(email);
    }
    checked.push(result);
  }
  const results = checked.map(({ values, links }) => {
    const record = ctx.store.create(type, values, API_CHANGE);
    for (const link of links) ctx.store.link(record, link.target, link.flags, API_CHANGE);
    return renderWritten(ctx, record);
  });
  return batchEnvelope(startedAt, results, [], 201);
}

function batchUpdate(ctx: CrmContext, req: SandboxRequest, type: CrmObjectType): SandboxResponse {
  const startedAt = Date.now();
  const got = batchInputs(req, BATCH_LIMIT);
  if (isResponse(got)) return got;
  // Property problems reject the whole batch, like a single update; unknown ids and email conflicts are per input.
  for (const [i, input] of got.inputs.entries()) {
    if (!isObject(input) || inputId(input) === null) return validationError(`inputs[${i}] needs an id and properties`);
    const { problems } = normalizeProperties(type, input.properties ?? {}, ctx.ownerIds);
    if (problems.length > 0) {
      const { message, errors } = propertyProblemsBody(problems);
      return validationError(message, { errors });
    }
  }
  const results = [];
  const missing: string[] = [];
  const errors: HubSpotErrorBody[] = [];
  for (const input of got.inputs as Array<Record<string, unknown>>) {
    const id = inputId(input) as string;
    const idProperty = typeof input.idProperty === 'string' ? input.idProperty : 'hs_object_id';
    const record = ID_PROPERTIES[type].includes(idProperty) ? ctx.store.findLive(type, id, idProperty) : undefined;
    if (!record) {
      missing.push(id);
      continue;
    }
    const failed = updateOne(ctx, record, input.properties, API_CHANGE);
    if (failed) errors.push(failed.body as HubSpotErrorBody);
    else results.push(renderWritten(ctx, record));
  }
  if (missing.length > 0) errors.unshift(missingIdsError(type, missing, 'update'));
  return batchEnvelope(startedAt, results, errors);
}

function batchArchive(ctx: CrmContext, req: SandboxRequest, type: CrmObjectType): SandboxResponse {
  const got = batchInputs(req, BATCH_LIMIT);
  if (isResponse(got)) return got;
  for (const input of got.inputs) {
    const id = inputId(input);
    if (id === null) return validationError('Each input needs an id');
    const record = ctx.store.findLive(type, id);
    if (record) ctx.store.archive(record, API_CHANGE);
  }
  return { status: 204 };
}

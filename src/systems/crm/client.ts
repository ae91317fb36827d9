/**
 * A typed HubSpot CRM client: one short method per endpoint the gateway uses. It takes the
 * shared UpstreamClient (pool, deadlines, retries, breaker, auth, status mapping) and knows
 * nothing about GraphQL; every response is validated against `schemas.ts`.
 *
 * Endpoints and their limits, as HubSpot documents them (developers.hubspot.com/docs/api/crm):
 *   GET  /crm/v3/objects/{type}?limit&after&properties&associations   list, limit ≤ 100
 *   GET  /crm/v3/objects/{type}/{id}?properties&associations           one record, links inline
 *   POST /crm/v3/objects/{type}/batch/read                            ≤ 100 inputs (by id or idProperty)
 *   POST /crm/v3/objects/{type}/search                                limit ≤ 200, ≤ 5 filterGroups,
 *                                                                     ≤ 10 filters per group, ≤ 25 total,
 *                                                                     results stop at 10,000; lags writes
 *   POST /crm/v4/associations/{fromType}/{toType}/batch/read          ≤ 1000 inputs, per-input paging
 *   GET  /crm/v3/owners?limit&after&archived                          limit ≤ 500
 *   GET  /crm/v3/owners/{ownerId}?archived                            one owner (archived=true: deactivated ones)
 * `{type}` is contacts, companies or deals.
 */
import { z } from 'zod';
import { GatewayError, isGatewayError } from '../../errors.ts';
import type { QueryValue, UpstreamClient, UpstreamRequest } from '../../upstream/types.ts';
import {
  associationBatchResponseSchema,
  batchReadResponseSchema,
  CRM_PROPERTIES,
  type CrmAssociations,
  type CrmObjectType,
  listResponseSchema,
  OBJECT_SCHEMAS,
  ownerSchema,
  ownersPageSchema,
  parseResponse,
  searchResponseSchema,
  toCrmObject,
  toCrmOwner,
  type WireObject,
} from './schemas.ts';
import { CRM_LIMITS, type CrmConnector, type CrmConnectorOptions } from './connector-types.ts';

export * from './connector-types.ts';

type Request = Omit<UpstreamRequest, 'headers' | 'signal' | 'idempotent'>;
type Send = <T = unknown>(request: Request) => Promise<T>;
type ConnectorPart<K extends keyof CrmConnector> = Pick<CrmConnector, K>;

const SINGULAR: Record<CrmObjectType, string> = { contacts: 'contact', companies: 'company', deals: 'deal' };

/**
 * Association type ids HubSpot uses for the "Primary" link (v4 `typeId`); the v3 inline form
 * names the primary link `contact_to_company` and others `contact_to_company_unlabeled`.
 */
const PRIMARY_TYPE_IDS = new Set([1, 2, 5, 6]);

function ensureBatch(ids: readonly string[], limit: number, what: string): void {
  if (ids.length > limit) throw new RangeError(`${what} takes at most ${limit} ids per request, got ${ids.length}`);
}

function inlineAssociations(wire: WireObject, types: readonly CrmObjectType[]): Partial<Record<CrmObjectType, CrmAssociations>> {
  const out: Partial<Record<CrmObjectType, CrmAssociations>> = {};
  for (const toType of types) {
    // Asked for and absent means the record has no such links.
    const results = wire.associations?.[toType]?.results ?? [];
    const ids: string[] = [];
    let primaryId: string | null = null;
    for (const link of results) {
      if (ids.includes(link.id)) continue;
      const primary = typeof link.type === 'string' && !link.type.endsWith('_unlabeled') && link.type.includes('_to_');
      if (primary && primaryId === null) {
        primaryId = link.id;
        ids.unshift(link.id);
      } else ids.push(link.id);
    }
    out[toType] = { ids, primaryId };
  }
  return out;
}

export function createCrmConnector(http: UpstreamClient, options: CrmConnectorOptions = {}): CrmConnector {
  const { requestId, signal } = options;
  const headers = requestId ? { 'x-request-id': requestId } : undefined;

  async function send<T = unknown>(request: Request): Promise<T> {
    // Every call here is a read (search and batch/read are POSTs that change nothing).
    const response = await http.request<T>({ ...request, headers, signal, idempotent: true });
    return response.body;
  }

  async function write(request: Request): Promise<unknown> {
    const response = await http.request({ ...request, headers, signal, idempotent: false });
    return response.body;
  }

  return {
    withRequestId(next) {
      return createCrmConnector(http, { ...options, requestId: next });
    },
    ...objectReads(send),
    ...objectQueries(send),
    ...associationReads(send),
    ...ownerReads(send),
    ...objectWrites(write),
  };
}

/** Records: the list, and one by id. */
function objectReads(send: Send): ConnectorPart<'listObjects' | 'getObject'> {
  return {
    async listObjects(type, { limit, after, associations = [], archived = false }) {
      const query: Record<string, QueryValue> = {
        limit: Math.min(limit, CRM_LIMITS.listPage),
        after,
        properties: CRM_PROPERTIES[type],
        associations: associations.length > 0 ? associations : undefined,
        archived,
      };
      const body = await send({ method: 'GET', path: `/crm/v3/objects/${type}`, query, route: `GET /crm/v3/objects/${type}` });
      const page = parseResponse(listResponseSchema(type), body, `${SINGULAR[type]} list`);
      const links = new Map<string, Partial<Record<CrmObjectType, CrmAssociations>>>();
      if (associations.length > 0) for (const wire of page.results) links.set(wire.id, inlineAssociations(wire, associations));
      return {
        records: page.results.map((wire) => toCrmObject(type, wire)),
        after: page.paging?.next?.after ?? null,
        associations: links,
      };
    },

    async getObject(type, id, { associations = [] } = {}) {
      let body: unknown;
      try {
        body = await send({
          method: 'GET',
          path: `/crm/v3/objects/${type}/${encodeURIComponent(id)}`,
          route: `GET /crm/v3/objects/${type}/{id}`,
          query: { properties: CRM_PROPERTIES[type], associations: associations.length > 0 ? associations : undefined, archived: false },
        });
      } catch (error) {
        if (isGatewayError(error) && error.code === 'NOT_FOUND') return null;
        throw error;
      }
      const wire = parseResponse(OBJECT_SCHEMAS[type], body, `${SINGULAR[type]} read`);
      return { record: toCrmObject(type, wire), associations: inlineAssociations(wire, associations) };
    },
  };
}

/** Records: batch read (by id or an id property) and search. */
function objectQueries(send: Send): ConnectorPart<'batchReadObjects' | 'searchObjects'> {
  return {
    async batchReadObjects(type, ids, { idProperty } = {}) {
      if (ids.length === 0) return [];
      ensureBatch(ids, CRM_LIMITS.batchRead, `${type} batch read`);
      let body: unknown;
      try {
        body = await send({
          method: 'POST',
          path: `/crm/v3/objects/${type}/batch/read`,
          route: `POST /crm/v3/objects/${type}/batch/read`,
          read: true,
          body: {
            json: {
              inputs: ids.map((value) => ({ id: value })),
              properties: CRM_PROPERTIES[type],
              propertiesWithHistory: [],
              ...(idProperty ? { idProperty } : {}),
            },
          },
        });
      } catch (error) {
        // A batch in which no id exists may come back as a plain 404 instead of a 207.
        if (isGatewayError(error) && error.code === 'NOT_FOUND') return [];
        throw error;
      }
      const batch = parseResponse(batchReadResponseSchema(type), body, `${SINGULAR[type]} batch read`);
      // A 207 lists the ids it could not find under OBJECT_NOT_FOUND; they are simply
      // missing. Any other per-item error means we cannot tell "missing" from "failed".
      const failed = (batch.errors ?? []).filter((error) => error.category !== 'OBJECT_NOT_FOUND');
      if (failed.length > 0) {
        throw new GatewayError('UPSTREAM_UNAVAILABLE', `HubSpot CRM could not read some ${type}`, { service: 'crm' });
      }
      return batch.results.map((wire) => toCrmObject(type, wire));
    },

    async searchObjects(type, request) {
      const body = await send({
        method: 'POST',
        path: `/crm/v3/objects/${type}/search`,
        route: `POST /crm/v3/objects/${type}/search`,
        read: true,
        body: {
          json: {
            filterGroups: request.filterGroups ?? [],
            ...(request.query ? { query: request.query } : {}),
            ...(request.sorts ? { sorts: request.sorts } : {}),
            properties: CRM_PROPERTIES[type],
            limit: Math.min(request.limit, CRM_LIMITS.searchPage),
            ...(request.after ? { after: request.after } : {}),
          },
        },
      });
      const page = parseResponse(searchResponseSchema(type), body, `${SINGULAR[type]} search`);
      return { records: page.results.map((wire) => toCrmObject(type, wire)), after: page.paging?.next?.after ?? null, total: page.total };
    },
  };
}

/** Associations (v4 batch read). */
function associationReads(send: Send): ConnectorPart<'batchReadAssociations'> {
  return {
    async batchReadAssociations(fromType, toType, ids) {
      const found = new Map<string, { ids: string[]; primaryId: string | null }>();
      let inputs: { id: string; after?: string }[] = [...new Set(ids)].map((value) => ({ id: value }));
      // Each input pages on its own; the follow-up request carries only the unfinished ones.
      while (inputs.length > 0) {
        ensureBatch(
          inputs.map((input) => input.id),
          CRM_LIMITS.associationBatchRead,
          'association batch read',
        );
        let body: unknown;
        try {
          body = await send({
            method: 'POST',
            path: `/crm/v4/associations/${fromType}/${toType}/batch/read`,
            route: `POST /crm/v4/associations/{fromType}/{toType}/batch/read`,
            read: true,
            body: { json: { inputs } },
          });
        } catch (error) {
          if (isGatewayError(error) && error.code === 'NOT_FOUND') break;
          throw error;
        }
        const batch = parseResponse(
          associationBatchResponseSchema,
          body,
          `${SINGULAR[fromType]}-to-${SINGULAR[toType]} association batch read`,
        );
        // Inputs without links come back as OBJECT_NOT_FOUND (NO_ASSOCIATIONS_FOUND) errors in a 207.
        if ((batch.errors ?? []).some((error) => error.category !== 'OBJECT_NOT_FOUND')) {
          throw new GatewayError('UPSTREAM_UNAVAILABLE', 'HubSpot CRM could not read some associations', { service: 'crm' });
        }
        const next: { id: string; after: string }[] = [];
        for (const item of batch.results) {
          const entry = found.get(item.from.id) ?? { ids: [], primaryId: null };
          for (const link of item.to) {
            const primary = (link.associationTypes ?? []).some(
              (t) => t.label === 'Primary' || (t.category === 'HUBSPOT_DEFINED' && t.typeId != null && PRIMARY_TYPE_IDS.has(t.typeId)),
            );
            if (entry.ids.includes(link.toObjectId)) {
              if (primary && entry.primaryId === null) entry.primaryId = link.toObjectId;
              continue;
            }
            entry.ids.push(link.toObjectId);
            if (primary && entry.primaryId === null) entry.primaryId = link.toObjectId;
          }
          found.set(item.from.id, entry);
          const after = item.paging?.next?.after;
          if (after) next.push({ id: item.from.id, after });
        }
        inputs = next;
      }
      const out = new Map<string, CrmAssociations>();
      for (const [fromId, entry] of found) {
        const ids = entry.primaryId ? [entry.primaryId, ...entry.ids.filter((value) => value !== entry.primaryId)] : entry.ids;
        out.set(fromId, { ids, primaryId: entry.primaryId });
      }
      return out;
    },
  };
}

/** Owners: the directory's pages, and one by id (archived=true: deactivated ones). */
function ownerReads(send: Send): ConnectorPart<'listOwners' | 'getOwner'> {
  return {
    async listOwners({ limit, after }) {
      const body = await send({
        method: 'GET',
        path: '/crm/v3/owners',
        route: 'GET /crm/v3/owners',
        query: { limit: Math.min(limit, CRM_LIMITS.ownersPage), after, archived: false },
      });
      const page = parseResponse(ownersPageSchema, body, 'owner list');
      return { owners: page.results.map(toCrmOwner), after: page.paging?.next?.after ?? null };
    },

    async getOwner(ownerId, { archived = false } = {}) {
      let body: unknown;
      try {
        body = await send({
          method: 'GET',
          path: `/crm/v3/owners/${encodeURIComponent(ownerId)}`,
          route: 'GET /crm/v3/owners/{ownerId}',
          query: { archived },
        });
      } catch (error) {
        if (isGatewayError(error) && error.code === 'NOT_FOUND') return null;
        throw error;
      }
      return toCrmOwner(parseResponse(ownerSchema, body, 'owner'));
    },
  };
}

/** Creates, updates, archives, (dis)associations: never retried blindly (not idempotent). */
function objectWrites(
  write: (request: Request) => Promise<unknown>,
): ConnectorPart<'createObject' | 'updateObject' | 'archiveObject' | 'associate' | 'disassociate'> {
  return {
    async createObject(type, properties) {
      const body = await write({
        method: 'POST',
        path: `/crm/v3/objects/${type}`,
        route: 'POST /crm/v3/objects/{type}',
        body: { json: { properties } },
      });
      return parseResponse(createdSchema, body, `${SINGULAR[type]} create`).id;
    },

    async updateObject(type, id, properties) {
      await write({
        method: 'PATCH',
        path: `/crm/v3/objects/${type}/${encodeURIComponent(id)}`,
        route: 'PATCH /crm/v3/objects/{type}/{id}',
        body: { json: { properties } },
      });
    },

    async archiveObject(type, id) {
      await write({
        method: 'DELETE',
        path: `/crm/v3/objects/${type}/${encodeURIComponent(id)}`,
        route: 'DELETE /crm/v3/objects/{type}/{id}',
      });
    },

    async associate(fromType, fromId, toType, toId) {
      await write({
        method: 'PUT',
        path: `/crm/v4/objects/${fromType}/${encodeURIComponent(fromId)}/associations/default/${toType}/${encodeURIComponent(toId)}`,
        route: 'PUT /crm/v4/objects/{fromType}/{fromId}/associations/default/{toType}/{toId}',
      });
    },

    async disassociate(fromType, fromId, toType, toId) {
      await write({
        method: 'DELETE',
        path: `/crm/v4/objects/${fromType}/${encodeURIComponent(fromId)}/associations/${toType}/${encodeURIComponent(toId)}`,
        route: 'DELETE /crm/v4/objects/{type}/{id}/associations/{toType}/{toId}',
      });
    },
  };
}

const createdSchema = z.looseObject({ id: z.string().min(1) });

/** What the CRM loaders' parts share: resource tables, id checks, the types of a part's inputs. */
import type DataLoader from 'dataloader';
import type { ResourceCache } from '../../cache/types.ts';
import { GatewayError } from '../../errors.ts';
import type { CrmConnector, SearchRequest } from './client.ts';
import { CRM_RESOURCES } from './resources.ts';
import type { CrmAssociations, CrmObject, CrmObjectType } from './schemas.ts';

export const RECORD_RESOURCE = { contacts: CRM_RESOURCES.contact, companies: CRM_RESOURCES.company, deals: CRM_RESOURCES.deal } as const;
export const PAGE_RESOURCE = {
  contacts: CRM_RESOURCES.contactPage,
  companies: CRM_RESOURCES.companyPage,
  deals: CRM_RESOURCES.dealPage,
} as const;

/** Inline associations a plain list asks for, so linked fields need no association call. */
export const LIST_ASSOCIATIONS: Record<CrmObjectType, readonly CrmObjectType[]> = { contacts: ['companies'], companies: [], deals: [] };

/** HubSpot object ids are numeric strings; anything else cannot exist and costs no call. */
export const isObjectId = (id: string) => /^\d{1,20}$/.test(id);

/** What every part of the CRM loaders reads through: this request's connector and the shared cache. */
export interface CrmReadContext {
  connector: CrmConnector;
  cache: ResourceCache;
}

export type AssociationLoader = DataLoader<string, CrmAssociations | null>;
export type RecordLoaders = { [T in CrmObjectType]: DataLoader<string, CrmObject<T> | null> };

/** One page as HubSpot served it. `after` is the token that continues after the page. */
export interface PageRequest {
  limit: number;
  /** The vendor token to start after (list: HubSpot's opaque `after`; search: an offset). */
  after?: string;
  /** Absent: the plain list endpoint. Present: the search endpoint. */
  search?: Omit<SearchRequest, 'limit' | 'after'>;
}

export interface RecordPage<T> {
  records: T[];
  after: string | null;
  /** Search's `total`; null for the plain list, which has none. */
  total: number | null;
}

export interface PageEntry {
  ids: string[];
  after: string | null;
  total: number | null;
}

export function throwFirstError<T>(values: readonly (T | Error)[]): T[] {
  const failure = values.find((value): value is Error => value instanceof Error);
  if (failure) throw failure;
  return values as T[];
}

/**
 * An association batch read answers only about the ids it was sent, and leaves out those
 * without links, which reads as "no links". An answer about an id that was not asked for is
 * not that answer (a record id that came back mangled): taken at its word, the asked record's
 * links would read as none — a silent null. (Record reads are not checked: HubSpot answers a
 * merged contact's old id with the surviving record, under its own id.)
 */
export function assertAsked(asked: readonly string[], answered: Iterable<string>, what: string): void {
  const wanted = new Set(asked);
  for (const id of answered) {
    if (wanted.has(id)) continue;
    throw new GatewayError('UPSTREAM_BAD_RESPONSE', `HubSpot CRM answered a ${what} about a record it was not asked for`, {
      service: 'crm',
    });
  }
}

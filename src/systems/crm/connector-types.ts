/** The HubSpot CRM connector's interface and limits (the implementation: client.ts). */
import type { CrmAssociations, CrmObject, CrmObjectType, CrmOwner } from './schemas.ts';

export const CRM_LIMITS = {
  listPage: 100,
  batchRead: 100,
  searchPage: 200,
  searchFilterGroups: 5,
  searchFiltersPerGroup: 10,
  searchFiltersTotal: 25,
  searchResultWindow: 10_000,
  associationBatchRead: 1000,
  ownersPage: 500,
} as const;

export type SearchOperator =
  | 'EQ'
  | 'NEQ'
  | 'LT'
  | 'LTE'
  | 'GT'
  | 'GTE'
  | 'BETWEEN'
  | 'IN'
  | 'NOT_IN'
  | 'HAS_PROPERTY'
  | 'NOT_HAS_PROPERTY'
  | 'CONTAINS_TOKEN'
  | 'NOT_CONTAINS_TOKEN';

export interface SearchFilter {
  propertyName: string;
  operator: SearchOperator;
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface SearchSort {
  propertyName: string;
  direction: 'ASCENDING' | 'DESCENDING';
}

export interface SearchRequest {
  /** Groups are OR-ed, filters inside a group AND-ed. */
  filterGroups?: { filters: SearchFilter[] }[];
  /** Free text over the type's default searchable properties (names, email, domain, …). */
  query?: string;
  /** HubSpot sorts by one property per search. */
  sorts?: [SearchSort];
  limit: number;
  /** HubSpot's search `after` is an offset into the result list. */
  after?: string;
}

export interface ObjectPage<T extends CrmObjectType> {
  records: CrmObject<T>[];
  /** Token for the next page; null on the last page. */
  after: string | null;
}

export interface ListedPage<T extends CrmObjectType> extends ObjectPage<T> {
  /** Inline associations by record id and target type, for the types the list asked for. */
  associations: Map<string, Partial<Record<CrmObjectType, CrmAssociations>>>;
}

export interface SearchPage<T extends CrmObjectType> extends ObjectPage<T> {
  total: number;
}

export interface OwnersPage {
  owners: CrmOwner[];
  after: string | null;
}

export interface CrmConnectorOptions {
  /** Sent as `x-request-id` so an upstream call can be traced back to the GraphQL request. */
  requestId?: string;
  /** Cancels in-flight calls when the GraphQL request ends or passes its deadline. */
  signal?: AbortSignal;
}

export interface CrmConnector {
  /** A connector sending the same requests under another request id. */
  withRequestId(requestId: string): CrmConnector;
  listObjects<T extends CrmObjectType>(
    type: T,
    /** `archived: true` lists archived records only (HubSpot keeps them 90 days). */
    options: { limit: number; after?: string; associations?: readonly CrmObjectType[]; archived?: boolean },
  ): Promise<ListedPage<T>>;
  /**
   * GET /crm/v3/objects/{type}/{id}: one live record with the links asked for inline (the
   * batch read cannot inline them); null when HubSpot has no such live record.
   */
  getObject<T extends CrmObjectType>(
    type: T,
    id: string,
    options?: { associations?: readonly CrmObjectType[] },
  ): Promise<{ record: CrmObject<T>; associations: Partial<Record<CrmObjectType, CrmAssociations>> } | null>;
  /** Missing ids are simply absent from the result. */
  batchReadObjects<T extends CrmObjectType>(type: T, ids: readonly string[], options?: { idProperty?: string }): Promise<CrmObject<T>[]>;
  searchObjects<T extends CrmObjectType>(type: T, request: SearchRequest): Promise<SearchPage<T>>;
  /** Every association of each `from` id (all pages); ids without any are absent. */
  batchReadAssociations(fromType: CrmObjectType, toType: CrmObjectType, ids: readonly string[]): Promise<Map<string, CrmAssociations>>;
  listOwners(options: { limit: number; after?: string }): Promise<OwnersPage>;
  /** null when HubSpot has no such owner; `archived: true` looks among deactivated owners only. */
  getOwner(ownerId: string, options?: { archived?: boolean }): Promise<CrmOwner | null>;

  // --- writes (never retried by the shared layer: HubSpot takes no idempotency key) ---------
  /** POST /crm/v3/objects/{type}; answers the new record's id. */
  createObject(type: CrmObjectType, properties: Readonly<Record<string, string>>): Promise<string>;
  /** PATCH /crm/v3/objects/{type}/{id}; an empty string clears a property. */
  updateObject(type: CrmObjectType, id: string, properties: Readonly<Record<string, string>>): Promise<void>;
  /** DELETE /crm/v3/objects/{type}/{id} (HubSpot archives; restorable for 90 days). */
  archiveObject(type: CrmObjectType, id: string): Promise<void>;
  /** PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}: the unlabeled default link. */
  associate(fromType: CrmObjectType, fromId: string, toType: CrmObjectType, toId: string): Promise<void>;
  /** DELETE /crm/v4/objects/{from}/{id}/associations/{to}/{toId}: every link between the two. */
  disassociate(fromType: CrmObjectType, fromId: string, toType: CrmObjectType, toId: string): Promise<void>;
}

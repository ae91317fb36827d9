/**
 * Shapes of the HubSpot CRM v3/v4 responses the connector relies on, and the clean record
 * types the rest of the gateway sees (cached, and handed to resolvers as parents).
 *
 * The schemas are loose where HubSpot may grow (unknown fields, unknown enum values,
 * properties we did not ask for) and strict about what we read: ids, the `properties`
 * object and its value types, timestamps, association targets. A response that does not
 * fit becomes UPSTREAM_BAD_RESPONSE naming the resource and the failing field path, never
 * the body (which holds customer data).
 */
import { z } from 'zod';
import { GatewayError } from '../../errors.ts';
import { formatPath } from '../../upstream/response-path.ts';

/** HubSpot object types the gateway reads (deals are also addressable as `0-3`). */
export type CrmObjectType = 'contacts' | 'companies' | 'deals';

/**
 * Properties requested per object type. HubSpot returns only `firstname, lastname, email`
 * (contacts), `name, domain` (companies) or the deal basics unless told otherwise, so
 * every read names what the schema needs — and every source (list, search, batch read)
 * asks for the same set, so a cached record has the same shape wherever it came from.
 */
export const CRM_PROPERTIES = {
  contacts: ['email', 'firstname', 'lastname', 'phone', 'jobtitle', 'lifecyclestage', 'hubspot_owner_id', 'createdate', 'lastmodifieddate'],
  companies: [
    'name',
    'domain',
    'industry',
    'city',
    'country',
    'numberofemployees',
    'annualrevenue',
    'hubspot_owner_id',
    'createdate',
    'hs_lastmodifieddate',
  ],
  deals: [
    'dealname',
    'amount',
    // The ISO 4217 code `amount` is in; unset on deals in the portal's own currency.
    'deal_currency_code',
    'dealstage',
    'pipeline',
    'closedate',
    'hubspot_owner_id',
    'createdate',
    'hs_lastmodifieddate',
  ],
} as const satisfies Record<CrmObjectType, readonly string[]>;

type PropertyName<T extends CrmObjectType> = (typeof CRM_PROPERTIES)[T][number];

/** HubSpot sends every property value as a string, or null when it is unset. */
export type CrmProperties<T extends CrmObjectType> = { [P in PropertyName<T>]: string | null };

/** One HubSpot CRM object as the gateway keeps it: only the properties we read. */
export interface CrmObject<T extends CrmObjectType> {
  id: string;
  properties: CrmProperties<T>;
  /** ISO-8601, from the object envelope (`createdAt`/`updatedAt`), not the properties. */
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  /** ISO-8601, on archived records only. */
  archivedAt?: string;
}

export type CrmContact = CrmObject<'contacts'>;
export type CrmCompany = CrmObject<'companies'>;
export type CrmDeal = CrmObject<'deals'>;

/** HubSpot's default lifecycle stages; portals may add their own, so the type stays open. */
export type LifecycleStageValue =
  | 'subscriber'
  | 'lead'
  | 'marketingqualifiedlead'
  | 'salesqualifiedlead'
  | 'opportunity'
  | 'customer'
  | 'evangelist'
  | 'other'
  | (string & {});

/** Stages of HubSpot's default sales pipeline; custom pipelines bring their own ids. */
export type DealStageValue =
  | 'appointmentscheduled'
  | 'qualifiedtobuy'
  | 'presentationscheduled'
  | 'decisionmakerboughtin'
  | 'contractsent'
  | 'closedwon'
  | 'closedlost'
  | (string & {});

/** A HubSpot owner (a user who can own records), from `/crm/v3/owners`. */
export interface CrmOwner {
  /** The value records carry in `hubspot_owner_id`. */
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  /** The HubSpot user id (not usable for assigning ownership). */
  userId: number | null;
  type: 'PERSON' | 'QUEUE' | (string & {}) | null;
  createdAt: string | null;
  updatedAt: string | null;
  archived: boolean;
}

/** Links from one record to records of another type, primary first (HubSpot's "Primary" label). */
export interface CrmAssociations {
  ids: string[];
  /** The primary linked record (e.g. a contact's primary company), if HubSpot marks one. */
  primaryId: string | null;
}

// ---------------------------------------------------------------------------------------
// Wire schemas

const text = z.string().nullish();
const id = z.string().min(1);

function propertiesSchema(type: CrmObjectType) {
  return z.looseObject(Object.fromEntries(CRM_PROPERTIES[type].map((name) => [name, text])));
}

const inlineAssociationSchema = z.looseObject({
  results: z.array(z.looseObject({ id, type: z.string().nullish() })),
  paging: z.unknown().optional(),
});

function objectSchema(type: CrmObjectType) {
  return z.looseObject({
    id,
    properties: propertiesSchema(type),
    createdAt: z.string().min(1),
    updatedAt: z.string().min(1),
    archived: z.boolean().optional(),
    archivedAt: z.string().optional(),
    // Present when the read asked for `associations=companies` (and the record has any).
    associations: z.record(z.string(), inlineAssociationSchema).optional(),
  });
}

export const OBJECT_SCHEMAS = {
  contacts: objectSchema('contacts'),
  companies: objectSchema('companies'),
  deals: objectSchema('deals'),
} as const;

export type WireObject = z.output<(typeof OBJECT_SCHEMAS)[CrmObjectType]>;

const nextPageSchema = z.looseObject({ next: z.looseObject({ after: z.string().min(1) }).nullish() }).nullish();

/**
 * One schema per object type, built once: zod compiles a schema on its first parse, and
 * building one per response made that compilation a per-request cost.
 */
const perType = <S>(build: (type: CrmObjectType) => S): ((type: CrmObjectType) => S) => {
  const built = { contacts: build('contacts'), companies: build('companies'), deals: build('deals') };
  return (type) => built[type];
};

export const listResponseSchema = perType((type) => z.looseObject({ results: z.array(OBJECT_SCHEMAS[type]), paging: nextPageSchema }));

export const searchResponseSchema = perType((type) =>
  z.looseObject({ total: z.number().int().nonnegative(), results: z.array(OBJECT_SCHEMAS[type]), paging: nextPageSchema }),
);

const batchErrorSchema = z.looseObject({
  category: z.string().nullish(),
  context: z.looseObject({ ids: z.array(z.string()).nullish() }).nullish(),
});

export const batchReadResponseSchema = perType((type) =>
  z.looseObject({
    status: z.string().nullish(),
    results: z.array(OBJECT_SCHEMAS[type]),
    errors: z.array(batchErrorSchema).nullish(),
  }),
);

// v4 sends `toObjectId` as a JSON number (int64); the SDKs model it as a string.
const objectIdSchema = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

export const associationBatchResponseSchema = z.looseObject({
  status: z.string().nullish(),
  results: z.array(
    z.looseObject({
      from: z.looseObject({ id: objectIdSchema }),
      to: z.array(
        z.looseObject({
          toObjectId: objectIdSchema,
          associationTypes: z
            .array(z.looseObject({ category: z.string().nullish(), typeId: z.number().int().nullish(), label: z.string().nullish() }))
            .nullish(),
        }),
      ),
      paging: nextPageSchema,
    }),
  ),
  errors: z.array(batchErrorSchema).nullish(),
});

export type WireAssociationBatch = z.output<typeof associationBatchResponseSchema>;

export const ownerSchema = z.looseObject({
  id,
  email: text,
  firstName: text,
  lastName: text,
  userId: z.number().int().nullish(),
  type: text,
  createdAt: text,
  updatedAt: text,
  archived: z.boolean().optional(),
});

export const ownersPageSchema = z.looseObject({ results: z.array(ownerSchema), paging: nextPageSchema });

// ---------------------------------------------------------------------------------------
// Validation and clean-up

/**
 * Validates a response body. The error names the resource and the first failing path
 * (e.g. `results[3].id`); zod's own message could quote a received value, so it is not used.
 */
export function parseResponse<S extends z.ZodType>(schema: S, body: unknown, resource: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? formatPath(issue.path) : '(root)';
  return badResponse(resource, path, result.error);
}

function badResponse(resource: string, path: string, cause?: unknown): never {
  throw new GatewayError(
    'UPSTREAM_BAD_RESPONSE',
    `HubSpot CRM sent a ${resource} response that does not fit the expected shape at ${path}`,
    {
      service: 'crm',
      cause,
    },
  );
}

/** Keeps only the requested properties, with unset ones as null. */
export function toCrmObject<T extends CrmObjectType>(type: T, wire: WireObject): CrmObject<T> {
  const properties = {} as Record<string, string | null>;
  const source = wire.properties as Record<string, string | null | undefined>;
  for (const name of CRM_PROPERTIES[type]) properties[name] = source[name] ?? null;
  return {
    id: wire.id,
    properties: properties as CrmProperties<T>,
    createdAt: wire.createdAt,
    updatedAt: wire.updatedAt,
    archived: wire.archived ?? false,
    ...(wire.archivedAt ? { archivedAt: wire.archivedAt } : {}),
  };
}

export function toCrmOwner(wire: z.output<typeof ownerSchema>): CrmOwner {
  return {
    id: wire.id,
    email: wire.email ?? null,
    firstName: wire.firstName ?? null,
    lastName: wire.lastName ?? null,
    userId: wire.userId ?? null,
    type: wire.type ?? null,
    createdAt: wire.createdAt ?? null,
    updatedAt: wire.updatedAt ?? null,
    archived: wire.archived ?? false,
  };
}

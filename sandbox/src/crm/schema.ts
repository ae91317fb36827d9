/**
 * What HubSpot's CRM knows about its three standard objects: the path aliases, the
 * property definitions the emulator validates and searches by, the default property sets
 * and the HUBSPOT_DEFINED association types (typeIds from HubSpot's associations v4 docs).
 */
import { DEAL_STAGES, LIFECYCLE_STAGES } from '../world.ts';

export type CrmObjectType = 'contacts' | 'companies' | 'deals';

export const CRM_OBJECT_TYPES: readonly CrmObjectType[] = ['contacts', 'companies', 'deals'];

export const OBJECT_TYPE_IDS: Readonly<Record<CrmObjectType, string>> = { contacts: '0-1', companies: '0-2', deals: '0-3' };

/** Singular names, as webhooks (`contact.creation`) and error messages use them. */
export const SINGULAR: Readonly<Record<CrmObjectType, string>> = { contacts: 'contact', companies: 'company', deals: 'deal' };

const ALIASES: ReadonlyMap<string, CrmObjectType> = new Map([
  ['contacts', 'contacts'],
  ['contact', 'contacts'],
  ['0-1', 'contacts'],
  ['companies', 'companies'],
  ['company', 'companies'],
  ['0-2', 'companies'],
  ['deals', 'deals'],
  ['deal', 'deals'],
  ['0-3', 'deals'],
]);

/** HubSpot accepts the plural name, the singular name and the `0-n` object type id. */
export function resolveObjectType(raw: string): CrmObjectType | null {
  return ALIASES.get(raw.toLowerCase()) ?? null;
}

export type PropertyKind = 'string' | 'number' | 'datetime' | 'enumeration' | 'email';

export interface PropertyDef {
  kind: PropertyKind;
  /** Set by HubSpot itself; a write is rejected with READ_ONLY_VALUE. */
  readOnly?: boolean;
  /** Closed option set of an enumeration; absent = any value (e.g. the owner id, checked against owners). */
  options?: readonly string[];
}

const COMMON: Record<string, PropertyDef> = {
  hs_object_id: { kind: 'number', readOnly: true },
  createdate: { kind: 'datetime', readOnly: true },
  hubspot_owner_id: { kind: 'enumeration' },
};

export const LEAD_STATUSES = [
  'NEW',
  'OPEN',
  'IN_PROGRESS',
  'OPEN_DEAL',
  'UNQUALIFIED',
  'ATTEMPTED_TO_CONTACT',
  'CONNECTED',
  'BAD_TIMING',
] as const;

/** The currencies the emulated portal has turned on (HubSpot multi-currency); USD is its company currency. */
export const DEAL_CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'KWD'] as const;

/** Properties of one kind with nothing more to them (no options, writable), by name. */
function ofKind(kind: PropertyKind, names: readonly string[]): Record<string, PropertyDef> {
  return Object.fromEntries(names.map((name) => [name, { kind }]));
}

export const PROPERTIES: Readonly<Record<CrmObjectType, Readonly<Record<string, PropertyDef>>>> = {
  contacts: {
    ...COMMON,
    // Contacts alone keep the legacy name; companies and deals use hs_lastmodifieddate.
    lastmodifieddate: { kind: 'datetime', readOnly: true },
    ...ofKind('string', ['firstname', 'lastname', 'phone', 'jobtitle', 'company', 'website', 'city', 'country']),
    email: { kind: 'email' },
    lifecyclestage: { kind: 'enumeration', options: LIFECYCLE_STAGES },
    hs_lead_status: { kind: 'enumeration', options: LEAD_STATUSES },
  },
  companies: {
    ...COMMON,
    hs_lastmodifieddate: { kind: 'datetime', readOnly: true },
    ...ofKind('string', ['name', 'domain', 'website', 'phone', 'city', 'country', 'description']),
    ...ofKind('number', ['numberofemployees', 'annualrevenue']),
    industry: { kind: 'enumeration' },
    lifecyclestage: { kind: 'enumeration', options: LIFECYCLE_STAGES },
  },
  deals: {
    ...COMMON,
    hs_lastmodifieddate: { kind: 'datetime', readOnly: true },
    ...ofKind('string', ['dealname', 'description']),
    amount: { kind: 'number' },
    // The portal's currencies (multi-currency on, company currency USD); unset means USD.
    deal_currency_code: { kind: 'enumeration', options: DEAL_CURRENCIES },
    closedate: { kind: 'datetime' },
    pipeline: { kind: 'enumeration', options: ['default'] },
    dealstage: { kind: 'enumeration', options: DEAL_STAGES },
    dealtype: { kind: 'enumeration', options: ['newbusiness', 'existingbusiness'] },
  },
};

export const LAST_MODIFIED_PROPERTY: Readonly<Record<CrmObjectType, string>> = {
  contacts: 'lastmodifieddate',
  companies: 'hs_lastmodifieddate',
  deals: 'hs_lastmodifieddate',
};

/** Returned when a read names no properties. */
export const DEFAULT_PROPERTIES: Readonly<Record<CrmObjectType, readonly string[]>> = {
  contacts: ['firstname', 'lastname', 'email'],
  companies: ['name', 'domain'],
  deals: ['dealname', 'amount', 'closedate', 'pipeline', 'dealstage'],
};

/** HubSpot adds these to every read, whatever was asked for. */
export const ALWAYS_PROPERTIES: Readonly<Record<CrmObjectType, readonly string[]>> = {
  contacts: ['hs_object_id', 'createdate', 'lastmodifieddate'],
  companies: ['hs_object_id', 'createdate', 'hs_lastmodifieddate'],
  deals: ['hs_object_id', 'createdate', 'hs_lastmodifieddate'],
};

/** The properties a search `query` looks in ("default searchable properties"). */
export const QUERY_PROPERTIES: Readonly<Record<CrmObjectType, readonly string[]>> = {
  contacts: ['firstname', 'lastname', 'email', 'phone', 'company'],
  companies: ['name', 'domain', 'website', 'phone'],
  deals: ['dealname', 'pipeline', 'dealstage'],
};

/** Properties usable as `idProperty`: contact email is unique in HubSpot; company domain is our documented extension. */
export const ID_PROPERTIES: Readonly<Record<CrmObjectType, readonly string[]>> = {
  contacts: ['hs_object_id', 'email'],
  companies: ['hs_object_id', 'domain'],
  deals: ['hs_object_id'],
};

// ---------------------------------------------------------------------------------------
// Associations
// ---------------------------------------------------------------------------------------

/** Link flags stored on both ends of an association. A primary link is always also unlabeled, as in HubSpot. */
export const LINK_UNLABELED = 1;
export const LINK_PRIMARY = 2;

export interface AssociationTypeDef {
  typeId: number;
  from: CrmObjectType;
  to: CrmObjectType;
  /** Which link flag this type id stands for. */
  flag: typeof LINK_UNLABELED | typeof LINK_PRIMARY;
  /** The v3 inline name, e.g. `contact_to_company` (primary) or `contact_to_company_unlabeled`. */
  name: string;
  label: string | null;
}

const def = (
  typeId: number,
  from: CrmObjectType,
  to: CrmObjectType,
  flag: 1 | 2,
  name: string,
  label: string | null,
): AssociationTypeDef => ({
  typeId,
  from,
  to,
  flag,
  name,
  label,
});

export const ASSOCIATION_TYPES: readonly AssociationTypeDef[] = [
  def(1, 'contacts', 'companies', LINK_PRIMARY, 'contact_to_company', 'Primary'),
  def(279, 'contacts', 'companies', LINK_UNLABELED, 'contact_to_company_unlabeled', null),
  def(2, 'companies', 'contacts', LINK_PRIMARY, 'company_to_contact', 'Primary'),
  def(280, 'companies', 'contacts', LINK_UNLABELED, 'company_to_contact_unlabeled', null),
  def(3, 'deals', 'contacts', LINK_UNLABELED, 'deal_to_contact', null),
  def(4, 'contacts', 'deals', LINK_UNLABELED, 'contact_to_deal', null),
  def(5, 'deals', 'companies', LINK_PRIMARY, 'deal_to_company', 'Primary'),
  def(341, 'deals', 'companies', LINK_UNLABELED, 'deal_to_company_unlabeled', null),
  def(6, 'companies', 'deals', LINK_PRIMARY, 'company_to_deal', 'Primary'),
  def(342, 'companies', 'deals', LINK_UNLABELED, 'company_to_deal_unlabeled', null),
];

const BY_TYPE_ID = new Map(ASSOCIATION_TYPES.map((t) => [t.typeId, t]));

export function associationType(typeId: number): AssociationTypeDef | undefined {
  return BY_TYPE_ID.get(typeId);
}

/** The type ids a link with `flags` shows when read from `from` towards `to`, primary first. */
export function associationTypesOf(from: CrmObjectType, to: CrmObjectType, flags: number): AssociationTypeDef[] {
  const out: AssociationTypeDef[] = [];
  for (const t of ASSOCIATION_TYPES) {
    if (t.from === from && t.to === to && (flags & t.flag) !== 0) out.push(t);
  }
  return out.sort((a, b) => b.flag - a.flag);
}

/** Whether a primary link exists for this pair (a contact's or deal's primary company). */
export function hasPrimary(from: CrmObjectType, to: CrmObjectType): boolean {
  return ASSOCIATION_TYPES.some((t) => t.from === from && t.to === to && t.flag === LINK_PRIMARY);
}

/** The webhook `associationType`, e.g. `CONTACT_TO_COMPANY`. */
export function webhookAssociationType(from: CrmObjectType, to: CrmObjectType): string {
  return `${SINGULAR[from]}_TO_${SINGULAR[to]}`.toUpperCase();
}

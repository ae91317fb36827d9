/**
 * Resolvers for schemas/crm.graphql. They read only through `context.loaders.crm`; the
 * loaders own batching, caching and every upstream call, so a field here is a lookup and
 * a reshaping, never a request.
 */
import type { AssociationLoader, CrmLoaders, CrmObjectType } from '../../src/systems/crm/index.ts';
import { GatewayError } from '../../src/errors.ts';
import { ownerOfChatUser } from '../../src/links/owner-chat-user.ts';
import type { Resolvers } from '../../src/generated/crm.ts';
import { idListConnection, lazyIdListConnection, offsetConnection, pageSize, type PageArgs } from '../connection.ts';
import { DateTime } from '../scalars.ts';
import { dealValue } from './deal-value.ts';
import type { ChatUserParent, CustomerParent } from './parents.ts';
import {
  companySearch,
  contactSearch,
  crmConnection,
  DEAL_STAGES,
  dealSearch,
  hasContactConditions,
  LIFECYCLE_STAGES,
  orderCompanies,
  orderContacts,
  orderDeals,
  parseObjectId,
  toEnum,
} from './paging.ts';

const LABELS: Record<CrmObjectType | 'owners', string> = { contacts: 'contact', companies: 'company', deals: 'deal', owners: 'owner' };

function notFound(type: CrmObjectType | 'owners'): GatewayError {
  return new GatewayError('NOT_FOUND', `No CRM ${LABELS[type]} has this ID`, { service: 'crm' });
}

async function required<T>(value: Promise<T | null>, type: CrmObjectType | 'owners'): Promise<T> {
  const found = await value;
  if (found === null) throw notFound(type);
  return found;
}

/** Loaded records in order, missing ones left out; the first failure fails the field. */
function present<T>(values: readonly (T | null | Error)[]): T[] {
  const failure = values.find((value): value is Error => value instanceof Error);
  if (failure) throw failure;
  return values.filter((value): value is T => value !== null);
}

/**
 * For merge entry points: graphql-js reports an `Error` list item as an error at that
 * item's path, so one failed key does not null its neighbours.
 */
function perItem<T>(values: readonly (T | null | Error)[]): (T | null)[] {
  return values as (T | null)[];
}

async function linkedIds(loader: AssociationLoader, id: string, first?: number | null): Promise<string[]> {
  const links = await loader.load(id);
  const ids = links?.ids ?? [];
  return first === undefined ? ids : ids.slice(0, pageSize(first));
}

/** A record's associations, a page at a time (paging refused before the association read). */
function linkedConnection<T>(
  links: AssociationLoader,
  id: string,
  args: PageArgs,
  records: { loadMany(ids: readonly string[]): Promise<(T | null | Error)[]> },
) {
  return lazyIdListConnection(args, () => linkedIds(links, id), records);
}

async function primaryLinked<T>(links: AssociationLoader, id: string, records: { load(id: string): Promise<T | null> }): Promise<T | null> {
  const found = await links.load(id);
  const target = found?.primaryId ?? found?.ids[0];
  return target ? records.load(target) : null;
}

function owner(loaders: CrmLoaders, record: { properties: { hubspot_owner_id: string | null } }) {
  const id = record.properties.hubspot_owner_id;
  return id ? loaders.owners.load(id) : null;
}

/** HubSpot number properties are strings; unset or unparsable values read as null. */
function toNumber(raw: string | null): number | null {
  if (raw === null || raw.trim() === '') return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

function toInt(raw: string | null): number | null {
  const value = toNumber(raw);
  // GraphQL Int is 32-bit; a larger headcount would fail serialization for the whole field.
  return value === null || !Number.isInteger(value) || Math.abs(value) > 2 ** 31 - 1 ? null : value;
}

/** HubSpot date properties arrive as ISO strings or, from older writers, epoch ms. */
function toInstant(raw: string | null): Date | null {
  if (raw === null || raw.trim() === '') return null;
  const date = /^\d+$/.test(raw) ? new Date(Number(raw)) : new Date(raw);
  return Number.isNaN(date.getTime()) ? null : date;
}

export const crmResolvers: Resolvers = {
  DateTime,

  Query: {
    contact: (_root, { id }, { loaders }) => required(loaders.crm.contacts.load(id), 'contacts'),
    contactByEmail: (_root, { email }, { loaders }) => loaders.crm.contactByEmail(email),
    contacts: async (_root, { first, after, filter, orderBy }, { loaders }) => {
      if (!filter?.companyId)
        return crmConnection(loaders.crm.contactPage, { first, after }, orderContacts(contactSearch(filter), orderBy));
      // "At this company" is an association, not a property: read the company's contact
      // ids (one cached association read), then page over them or search within them.
      const companyId = parseObjectId('companyId', filter.companyId);
      const ids = await linkedIds(loaders.crm.companyContacts, companyId);
      // An order, like any other condition, makes it a search within them.
      if (!hasContactConditions(filter) && !orderBy)
        return idListConnection(ids, { first, after }, (page) => loaders.crm.contacts.loadMany(page));
      if (ids.length === 0) return idListConnection([], { first, after }, (page) => loaders.crm.contacts.loadMany(page));
      return crmConnection(loaders.crm.contactPage, { first, after }, orderContacts(contactSearch(filter, ids), orderBy));
    },
    company: (_root, { id }, { loaders }) => required(loaders.crm.companies.load(id), 'companies'),
    companies: (_root, { first, after, filter, orderBy }, { loaders }) =>
      crmConnection(loaders.crm.companyPage, { first, after }, orderCompanies(companySearch(filter), orderBy)),
    deal: (_root, { id }, { loaders }) => required(loaders.crm.deals.load(id), 'deals'),
    deals: (_root, { first, after, filter, orderBy }, { loaders }) =>
      crmConnection(loaders.crm.dealPage, { first, after }, orderDeals(dealSearch(filter), orderBy)),
    owner: (_root, { id }, { loaders }) => required(loaders.crm.owners.load(id), 'owners'),
    owners: async (_root, { first, after }, { loaders }) => offsetConnection(await loaders.crm.ownerDirectory(), { first, after }),

    _contactsByIds: async (_root, { ids }, { loaders }) => perItem(await loaders.crm.contacts.loadMany(ids)),
    _companiesByIds: async (_root, { ids }, { loaders }) => perItem(await loaders.crm.companies.loadMany(ids)),
    _dealsByIds: async (_root, { ids }, { loaders }) => perItem(await loaders.crm.deals.loadMany(ids)),
    _ownersByIds: async (_root, { ids }, { loaders }) => perItem(await loaders.crm.owners.loadMany(ids)),
    _crmCustomers: (_root, { keys }) =>
      keys.map((key): CustomerParent => ({ id: key.id, email: key.email ?? null, hubspotContactId: key.hubspotContactId ?? null })),
    _crmChatUsers: (_root, { keys }) => keys.map((key): ChatUserParent => ({ id: key.id, email: key.email ?? null })),
  },

  Contact: {
    firstName: (contact) => contact.properties.firstname,
    lastName: (contact) => contact.properties.lastname,
    email: (contact) => contact.properties.email,
    phone: (contact) => contact.properties.phone,
    jobTitle: (contact) => contact.properties.jobtitle,
    lifecycleStage: (contact) => toEnum(LIFECYCLE_STAGES, contact.properties.lifecyclestage, 'OTHER'),
    lifecycleStageRaw: (contact) => contact.properties.lifecyclestage || null,
    company: (contact, _args, { loaders }) => primaryLinked(loaders.crm.contactCompanies, contact.id, loaders.crm.companies),
    companies: async (contact, _args, { loaders }) =>
      present(await loaders.crm.companies.loadMany(await linkedIds(loaders.crm.contactCompanies, contact.id))),
    companiesConnection: async (contact, args, { loaders }) =>
      linkedConnection(loaders.crm.contactCompanies, contact.id, args, loaders.crm.companies),
    deals: async (contact, { first }, { loaders }) =>
      present(await loaders.crm.deals.loadMany(await linkedIds(loaders.crm.contactDeals, contact.id, first))),
    dealsConnection: async (contact, args, { loaders }) => linkedConnection(loaders.crm.contactDeals, contact.id, args, loaders.crm.deals),
    owner: (contact, _args, { loaders }) => owner(loaders.crm, contact),
  },

  Company: {
    name: (company) => company.properties.name,
    domain: (company) => company.properties.domain,
    industry: (company) => company.properties.industry,
    city: (company) => company.properties.city,
    country: (company) => company.properties.country,
    numberOfEmployees: (company) => toInt(company.properties.numberofemployees),
    annualRevenue: (company) => toNumber(company.properties.annualrevenue),
    contacts: async (company, { first }, { loaders }) =>
      present(await loaders.crm.contacts.loadMany(await linkedIds(loaders.crm.companyContacts, company.id, first))),
    contactsConnection: async (company, args, { loaders }) =>
      linkedConnection(loaders.crm.companyContacts, company.id, args, loaders.crm.contacts),
    contactIds: (company, _args, { loaders }) => linkedIds(loaders.crm.companyContacts, company.id),
    deals: async (company, { first }, { loaders }) =>
      present(await loaders.crm.deals.loadMany(await linkedIds(loaders.crm.companyDeals, company.id, first))),
    dealsConnection: async (company, args, { loaders }) => linkedConnection(loaders.crm.companyDeals, company.id, args, loaders.crm.deals),
    owner: (company, _args, { loaders }) => owner(loaders.crm, company),
  },

  Deal: {
    name: (deal) => deal.properties.dealname,
    amount: (deal) => toNumber(deal.properties.amount),
    value: (deal) => dealValue(deal),
    stage: (deal) => toEnum(DEAL_STAGES, deal.properties.dealstage, 'OTHER'),
    stageRaw: (deal) => deal.properties.dealstage || null,
    pipeline: (deal) => deal.properties.pipeline,
    closeDate: (deal) => toInstant(deal.properties.closedate),
    company: (deal, _args, { loaders }) => primaryLinked(loaders.crm.dealCompanies, deal.id, loaders.crm.companies),
    contacts: async (deal, _args, { loaders }) =>
      present(await loaders.crm.contacts.loadMany(await linkedIds(loaders.crm.dealContacts, deal.id))),
    contactsConnection: async (deal, args, { loaders }) => linkedConnection(loaders.crm.dealContacts, deal.id, args, loaders.crm.contacts),
    owner: (deal, _args, { loaders }) => owner(loaders.crm, deal),
  },

  Owner: {
    userId: (record) => (record.userId === null ? null : String(record.userId)),
    contacts: (record, { first, after }, { loaders }) =>
      crmConnection(loaders.crm.contactPage, { first, after }, contactSearch({ ownerId: record.id })),
  },

  Customer: {
    // The explicit cross-reference wins; the email is the fallback for customers created
    // outside the CRM flow (or pointing at a contact that has since been deleted).
    contact: async (customer, _args, { loaders }) => {
      if (customer.hubspotContactId) {
        const contact = await loaders.crm.contacts.load(customer.hubspotContactId);
        if (contact) return contact;
      }
      return customer.email ? loaders.crm.contactByEmail(customer.email) : null;
    },
  },

  ChatUser: {
    owner: (user, _args, { loaders }) => ownerOfChatUser(loaders, user),
  },
};

/**
 * What the CRM connector relies on of HubSpot, as data (see src/contracts/): CRM v3 for
 * records, owners, search and batch reads, CRM v4 for associations; per route the parameters
 * sent, the response fields read (listed from the validators in schemas.ts) and the public
 * fields they feed. HubSpot publishes no single document we keep a copy of, so `npm run
 * vendor:check` reports this contract as declared and checks nothing against it.
 */
import type { RouteContract, SystemContract } from '../../contracts/types.ts';
import {
  associationBatchResponseSchema,
  batchReadResponseSchema,
  CRM_PROPERTIES,
  listResponseSchema,
  OBJECT_SCHEMAS,
  ownerSchema,
  ownersPageSchema,
  searchResponseSchema,
  type CrmObjectType,
} from './schemas.ts';

type Reads = Record<string, readonly string[]>;

const TYPE_NAME = { contacts: 'Contact', companies: 'Company', deals: 'Deal' } as const satisfies Record<CrmObjectType, string>;
/** HubSpot's own name for the id parameter in each object's API reference. */
const ID_PARAM = { contacts: 'contactId', companies: 'companyId', deals: 'dealId' } as const satisfies Record<CrmObjectType, string>;

/** Property → public fields, for the properties `CRM_PROPERTIES` asks for (the others feed no field). */
const PROPERTY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'contacts.email': ['Contact.email', 'Contact.billingCustomer', 'Query.contactByEmail'],
  'contacts.firstname': ['Contact.firstName'],
  'contacts.lastname': ['Contact.lastName'],
  'contacts.phone': ['Contact.phone'],
  'contacts.jobtitle': ['Contact.jobTitle'],
  'contacts.lifecyclestage': ['Contact.lifecycleStage', 'Contact.lifecycleStageRaw'],
  'contacts.hubspot_owner_id': ['Contact.owner'],
  'companies.name': ['Company.name'],
  'companies.domain': ['Company.domain'],
  'companies.industry': ['Company.industry'],
  'companies.city': ['Company.city'],
  'companies.country': ['Company.country'],
  'companies.numberofemployees': ['Company.numberOfEmployees'],
  'companies.annualrevenue': ['Company.annualRevenue'],
  'companies.hubspot_owner_id': ['Company.owner'],
  'deals.dealname': ['Deal.name'],
  'deals.amount': ['Deal.amount', 'Deal.value'],
  'deals.deal_currency_code': ['Deal.value'],
  'deals.dealstage': ['Deal.stage', 'Deal.stageRaw'],
  'deals.pipeline': ['Deal.pipeline'],
  'deals.closedate': ['Deal.closeDate'],
  'deals.hubspot_owner_id': ['Deal.owner'],
};

function recordReads(type: CrmObjectType, prefix = ''): Reads {
  const name = TYPE_NAME[type];
  const reads: Reads = {
    [`${prefix}id`]: [`${name}.id`],
    [`${prefix}createdAt`]: [`${name}.createdAt`],
    [`${prefix}updatedAt`]: [`${name}.updatedAt`],
  };
  for (const property of CRM_PROPERTIES[type]) {
    const fields = PROPERTY_FIELDS[`${type}.${property}`];
    if (fields) reads[`${prefix}properties.${property}`] = fields;
  }
  return reads;
}

/** The public fields that read records of a type, by id or in pages. */
function recordFields(type: CrmObjectType): string[] {
  const name = TYPE_NAME[type];
  const root = {
    contacts: ['Query.contact', 'Query.contacts', 'Query.contactByEmail'],
    companies: ['Query.company', 'Query.companies'],
    deals: ['Query.deal', 'Query.deals'],
  };
  const links = {
    contacts: ['Company.contacts', 'Deal.contacts', 'Owner.contacts', 'Customer.contact'],
    companies: ['Contact.company', 'Contact.companies', 'Deal.company'],
    deals: ['Contact.deals', 'Company.deals'],
  };
  return [...root[type], ...links[type].filter((field) => !field.startsWith(`${name}.`))];
}

function objectRoutes(type: CrmObjectType): RouteContract[] {
  const base = `/crm/v3/objects/${type}`;
  const byId = `${base}/{${ID_PARAM[type]}}`;
  const graphql = recordFields(type);
  const inResults = recordReads(type, 'results[].');
  const write = `Mutation.${{ contacts: 'Contact', companies: 'Company', deals: 'Deal' }[type]}`;
  return [
    {
      route: `GET ${base}`,
      calls: 'listObjects (pages, catch-up)',
      params: ['limit', 'after', 'properties', 'associations', 'archived'],
      response: listResponseSchema(type),
      graphql,
      reads: { results: [], 'paging.next.after': [`${TYPE_NAME[type]}Connection.pageInfo`], ...inResults },
    },
    {
      route: `GET ${byId}`,
      calls: 'getObject',
      params: ['properties', 'associations', 'archived'],
      response: OBJECT_SCHEMAS[type],
      graphql,
      reads: recordReads(type),
    },
    {
      route: `POST ${base}/batch/read`,
      calls: 'batchReadObjects (records by id, by email)',
      params: ['inputs', 'properties', 'propertiesWithHistory', 'idProperty'],
      response: batchReadResponseSchema(type),
      graphql: [...graphql, 'Mutation.winDeal', 'Mutation.onboardCustomer'],
      reads: { results: [], ...inResults },
    },
    {
      route: `POST ${base}/search`,
      calls: 'searchObjects (filtered and sorted pages, catch-up)',
      params: ['filterGroups', 'query', 'sorts', 'properties', 'limit', 'after'],
      response: searchResponseSchema(type),
      graphql,
      reads: {
        total: [`${TYPE_NAME[type]}Connection.totalCount`],
        'paging.next.after': [`${TYPE_NAME[type]}Connection.pageInfo`],
        ...inResults,
      },
    },
    {
      route: `POST ${base}`,
      calls: 'createObject',
      params: ['properties'],
      response: null,
      graphql: [`${write.replace('Mutation.', 'Mutation.create')}`],
      reads: {},
    },
    {
      route: `PATCH ${byId}`,
      calls: 'updateObject',
      params: ['properties'],
      response: null,
      graphql: [`${write.replace('Mutation.', 'Mutation.update')}`],
      reads: {},
    },
    {
      route: `DELETE ${byId}`,
      calls: 'archiveObject',
      params: [],
      response: null,
      graphql: type === 'contacts' ? ['Mutation.archiveContact'] : [],
      reads: {},
    },
  ];
}

const associationRoutes: RouteContract[] = [
  {
    route: 'POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read',
    calls: 'batchReadAssociations',
    params: ['inputs'],
    response: associationBatchResponseSchema,
    graphql: [
      'Contact.company',
      'Contact.companies',
      'Contact.deals',
      'Company.contacts',
      'Company.deals',
      'Company.contactIds',
      'Deal.company',
      'Deal.contacts',
      'Mutation.winDeal',
    ],
    reads: {},
  },
  {
    route: 'PUT /crm/v4/objects/{objectType}/{objectId}/associations/default/{toObjectType}/{toObjectId}',
    calls: 'associate',
    params: [],
    response: null,
    graphql: ['Mutation.associate', 'Mutation.createContact', 'Mutation.createDeal'],
    reads: {},
  },
  {
    route: 'DELETE /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}',
    calls: 'disassociate',
    params: [],
    response: null,
    graphql: ['Mutation.disassociate'],
    reads: {},
  },
];

const OWNER: Reads = {
  id: ['Owner.id'],
  email: ['Owner.email', 'Owner.chatUser'],
  firstName: ['Owner.firstName'],
  lastName: ['Owner.lastName'],
  userId: ['Owner.userId'],
};

const ownerRoutes: RouteContract[] = [
  {
    route: 'GET /crm/v3/owners/',
    calls: 'listOwners (the cached directory)',
    params: ['limit', 'after', 'archived'],
    response: ownersPageSchema,
    graphql: ['Query.owners', 'Query.owner', 'Contact.owner', 'Company.owner', 'Deal.owner', 'ChatUser.owner'],
    reads: {
      results: [],
      'paging.next.after': [],
      ...Object.fromEntries(Object.entries(OWNER).map(([path, fields]) => [`results[].${path}`, fields])),
    },
  },
  {
    route: 'GET /crm/v3/owners/{ownerId}',
    calls: 'getOwner (deactivated owners)',
    params: ['archived'],
    response: ownerSchema,
    graphql: ['Contact.owner', 'Company.owner', 'Deal.owner'],
    reads: OWNER,
  },
];

export const crmContract: SystemContract = {
  system: 'crm',
  vendor: 'HubSpot',
  apiVersion: 'CRM API v3 (objects, search, batch read, owners) and v4 (associations)',
  document: null,
  routes: [...(['contacts', 'companies', 'deals'] as const).flatMap(objectRoutes), ...associationRoutes, ...ownerRoutes],
};

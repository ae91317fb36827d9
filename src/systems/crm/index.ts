/** The CRM system (HubSpot): `crmSystem`, its one entry for the gateway, and the types other layers read. */
import type { SystemModule } from '../system.ts';
import { crmFacts } from './facts.ts';
import { crmChangesSince } from './catch-up.ts';
import { createCrmConnector, type CrmConnector } from './client.ts';
import { invalidateCrm } from './invalidate.ts';
import { createCrmLoaders, type CrmLoaders, type CreateCrmLoadersOptions } from './loaders.ts';
import { hubspotProfile } from './profile.ts';
import { hubspotWebhook } from './webhook.ts';

export { classifyHubSpotResponse, hubspotProfile, hubspotRetryAfterMs } from './profile.ts';
export { crmContract } from './contract.ts';
export {
  CRM_LIMITS,
  createCrmConnector,
  type CrmConnector,
  type CrmConnectorOptions,
  type ListedPage,
  type ObjectPage,
  type OwnersPage,
  type SearchFilter,
  type SearchSort,
  type SearchOperator,
  type SearchPage,
  type SearchRequest,
} from './client.ts';
export { CRM_RESOURCES, CRM_TTL_SECONDS } from './resources.ts';
export { hubspotChanges, hubspotDedupeKey, hubspotPayload, type HubSpotEvent } from './webhook.ts';
export {
  createCrmLoaders,
  type AssociationLoader,
  type CreateCrmLoadersOptions,
  type CrmLoaders,
  type PageRequest,
  type RecordPage,
} from './loaders.ts';
export {
  CRM_PROPERTIES,
  type CrmAssociations,
  type CrmCompany,
  type CrmContact,
  type CrmDeal,
  type CrmObject,
  type CrmObjectType,
  type CrmOwner,
  type CrmProperties,
  type DealStageValue,
  type LifecycleStageValue,
} from './schemas.ts';

/** Callbacks the cross-system links hang on CRM reads. */
export type CrmHooks = Pick<CreateCrmLoadersOptions, 'onContactPage'>;

export const crmSystem: SystemModule<'crm', CrmConnector, CrmLoaders, undefined, CrmHooks> = {
  name: 'crm',
  facts: crmFacts,
  profile: hubspotProfile,
  createConnector: createCrmConnector,
  createLoaders: ({ connector, cache, requestId, hooks }) => createCrmLoaders({ connector, cache, requestId, ...hooks }),
  invalidate: invalidateCrm,
  webhook: hubspotWebhook,
  catchUp: crmChangesSince,
  responseCache: {
    types: { Contact: 'contact', Company: 'company', Deal: 'deal', Owner: 'owner' },
    fields: { 'Query.contacts': 'contactPage', 'Query.companies': 'companyPage', 'Query.deals': 'dealPage' },
  },
};

/** The system's writes (validation, the vendor calls, the change each publishes), for the mutations and the workflows. */
export * from './commands.ts';

/** The HubSpot CRM connector: vendor profile, typed client, per-request loaders. */
export { classifyHubSpotResponse, hubspotProfile, hubspotRetryAfterMs } from './profile.ts';
export {
  CRM_LIMITS,
  createCrmConnector,
  type CrmConnector,
  type CrmConnectorOptions,
  type ListedPage,
  type ObjectPage,
  type OwnersPage,
  type SearchFilter,
  type SearchOperator,
  type SearchPage,
  type SearchRequest,
} from './client.ts';
export {
  CRM_RESOURCES,
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

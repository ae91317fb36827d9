/**
 * graphql-codegen settings for the CRM subschema: resolver types for schemas/crm.graphql,
 * with HubSpot records as the parents of the types they back, written to src/generated/crm.ts.
 */
import { subschemaCodegen } from '../codegen.config.ts';

const records = '../systems/crm/index.ts';
const parents = '../../resolvers/crm/parents.ts';

export const crmCodegen = subschemaCodegen('crm', {
  Contact: `${records}#CrmContact`,
  Company: `${records}#CrmCompany`,
  Deal: `${records}#CrmDeal`,
  Owner: `${records}#CrmOwner`,
  Customer: `${parents}#CustomerParent`,
  ChatUser: `${parents}#ChatUserParent`,
  ContactConnection: `${parents}#ContactConnectionParent`,
  CompanyConnection: `${parents}#CompanyConnectionParent`,
  DealConnection: `${parents}#DealConnectionParent`,
  OwnerConnection: `${parents}#OwnerConnectionParent`,
  ContactEdge: `${parents}#EdgeParent<CrmContact>`,
  CompanyEdge: `${parents}#EdgeParent<CrmCompany>`,
  DealEdge: `${parents}#EdgeParent<CrmDeal>`,
  OwnerEdge: `${parents}#EdgeParent<CrmOwner>`,
});

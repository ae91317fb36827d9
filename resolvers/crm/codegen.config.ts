/**
 * graphql-codegen settings for the CRM subschema: resolver types for schemas/crm.graphql,
 * with HubSpot records as the parents of the types they back, written to src/generated/crm.ts.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

type GeneratesEntry = Exclude<CodegenConfig['generates'][string], unknown[]>;

const records = '../connectors/crm/schemas.ts';
const parents = '../../resolvers/crm/parents.ts';

export const crmCodegen: GeneratesEntry = {
  schema: 'schemas/crm.graphql',
  plugins: ['typescript', 'typescript-resolvers'],
  config: {
    // Paths are relative to the generated file, src/generated/crm.ts.
    contextType: '../context.ts#GatewayContext',
    mappers: {
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
    },
    useTypeImports: true,
    enumsAsTypes: true,
    // Resolvers may return Date objects, ISO strings or epoch ms; resolvers/scalars.ts serializes all three.
    scalars: { DateTime: { input: 'Date', output: 'Date | string | number' } },
  },
};

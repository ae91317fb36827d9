import type { CodegenConfig } from '@graphql-codegen/cli';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { billingCodegen } from './resolvers/billing/codegen.config.ts';
import { chatCodegen } from './resolvers/chat/codegen.config.ts';
import { crmCodegen } from './resolvers/crm/codegen.config.ts';
import type { SystemName } from './src/systems/facts.ts';

// One resolver-types file per subschema: each system's resolvers are typed against its own
// SDL, with its own mappers (vendor records as parents). Config lives next to the resolvers.
// Keyed by SystemName: a registered system does not type-check until its entry is here.
const SUBSCHEMA_TYPES: { readonly [S in SystemName]: Types.ConfiguredOutput } = {
  crm: crmCodegen,
  billing: billingCodegen,
  chat: chatCodegen,
};

const config: CodegenConfig = {
  overwrite: true,
  generates: Object.fromEntries(Object.entries(SUBSCHEMA_TYPES).map(([system, output]) => [`src/generated/${system}.ts`, output])),
};

export default config;

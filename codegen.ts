import type { CodegenConfig } from '@graphql-codegen/cli';
import { billingCodegen } from './resolvers/billing/codegen.config.ts';
import { chatCodegen } from './resolvers/chat/codegen.config.ts';
import { crmCodegen } from './resolvers/crm/codegen.config.ts';

// One resolver-types file per subschema: each system's resolvers are typed against its own
// SDL, with its own mappers (vendor records as parents). Config lives next to the resolvers.
const config: CodegenConfig = {
  overwrite: true,
  generates: {
    'src/generated/crm.ts': crmCodegen,
    'src/generated/billing.ts': billingCodegen,
    'src/generated/chat.ts': chatCodegen,
  },
};

export default config;

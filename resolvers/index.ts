/**
 * Every system's subschema, by system name: the table the stitching reads. It is keyed by
 * SystemName, so a system registered in src/systems/index.ts does not compile until its
 * subschema (resolvers/<system>/index.ts) is listed here.
 */
import type { SubschemaConfig } from '@graphql-tools/delegate';
import type { SystemName } from '../src/systems/facts.ts';
import { createBillingSubschema } from './billing/index.ts';
import { createChatSubschema } from './chat/index.ts';
import { createCrmSubschema } from './crm/index.ts';

export const SUBSCHEMAS: { readonly [S in SystemName]: () => SubschemaConfig } = {
  crm: createCrmSubschema,
  billing: createBillingSubschema,
  chat: createChatSubschema,
};

export { DateTime } from './scalars.ts';

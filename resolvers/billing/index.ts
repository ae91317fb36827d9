/**
 * The billing subschema: Stripe customers, invoices, subscriptions and charges, plus the
 * billing side of the cross-system links (Contact.billingCustomer / invoices /
 * subscriptions, Company.billingCustomers). The lead's stitching layer merges it with CRM
 * and chat through the `merge` config below; `_`-prefixed root fields are its entry points.
 */
import { billingMutations } from './mutations.ts';
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { CompanyKeyInput } from '../../src/generated/billing.ts';
import { billingResolvers } from './resolvers.ts';
import { byId, byIdAndEmail } from '../merge-keys.ts';
import { subschemaTypeDefs } from '../sdl.ts';

export { billingResolvers } from './resolvers.ts';
export { formatMoney, minorUnitExponent } from '../money.ts';
export type { BillingCompanyParent, BillingContactParent } from './parents.ts';

/** The executable billing schema on its own (tests run operations against it directly). */
export function createBillingSchema() {
  return makeExecutableSchema({
    typeDefs: subschemaTypeDefs('billing'),
    resolvers: [billingResolvers, { Mutation: billingMutations }],
  });
}

export function createBillingSubschema(): SubschemaConfig {
  return {
    schema: createBillingSchema(),
    batch: true,
    merge: {
      // Owned types: stitching batches every Customer/Invoice reference at one level into one call.
      Customer: byId('_customersByIds'),
      Invoice: byId('_invoicesByIds'),
      // Extended CRM types: the contact's id and email drive the link rule; a company's
      // customers are those linked by metadata to any of its contacts.
      Contact: byIdAndEmail('_billingContacts'),
      Company: {
        selectionSet: '{ id contactIds }',
        fieldName: '_billingCompanies',
        // contactIds is an error in place of the list when the CRM failed to read it.
        key: ({ id, contactIds }: { id: string; contactIds?: unknown }): CompanyKeyInput => ({
          id,
          contactIds: Array.isArray(contactIds) ? [...(contactIds as string[])] : null,
        }),
        argsFromKeys: (keys: readonly CompanyKeyInput[]) => ({ keys }),
      },
    },
  };
}

/**
 * Resolver types for the billing subschema (`src/generated/billing.ts`). Parents are the
 * parsed Stripe records the loaders return, so resolvers read vendor fields directly.
 */
import { subschemaCodegen } from '../codegen.config.ts';

export const billingCodegen = subschemaCodegen('billing', {
  Customer: '../systems/billing/index.ts#StripeCustomer',
  Invoice: '../systems/billing/index.ts#StripeInvoice',
  InvoiceLineItem: '../systems/billing/index.ts#StripeLineItem',
  BillingSubscription: '../systems/billing/index.ts#StripeSubscription',
  SubscriptionItem: '../systems/billing/index.ts#StripeSubscriptionItem',
  Charge: '../systems/billing/index.ts#StripeCharge',
  Contact: '../../resolvers/billing/parents.ts#BillingContactParent',
  Company: '../../resolvers/billing/parents.ts#BillingCompanyParent',
});

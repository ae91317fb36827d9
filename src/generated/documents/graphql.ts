/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Stages of HubSpot's default sales pipeline. */
export type DealStage =
  /** A first meeting is booked (`appointmentscheduled`). */
  | 'APPOINTMENT_SCHEDULED'
  /** Lost: the opportunity ended without a sale (`closedlost`). */
  | 'CLOSED_LOST'
  /** Won: the customer signed (`closedwon`). */
  | 'CLOSED_WON'
  /** A contract has been sent (`contractsent`). */
  | 'CONTRACT_SENT'
  /** The decision maker has agreed to buy (`decisionmakerboughtin`). */
  | 'DECISION_MAKER_BOUGHT_IN'
  /** A stage this API does not know (a custom pipeline's stage, or one HubSpot added later): see `stageRaw`. As a filter: any stage not listed above. */
  | 'OTHER'
  /** A presentation or demo is booked (`presentationscheduled`). */
  | 'PRESENTATION_SCHEDULED'
  /** The prospect is qualified to buy (`qualifiedtobuy`). */
  | 'QUALIFIED_TO_BUY';

/** The lifecycle status of an invoice (Stripe `invoice.status`). */
export type InvoiceStatus =
  /** Being prepared; not yet sent and not yet payable. */
  | 'DRAFT'
  /** Finalized and awaiting payment. */
  | 'OPEN'
  /** A status Stripe added after this API was written; `statusRaw` holds Stripe's value. */
  | 'OTHER'
  /** Paid in full. */
  | 'PAID'
  /** Finalized but judged unlikely to be paid; still payable. */
  | 'UNCOLLECTIBLE'
  /** Canceled; nothing is owed. */
  | 'VOID';

/** Where a contact stands in the funnel: HubSpot's default lifecycle stages. */
export type LifecycleStage =
  /** Has closed at least one deal (`customer`). */
  | 'CUSTOMER'
  /** A customer who advocates for the company (`evangelist`). */
  | 'EVANGELIST'
  /** Showed interest beyond subscribing (`lead`). */
  | 'LEAD'
  /** Qualified by marketing as ready for sales follow-up (`marketingqualifiedlead`). */
  | 'MARKETING_QUALIFIED_LEAD'
  /** Has an open deal (`opportunity`). */
  | 'OPPORTUNITY'
  /** HubSpot's `other` stage, or a stage this API does not know (a custom stage or one HubSpot added later): see `lifecycleStageRaw`. As a filter: any stage not listed above, plus `other`. */
  | 'OTHER'
  /** Accepted by sales as a potential customer (`salesqualifiedlead`). */
  | 'SALES_QUALIFIED_LEAD'
  /** Subscribed to content, e.g. a newsletter (`subscriber`). */
  | 'SUBSCRIBER';

/** The state of a subscription (Stripe `subscription.status`). */
export type SubscriptionStatus =
  /** In good standing and billing normally. */
  | 'ACTIVE'
  /** Ended; it will not bill again. */
  | 'CANCELED'
  /** Created, but the first payment has not succeeded yet (it has 23 hours). */
  | 'INCOMPLETE'
  /** The first payment never succeeded; the subscription was abandoned. */
  | 'INCOMPLETE_EXPIRED'
  /** A status Stripe added after this API was written; `statusRaw` holds Stripe's value. */
  | 'OTHER'
  /** The latest invoice is unpaid and Stripe is retrying payment. */
  | 'PAST_DUE'
  /** Billing is paused (a trial ended without a payment method). */
  | 'PAUSED'
  /** In a free trial period. */
  | 'TRIALING'
  /** Payment retries are exhausted and the invoices are left unpaid; service should be suspended. */
  | 'UNPAID';

/** How a cross-system write ended. */
export type WorkflowStatus =
  /** A step failed; earlier steps were compensated where possible (see each step's status). */
  | 'FAILED'
  /** A step was sent but its outcome is unknown (WRITE_OUTCOME_UNKNOWN); retry with the same idempotency key to settle it. */
  | 'OUTCOME_UNKNOWN'
  /** Every step succeeded. */
  | 'SUCCEEDED';

/** What happened to one step. */
export type WorkflowStepStatus =
  /** Succeeded, then undone because a later step failed. */
  | 'COMPENSATED'
  | 'FAILED'
  /** Succeeded and could not be undone (or undoing failed): an operator must look at it. */
  | 'NEEDS_ATTENTION'
  /** Sent, outcome unknown: a retry with the same key settles it. */
  | 'OUTCOME_UNKNOWN'
  /** Not run (an earlier step failed). */
  | 'PENDING'
  | 'SUCCEEDED';

export type AuditLogQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type AuditLogQuery = { auditLog: { nodes: Array<{ id: string, startedAt: unknown, principal: string, operation: string, idempotencyKey: string | null, outcome: string, errorCode: string | null, requestId: string | null, upstream: string, inputs: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type ChannelMessagesQueryVariables = Exact<{ [key: string]: never; }>;


export type ChannelMessagesQuery = { channels: { nodes: Array<{ id: string, name: string | null, isMember: boolean | null, messages: { nodes: Array<{ ts: string, text: string, postedAt: unknown, user: { name: string, owner: { email: string | null } | null } | null }> } | null }> } | null };

export type ContactByIdQueryVariables = Exact<{
  id?: string | number;
}>;


export type ContactByIdQuery = { contact: { id: string, firstName: string | null, lastName: string | null, email: string | null, company: { id: string, name: string | null, domain: string | null, industry: string | null } | null, deals: Array<{ id: string, name: string | null, stage: DealStage | null, amount: number | null, closeDate: unknown }> | null, owner: { email: string | null, chatUser: { name: string, mention: string } | null } | null, billingCustomer: { id: string, email: string | null, subscriptions: Array<{ id: string, status: SubscriptionStatus }> | null } | null, invoices: Array<{ id: string, number: string | null, status: InvoiceStatus, total: { formatted: string } }> | null } | null };

export type CustomerWithContactQueryVariables = Exact<{ [key: string]: never; }>;


export type CustomerWithContactQuery = { customers: { nodes: Array<{ id: string, email: string | null, hubspotContactId: string | null, contact: { id: string, firstName: string | null, lastName: string | null, company: { name: string | null } | null } | null }> } | null };

export type LiveContactChangedSubscriptionVariables = Exact<{
  id?: string | number | null | undefined;
}>;


export type LiveContactChangedSubscription = { contactChanged: { id: string, firstName: string | null, lastName: string | null, email: string | null, owner: { email: string | null, chatUser: { name: string } | null } | null, billingCustomer: { id: string, email: string | null } | null, invoices: Array<{ id: string, status: InvoiceStatus, total: { formatted: string } }> | null } | null };

export type OnboardCustomerMutationVariables = Exact<{
  idempotencyKey?: string;
  email?: string;
}>;


export type OnboardCustomerMutation = { onboardCustomer: { status: WorkflowStatus, replayed: boolean, contactId: string | null, customerId: string | null, steps: Array<{ name: string, status: WorkflowStepStatus, compensation: string | null, upstreamIds: Array<{ name: string, value: string }> }> } };

export type OpenDealsByStageQueryVariables = Exact<{
  stage?: DealStage | null | undefined;
}>;


export type OpenDealsByStageQuery = { deals: { totalCount: number | null, nodes: Array<{ id: string, name: string | null, closeDate: unknown, value: { amount: number, currency: string, formatted: string } | null, company: { name: string | null } | null, owner: { email: string | null, chatUser: { name: string } | null } | null }> } | null };

export type W1ContactsWithLinksQueryVariables = Exact<{ [key: string]: never; }>;


export type W1ContactsWithLinksQuery = { contacts: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, firstName: string | null, lastName: string | null, email: string | null, lifecycleStage: LifecycleStage | null, company: { id: string, name: string | null, domain: string | null } | null, owner: { id: string, email: string | null, firstName: string | null, lastName: string | null, chatUser: { id: string, name: string, displayName: string | null } | null } | null, billingCustomer: { id: string, email: string | null, name: string | null, invoices: Array<{ id: string, number: string | null, status: InvoiceStatus, dueDate: unknown, amountDue: { amount: number, currency: string, formatted: string } }> | null } | null }> } | null };

export type WinDealMutationVariables = Exact<{
  idempotencyKey?: string;
  dealId?: string | number;
}>;


export type WinDealMutation = { winDeal: { status: WorkflowStatus, replayed: boolean, invoiceId: string | null, error: { code: string, message: string, step: string | null } | null, steps: Array<{ name: string, system: string, status: WorkflowStepStatus, compensation: string | null, upstreamIds: Array<{ name: string, value: string }>, error: { code: string, message: string } | null }> } };

export type WriteSingleSystemMutationVariables = Exact<{
  email?: string;
  dealId?: string | number;
}>;


export type WriteSingleSystemMutation = { createContact: { id: string, email: string | null, lifecycleStage: LifecycleStage | null }, updateDeal: { id: string, stage: DealStage | null, updatedAt: unknown }, postMessage: { ts: string, text: string, postedAt: unknown } };


export const AuditLogDocument = {"__meta__":{"hash":"sha256:3d9c6a2b4901d1606fd05fdbd73cac51bafbf21f7707e2650e5d537483190965"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditLog"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"20"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditLog"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"principal"}},{"kind":"Field","name":{"kind":"Name","value":"operation"}},{"kind":"Field","name":{"kind":"Name","value":"idempotencyKey"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"upstream"}},{"kind":"Field","name":{"kind":"Name","value":"inputs"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<AuditLogQuery, AuditLogQueryVariables>;
export const ChannelMessagesDocument = {"__meta__":{"hash":"sha256:3c2b4beefba9c1f4f109824058eb09a69109efe0a86cc39d1cf70db80c8975b0"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ChannelMessages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"channels"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"isMember"}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ts"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"postedAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ChannelMessagesQuery, ChannelMessagesQueryVariables>;
export const ContactByIdDocument = {"__meta__":{"hash":"sha256:c09198d0c91c00397ae84559d6fc90515f90775c6bf8e9e6bcb545e6265741d1"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ContactById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},"defaultValue":{"kind":"StringValue","value":"10000001","block":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contact"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"company"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"industry"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"stage"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"closeDate"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"chatUser"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"mention"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"billingCustomer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"subscriptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"invoices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ContactByIdQuery, ContactByIdQueryVariables>;
export const CustomerWithContactDocument = {"__meta__":{"hash":"sha256:0e5105cdbab9e5fd2a6a41412df025121fab2d50b64eb05317ac191cfb359954"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CustomerWithContact"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customers"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"hubspotContactId"}},{"kind":"Field","name":{"kind":"Name","value":"contact"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"company"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CustomerWithContactQuery, CustomerWithContactQueryVariables>;
export const LiveContactChangedDocument = {"__meta__":{"hash":"sha256:273bba9dd6c38679c2f694f9c6239a2a6d01bd530fc675e1fed6a501d4240b05"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveContactChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}},"defaultValue":{"kind":"StringValue","value":"10000001","block":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contactChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"chatUser"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"billingCustomer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"invoices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}}]}}]}}]}}]} as unknown as DocumentNode<LiveContactChangedSubscription, LiveContactChangedSubscriptionVariables>;
export const OnboardCustomerDocument = {"__meta__":{"hash":"sha256:f1b706a72d135d9bc7f0e6fe4d73eeb11be9622df50bee58ea3d76be6edc77a3"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OnboardCustomer"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},"defaultValue":{"kind":"StringValue","value":"demo-onboard-0001","block":false}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},"defaultValue":{"kind":"StringValue","value":"new.customer@example.com","block":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"onboardCustomer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}}},{"kind":"Argument","name":{"kind":"Name","value":"contact"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"firstName"},"value":{"kind":"StringValue","value":"Nova","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"lastName"},"value":{"kind":"StringValue","value":"Customer","block":false}}]}},{"kind":"Argument","name":{"kind":"Name","value":"plan"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"priceId"},"value":{"kind":"StringValue","value":"price_growth_monthly","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"quantity"},"value":{"kind":"IntValue","value":"3"}}]}},{"kind":"Argument","name":{"kind":"Name","value":"notify"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"channel"},"value":{"kind":"StringValue","value":"#customer-success","block":false}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"compensation"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamIds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"contactId"},"name":{"kind":"Name","value":"upstreamId"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"StringValue","value":"contactId","block":false}}]},{"kind":"Field","alias":{"kind":"Name","value":"customerId"},"name":{"kind":"Name","value":"upstreamId"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"StringValue","value":"customerId","block":false}}]}]}}]}}]} as unknown as DocumentNode<OnboardCustomerMutation, OnboardCustomerMutationVariables>;
export const OpenDealsByStageDocument = {"__meta__":{"hash":"sha256:72f879838fa302389af3c45014703071bd543c6d02e756f6ab083a8a574af648"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpenDealsByStage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"stage"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DealStage"}},"defaultValue":{"kind":"EnumValue","value":"CONTRACT_SENT"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deals"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"stage"},"value":{"kind":"Variable","name":{"kind":"Name","value":"stage"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"closeDate"}},{"kind":"Field","name":{"kind":"Name","value":"company"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"chatUser"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<OpenDealsByStageQuery, OpenDealsByStageQueryVariables>;
export const W1ContactsWithLinksDocument = {"__meta__":{"hash":"sha256:b11e30909f3fda344e19ffca3c7937590b95147f12eb7d40b7bb19746b101e98"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"W1ContactsWithLinks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contacts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"lifecycleStage"}},{"kind":"Field","name":{"kind":"Name","value":"company"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"chatUser"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"billingCustomer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"invoices"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"EnumValue","value":"OPEN"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"amountDue"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dueDate"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<W1ContactsWithLinksQuery, W1ContactsWithLinksQueryVariables>;
export const WinDealDocument = {"__meta__":{"hash":"sha256:b0a5d949d2b5dc1a0cd2aaa87736f2f8d6cb66c43bc4c6484c4c384641bc6e48"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"WinDeal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},"defaultValue":{"kind":"StringValue","value":"demo-win-deal-0001","block":false}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"dealId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},"defaultValue":{"kind":"StringValue","value":"30000001","block":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"winDeal"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}}},{"kind":"Argument","name":{"kind":"Name","value":"dealId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"dealId"}}},{"kind":"Argument","name":{"kind":"Name","value":"invoice"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"currency"},"value":{"kind":"StringValue","value":"usd","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"daysUntilDue"},"value":{"kind":"IntValue","value":"30"}}]}},{"kind":"Argument","name":{"kind":"Name","value":"notify"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"channel"},"value":{"kind":"StringValue","value":"#deals-won","block":false}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"step"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"system"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"compensation"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamIds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"invoiceId"},"name":{"kind":"Name","value":"upstreamId"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"StringValue","value":"invoiceId","block":false}}]}]}}]}}]} as unknown as DocumentNode<WinDealMutation, WinDealMutationVariables>;
export const WriteSingleSystemDocument = {"__meta__":{"hash":"sha256:0a65a3b86f836ed45f690f5b1902eada55e3f4f3859b8b807bd128ad13cac074"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"WriteSingleSystem"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},"defaultValue":{"kind":"StringValue","value":"ada.writes@example.com","block":false}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"dealId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},"defaultValue":{"kind":"StringValue","value":"30000002","block":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createContact"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"firstName"},"value":{"kind":"StringValue","value":"Ada","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"lastName"},"value":{"kind":"StringValue","value":"Writes","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"lifecycleStage"},"value":{"kind":"EnumValue","value":"LEAD"}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"lifecycleStage"}}]}},{"kind":"Field","name":{"kind":"Name","value":"updateDeal"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"dealId"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"stage"},"value":{"kind":"EnumValue","value":"CONTRACT_SENT"}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"stage"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"postMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"channel"},"value":{"kind":"StringValue","value":"#general","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"text"},"value":{"kind":"StringValue","value":"Hello from Switchboard","block":false}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ts"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"postedAt"}}]}}]}}]} as unknown as DocumentNode<WriteSingleSystemMutation, WriteSingleSystemMutationVariables>;
/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
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

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const AuditLogDocument = new TypedDocumentString(`
    query AuditLog($first: Int = 20, $after: String) {
  auditLog(first: $first, after: $after) {
    nodes {
      id
      startedAt
      principal
      operation
      idempotencyKey
      outcome
      errorCode
      requestId
      upstream
      inputs
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:3d9c6a2b4901d1606fd05fdbd73cac51bafbf21f7707e2650e5d537483190965"}) as unknown as TypedDocumentString<AuditLogQuery, AuditLogQueryVariables>;
export const ChannelMessagesDocument = new TypedDocumentString(`
    query ChannelMessages {
  channels(first: 1) {
    nodes {
      id
      name
      isMember
      messages(first: 10) {
        nodes {
          ts
          text
          postedAt
          user {
            name
            owner {
              email
            }
          }
        }
      }
    }
  }
}
    `, {"hash":"sha256:3c2b4beefba9c1f4f109824058eb09a69109efe0a86cc39d1cf70db80c8975b0"}) as unknown as TypedDocumentString<ChannelMessagesQuery, ChannelMessagesQueryVariables>;
export const ContactByIdDocument = new TypedDocumentString(`
    query ContactById($id: ID! = "10000001") {
  contact(id: $id) {
    id
    firstName
    lastName
    email
    company {
      id
      name
      domain
      industry
    }
    deals {
      id
      name
      stage
      amount
      closeDate
    }
    owner {
      email
      chatUser {
        name
        mention
      }
    }
    billingCustomer {
      id
      email
      subscriptions {
        id
        status
      }
    }
    invoices {
      id
      number
      status
      total {
        formatted
      }
    }
  }
}
    `, {"hash":"sha256:c09198d0c91c00397ae84559d6fc90515f90775c6bf8e9e6bcb545e6265741d1"}) as unknown as TypedDocumentString<ContactByIdQuery, ContactByIdQueryVariables>;
export const CustomerWithContactDocument = new TypedDocumentString(`
    query CustomerWithContact {
  customers(first: 10) {
    nodes {
      id
      email
      hubspotContactId
      contact {
        id
        firstName
        lastName
        company {
          name
        }
      }
    }
  }
}
    `, {"hash":"sha256:0e5105cdbab9e5fd2a6a41412df025121fab2d50b64eb05317ac191cfb359954"}) as unknown as TypedDocumentString<CustomerWithContactQuery, CustomerWithContactQueryVariables>;
export const LiveContactChangedDocument = new TypedDocumentString(`
    subscription LiveContactChanged($id: ID = "10000001") {
  contactChanged(id: $id) {
    id
    firstName
    lastName
    email
    owner {
      email
      chatUser {
        name
      }
    }
    billingCustomer {
      id
      email
    }
    invoices {
      id
      status
      total {
        formatted
      }
    }
  }
}
    `, {"hash":"sha256:273bba9dd6c38679c2f694f9c6239a2a6d01bd530fc675e1fed6a501d4240b05"}) as unknown as TypedDocumentString<LiveContactChangedSubscription, LiveContactChangedSubscriptionVariables>;
export const OnboardCustomerDocument = new TypedDocumentString(`
    mutation OnboardCustomer($idempotencyKey: String! = "demo-onboard-0001", $email: String! = "new.customer@example.com") {
  onboardCustomer(
    idempotencyKey: $idempotencyKey
    contact: {email: $email, firstName: "Nova", lastName: "Customer"}
    plan: {priceId: "price_growth_monthly", quantity: 3}
    notify: {channel: "#customer-success"}
  ) {
    status
    replayed
    steps {
      name
      status
      compensation
      upstreamIds {
        name
        value
      }
    }
    contactId: upstreamId(name: "contactId")
    customerId: upstreamId(name: "customerId")
  }
}
    `, {"hash":"sha256:f1b706a72d135d9bc7f0e6fe4d73eeb11be9622df50bee58ea3d76be6edc77a3"}) as unknown as TypedDocumentString<OnboardCustomerMutation, OnboardCustomerMutationVariables>;
export const OpenDealsByStageDocument = new TypedDocumentString(`
    query OpenDealsByStage($stage: DealStage = CONTRACT_SENT) {
  deals(first: 20, filter: {stage: $stage}) {
    totalCount
    nodes {
      id
      name
      value {
        amount
        currency
        formatted
      }
      closeDate
      company {
        name
      }
      owner {
        email
        chatUser {
          name
        }
      }
    }
  }
}
    `, {"hash":"sha256:72f879838fa302389af3c45014703071bd543c6d02e756f6ab083a8a574af648"}) as unknown as TypedDocumentString<OpenDealsByStageQuery, OpenDealsByStageQueryVariables>;
export const W1ContactsWithLinksDocument = new TypedDocumentString(`
    query W1ContactsWithLinks {
  contacts(first: 50) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      firstName
      lastName
      email
      lifecycleStage
      company {
        id
        name
        domain
      }
      owner {
        id
        email
        firstName
        lastName
        chatUser {
          id
          name
          displayName
        }
      }
      billingCustomer {
        id
        email
        name
        invoices(status: OPEN) {
          id
          number
          status
          amountDue {
            amount
            currency
            formatted
          }
          dueDate
        }
      }
    }
  }
}
    `, {"hash":"sha256:b11e30909f3fda344e19ffca3c7937590b95147f12eb7d40b7bb19746b101e98"}) as unknown as TypedDocumentString<W1ContactsWithLinksQuery, W1ContactsWithLinksQueryVariables>;
export const WinDealDocument = new TypedDocumentString(`
    mutation WinDeal($idempotencyKey: String! = "demo-win-deal-0001", $dealId: ID! = "30000001") {
  winDeal(
    idempotencyKey: $idempotencyKey
    dealId: $dealId
    invoice: {currency: "usd", daysUntilDue: 30}
    notify: {channel: "#deals-won"}
  ) {
    status
    replayed
    error {
      code
      message
      step
    }
    steps {
      name
      system
      status
      compensation
      upstreamIds {
        name
        value
      }
      error {
        code
        message
      }
    }
    invoiceId: upstreamId(name: "invoiceId")
  }
}
    `, {"hash":"sha256:b0a5d949d2b5dc1a0cd2aaa87736f2f8d6cb66c43bc4c6484c4c384641bc6e48"}) as unknown as TypedDocumentString<WinDealMutation, WinDealMutationVariables>;
export const WriteSingleSystemDocument = new TypedDocumentString(`
    mutation WriteSingleSystem($email: String! = "ada.writes@example.com", $dealId: ID! = "30000002") {
  createContact(
    input: {email: $email, firstName: "Ada", lastName: "Writes", lifecycleStage: LEAD}
  ) {
    id
    email
    lifecycleStage
  }
  updateDeal(id: $dealId, input: {stage: CONTRACT_SENT}) {
    id
    stage
    updatedAt
  }
  postMessage(input: {channel: "#general", text: "Hello from Switchboard"}) {
    ts
    text
    postedAt
  }
}
    `, {"hash":"sha256:0a65a3b86f836ed45f690f5b1902eada55e3f4f3859b8b807bd128ad13cac074"}) as unknown as TypedDocumentString<WriteSingleSystemMutation, WriteSingleSystemMutationVariables>;
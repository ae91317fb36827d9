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

export type ContactChangedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type ContactChangedSubscription = { contactChanged: { id: string, firstName: string | null, lastName: string | null, jobTitle: string | null } | null };

export type ContactsWithOpenInvoicesQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type ContactsWithOpenInvoicesQuery = { contacts: { nodes: Array<{ id: string, firstName: string | null, lastName: string | null, email: string | null, jobTitle: string | null, billingCustomer: { id: string, invoices: Array<{ id: string, number: string | null, dueDate: unknown, amountDue: { formatted: string } }> | null } | null }> } | null };

export type OpenDealsQueryVariables = Exact<{ [key: string]: never; }>;


export type OpenDealsQuery = { deals: { nodes: Array<{ id: string, name: string | null, stage: DealStage | null, value: { amount: number, formatted: string } | null, contacts: Array<{ id: string }> | null }> } | null };

export type UpdateJobTitleMutationVariables = Exact<{
  id: string | number;
  jobTitle: string;
}>;


export type UpdateJobTitleMutation = { updateContact: { id: string, jobTitle: string | null } };

export type WinDealMutationVariables = Exact<{
  idempotencyKey: string;
  dealId: string | number;
}>;


export type WinDealMutation = { winDeal: { status: WorkflowStatus, replayed: boolean, invoiceId: string | null, error: { code: string, message: string, step: string | null } | null, steps: Array<{ name: string, status: WorkflowStepStatus }> } };

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

export const ContactChangedDocument = new TypedDocumentString(`
    subscription ContactChanged($id: ID!) {
  contactChanged(id: $id) {
    id
    firstName
    lastName
    jobTitle
  }
}
    `, {"hash":"sha256:499cd5a220e1bfe266dc149bb5c10b7e38b4e5c378dd8ed93f8a10ddb85b5f2d"}) as unknown as TypedDocumentString<ContactChangedSubscription, ContactChangedSubscriptionVariables>;
export const ContactsWithOpenInvoicesDocument = new TypedDocumentString(`
    query ContactsWithOpenInvoices($first: Int = 10) {
  contacts(first: $first) {
    nodes {
      id
      firstName
      lastName
      email
      jobTitle
      billingCustomer {
        id
        invoices(status: OPEN) {
          id
          number
          amountDue {
            formatted
          }
          dueDate
        }
      }
    }
  }
}
    `, {"hash":"sha256:01eadad77a11c128e6fa5d215113000c0614086187845530bc167674d21a0c2e"}) as unknown as TypedDocumentString<ContactsWithOpenInvoicesQuery, ContactsWithOpenInvoicesQueryVariables>;
export const OpenDealsDocument = new TypedDocumentString(`
    query OpenDeals {
  deals(first: 50) {
    nodes {
      id
      name
      stage
      value {
        amount
        formatted
      }
      contacts {
        id
      }
    }
  }
}
    `, {"hash":"sha256:fa7ca21cb0f5f7e8ff25be312289e7db76e4ba1e7ddef4afec0925d35c7d7805"}) as unknown as TypedDocumentString<OpenDealsQuery, OpenDealsQueryVariables>;
export const UpdateJobTitleDocument = new TypedDocumentString(`
    mutation UpdateJobTitle($id: ID!, $jobTitle: String!) {
  updateContact(id: $id, input: {jobTitle: $jobTitle}) {
    id
    jobTitle
  }
}
    `, {"hash":"sha256:4aa6fcdc4bdb5ac7867edef96f9f356085eac063045b04dc1d7bee264e7b6488"}) as unknown as TypedDocumentString<UpdateJobTitleMutation, UpdateJobTitleMutationVariables>;
export const WinDealDocument = new TypedDocumentString(`
    mutation WinDeal($idempotencyKey: String!, $dealId: ID!) {
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
      status
    }
    invoiceId: upstreamId(name: "invoiceId")
  }
}
    `, {"hash":"sha256:1af809735966bfc7cc43390650276df4bcd890d82c37ed41bfa95dd734907ebf"}) as unknown as TypedDocumentString<WinDealMutation, WinDealMutationVariables>;
/**
 * The plain-Yoga baseline's schema: the gateway's types and fields that W1, W2, W4 and the
 * query mix (bench/mix.ts) select, with the same names and nullability, in one executable
 * schema. Lists page with `first`/`after`; the baseline's cursor is the last node's ID.
 */
export const BASELINE_TYPE_DEFS = /* GraphQL */ `
  enum LifecycleStage {
    SUBSCRIBER
    LEAD
    MARKETING_QUALIFIED_LEAD
    SALES_QUALIFIED_LEAD
    OPPORTUNITY
    CUSTOMER
    EVANGELIST
    OTHER
  }
  enum DealStage {
    APPOINTMENT_SCHEDULED
    QUALIFIED_TO_BUY
    PRESENTATION_SCHEDULED
    DECISION_MAKER_BOUGHT_IN
    CONTRACT_SENT
    CLOSED_WON
    CLOSED_LOST
    OTHER
  }
  enum InvoiceStatus {
    DRAFT
    OPEN
    PAID
    UNCOLLECTIBLE
    VOID
    OTHER
  }
  input ContactFilter {
    lifecycleStage: LifecycleStage
    ownerId: ID
  }
  input DealFilter {
    stage: DealStage
  }
  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }
  type Money {
    amount: Int!
    currency: String!
    formatted: String!
  }
  type Company {
    id: ID!
    name: String
    domain: String
    industry: String
    city: String
    country: String
    contacts(first: Int = 20): [Contact!]
  }
  type ChatUser {
    id: ID!
    name: String!
    displayName: String
    realName: String
    isBot: Boolean!
    timeZone: String
    owner: Owner
  }
  type Owner {
    id: ID!
    email: String
    firstName: String
    lastName: String
    chatUser: ChatUser
  }
  type Invoice {
    id: ID!
    number: String
    status: InvoiceStatus!
    amountDue: Money!
    total: Money!
    dueDate: String
  }
  type Customer {
    id: ID!
    email: String
    name: String
    hubspotContactId: String
    invoices(status: InvoiceStatus): [Invoice!]
    contact: Contact
  }
  type Deal {
    id: ID!
    name: String
    amount: Float
    stage: DealStage
    closeDate: String
    company: Company
    owner: Owner
  }
  type Contact {
    id: ID!
    firstName: String
    lastName: String
    email: String
    phone: String
    jobTitle: String
    lifecycleStage: LifecycleStage
    company: Company
    owner: Owner
    deals(first: Int = 20): [Deal!]
    billingCustomer: Customer
  }
  type Channel {
    id: ID!
    name: String
    topic: String
    purpose: String
    isPrivate: Boolean!
    isArchived: Boolean!
    memberCount: Int
  }
  type ContactConnection {
    totalCount: Int
    pageInfo: PageInfo!
    nodes: [Contact!]!
  }
  type CompanyConnection {
    totalCount: Int
    pageInfo: PageInfo!
    nodes: [Company!]!
  }
  type DealConnection {
    totalCount: Int
    pageInfo: PageInfo!
    nodes: [Deal!]!
  }
  type CustomerConnection {
    totalCount: Int
    pageInfo: PageInfo!
    nodes: [Customer!]!
  }
  type ChatUserConnection {
    totalCount: Int
    pageInfo: PageInfo!
    nodes: [ChatUser!]!
  }
  type ChannelConnection {
    totalCount: Int
    pageInfo: PageInfo!
    nodes: [Channel!]!
  }
  type Query {
    contacts(first: Int = 20, after: String, filter: ContactFilter): ContactConnection
    contact(id: ID!): Contact
    companies(first: Int = 20, after: String): CompanyConnection
    deals(first: Int = 20, after: String, filter: DealFilter): DealConnection
    customers(first: Int = 20, after: String): CustomerConnection
    chatUsers(first: Int = 20, after: String): ChatUserConnection
    chatUser(id: ID!): ChatUser
    channels(first: Int = 20, after: String): ChannelConnection
  }
`;

import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { CrmContact, CrmCompany, CrmDeal, CrmOwner } from '../connectors/crm/schemas.ts';
import type { CustomerParent, ChatUserParent, ContactConnectionParent, CompanyConnectionParent, DealConnectionParent, OwnerConnectionParent, EdgeParent } from '../../resolvers/crm/parents.ts';
import type { GatewayContext } from '../context.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An instant in time, serialized as an ISO-8601 string in UTC (e.g. `2026-11-01T12:00:00.000Z`). */
  DateTime: { input: Date; output: Date | string | number; }
};

/** A chat user (owned by the chat subschema), extended here with the CRM owner they are. */
export type ChatUser = {
  __typename?: 'ChatUser';
  /** The chat user ID (Slack `U…`/`W…`). */
  id: Scalars['ID']['output'];
  /** The CRM owner with the same email as this chat user (compared case-insensitively); null when there is none. */
  owner?: Maybe<Owner>;
};

/** The fields of a chat user that link it to a CRM owner (used by type merging). */
export type ChatUserKeyInput = {
  /** The chat user's profile email (Slack `profile.email`), if visible. */
  email?: InputMaybe<Scalars['String']['input']>;
  /** The chat user ID (Slack `U…`). */
  id: Scalars['ID']['input'];
};

/** An organization the company sells to: a HubSpot CRM company record. */
export type Company = {
  __typename?: 'Company';
  /** Annual revenue in the portal's currency, major units (HubSpot property `annualrevenue`). */
  annualRevenue?: Maybe<Scalars['Float']['output']>;
  /** City of the main office (HubSpot property `city`). */
  city?: Maybe<Scalars['String']['output']>;
  /** IDs of every contact associated with the company; the billing system uses them to find the company's customers. */
  contactIds: Array<Scalars['ID']['output']>;
  /** Contacts associated with the company (HubSpot company-to-contact associations). */
  contacts: Array<Contact>;
  /** Country of the main office (HubSpot property `country`). */
  country?: Maybe<Scalars['String']['output']>;
  /** When the company record was created in HubSpot (record `createdAt`). */
  createdAt: Scalars['DateTime']['output'];
  /** Deals associated with the company. */
  deals: Array<Deal>;
  /** Primary web domain, e.g. `acme.example` (HubSpot property `domain`, unique per company). */
  domain?: Maybe<Scalars['String']['output']>;
  /** HubSpot record ID of the company (`hs_object_id`). */
  id: Scalars['ID']['output'];
  /** Industry as HubSpot's internal value, e.g. `COMPUTER_SOFTWARE` (property `industry`). */
  industry?: Maybe<Scalars['String']['output']>;
  /** Company name (HubSpot property `name`). */
  name?: Maybe<Scalars['String']['output']>;
  /** Headcount as recorded in the CRM (HubSpot property `numberofemployees`). */
  numberOfEmployees?: Maybe<Scalars['Int']['output']>;
  /** The salesperson who owns the company account (HubSpot property `hubspot_owner_id`); null when unassigned. */
  owner?: Maybe<Owner>;
  /** When any property of the company last changed in HubSpot (record `updatedAt`). */
  updatedAt: Scalars['DateTime']['output'];
};


/** An organization the company sells to: a HubSpot CRM company record. */
export type CompanyContactsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** An organization the company sells to: a HubSpot CRM company record. */
export type CompanyDealsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of CRM companies. */
export type CompanyConnection = {
  __typename?: 'CompanyConnection';
  /** The companies on this page, each with its cursor. */
  edges: Array<CompanyEdge>;
  /** The companies on this page (the same as `edges[].node`). */
  nodes: Array<Company>;
  /** Cursors and whether more pages follow. */
  pageInfo: PageInfo;
  /** How many companies match the filter in all (HubSpot search `total`); null for an unfiltered list, whose endpoint reports no total. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

/** A CRM company with its cursor. */
export type CompanyEdge = {
  __typename?: 'CompanyEdge';
  /** Pass as `after` to continue with the company that follows this one. */
  cursor: Scalars['String']['output'];
  /** The company. */
  node: Company;
};

/** Conditions on companies; HubSpot search serves filtered lists. */
export type CompanyFilter = {
  /** Exactly this domain, e.g. `acme.example` (HubSpot `domain` EQ, case-insensitive). */
  domain?: InputMaybe<Scalars['String']['input']>;
  /** Companies whose name contains this word (HubSpot `name` CONTAINS_TOKEN, case-insensitive; `*` is a wildcard). */
  name?: InputMaybe<Scalars['String']['input']>;
};

/** A person the company sells to or talks with: a HubSpot CRM contact record. */
export type Contact = {
  __typename?: 'Contact';
  /** Every company associated with the contact, the primary one first. */
  companies: Array<Company>;
  /** The company the contact works for: HubSpot's primary associated company (else the first associated one); null when none. */
  company?: Maybe<Company>;
  /** When the contact record was created in HubSpot (record `createdAt`). */
  createdAt: Scalars['DateTime']['output'];
  /** Deals the contact is associated with. */
  deals: Array<Deal>;
  /** Email address (HubSpot property `email`, unique per contact). Links the contact to its billing customer when the customer carries no `hubspot_contact_id`. */
  email?: Maybe<Scalars['String']['output']>;
  /** First name (HubSpot property `firstname`). */
  firstName?: Maybe<Scalars['String']['output']>;
  /** HubSpot record ID of the contact (`hs_object_id`). */
  id: Scalars['ID']['output'];
  /** Job title (HubSpot property `jobtitle`). */
  jobTitle?: Maybe<Scalars['String']['output']>;
  /** Last name (HubSpot property `lastname`). */
  lastName?: Maybe<Scalars['String']['output']>;
  /** Where the contact stands in the marketing and sales funnel (HubSpot property `lifecyclestage`). OTHER covers HubSpot's own `other` stage and any stage this API does not know yet; `lifecycleStageRaw` has the exact value. Null when unset. */
  lifecycleStage?: Maybe<LifecycleStage>;
  /** The lifecycle stage exactly as HubSpot holds it (internal value, e.g. `marketingqualifiedlead` or a custom stage ID); null when unset. */
  lifecycleStageRaw?: Maybe<Scalars['String']['output']>;
  /** The salesperson who owns the contact (HubSpot property `hubspot_owner_id`); null when unassigned. */
  owner?: Maybe<Owner>;
  /** Phone number as entered (HubSpot property `phone`). */
  phone?: Maybe<Scalars['String']['output']>;
  /** When any property of the contact last changed in HubSpot (record `updatedAt`). */
  updatedAt: Scalars['DateTime']['output'];
};


/** A person the company sells to or talks with: a HubSpot CRM contact record. */
export type ContactDealsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of CRM contacts. */
export type ContactConnection = {
  __typename?: 'ContactConnection';
  /** The contacts on this page, each with its cursor. */
  edges: Array<ContactEdge>;
  /** The contacts on this page (the same as `edges[].node`). */
  nodes: Array<Contact>;
  /** Cursors and whether more pages follow. */
  pageInfo: PageInfo;
  /** How many contacts match the filter in all (HubSpot search `total`). Null for an unfiltered list: HubSpot's list endpoint reports no total, and counting would cost an extra search request per page. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

/** A CRM contact with its cursor. */
export type ContactEdge = {
  __typename?: 'ContactEdge';
  /** Pass as `after` to continue with the contact that follows this one. */
  cursor: Scalars['String']['output'];
  /** The contact. */
  node: Contact;
};

/** Conditions on contacts; HubSpot search serves filtered lists. */
export type ContactFilter = {
  /** Contacts associated with this company (HubSpot record ID). Alone, it pages over the company's associated contacts; with other conditions, it searches within them. */
  companyId?: InputMaybe<Scalars['ID']['input']>;
  /** Exactly this email address (case-insensitive; HubSpot `email` EQ). */
  email?: InputMaybe<Scalars['String']['input']>;
  /** Contacts at this lifecycle stage (HubSpot `lifecyclestage` EQ; OTHER means any stage not in the enum, plus `other`). */
  lifecycleStage?: InputMaybe<LifecycleStage>;
  /** Contacts at exactly this raw lifecycle stage value (HubSpot `lifecyclestage` EQ), e.g. a custom stage ID. */
  lifecycleStageRaw?: InputMaybe<Scalars['String']['input']>;
  /** Free text matched against names, email and phone (HubSpot search `query`), e.g. `ada` or `lovelace`. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** Contacts owned by this owner (owner ID; HubSpot `hubspot_owner_id` EQ). */
  ownerId?: InputMaybe<Scalars['ID']['input']>;
};

/** A billing customer (owned by the billing subschema), extended here with its CRM contact. */
export type Customer = {
  __typename?: 'Customer';
  /** The CRM contact this customer belongs to: the contact whose ID the customer carries in `metadata.hubspot_contact_id`; when it carries none (or that contact no longer exists), the contact whose email equals the customer's email, compared case-insensitively. Null when neither finds one. */
  contact?: Maybe<Contact>;
  /** The billing customer ID (Stripe `cus_…`). */
  id: Scalars['ID']['output'];
};

/** The fields of a billing customer that link it to a CRM contact (used by type merging). */
export type CustomerKeyInput = {
  /** The customer's email (Stripe `email`), used when no contact ID is recorded. */
  email?: InputMaybe<Scalars['String']['input']>;
  /** The CRM contact ID the customer records in Stripe `metadata.hubspot_contact_id`, if any. */
  hubspotContactId?: InputMaybe<Scalars['ID']['input']>;
  /** The billing customer ID (Stripe `cus_…`). */
  id: Scalars['ID']['input'];
};

/** A sales opportunity: a HubSpot CRM deal record. */
export type Deal = {
  __typename?: 'Deal';
  /** Expected value in the portal's currency, in major units as HubSpot holds it, e.g. 12500.5 (property `amount`); null when unset. */
  amount?: Maybe<Scalars['Float']['output']>;
  /** When the deal is expected to close, or closed (HubSpot property `closedate`); null when unset. */
  closeDate?: Maybe<Scalars['DateTime']['output']>;
  /** The company the deal is with: HubSpot's primary associated company (else the first associated one); null when none. */
  company?: Maybe<Company>;
  /** Contacts involved in the deal (HubSpot deal-to-contact associations). */
  contacts: Array<Contact>;
  /** When the deal record was created in HubSpot (record `createdAt`). */
  createdAt: Scalars['DateTime']['output'];
  /** HubSpot record ID of the deal (`hs_object_id`). */
  id: Scalars['ID']['output'];
  /** Deal name (HubSpot property `dealname`). */
  name?: Maybe<Scalars['String']['output']>;
  /** The salesperson responsible for the deal (HubSpot property `hubspot_owner_id`); null when unassigned. */
  owner?: Maybe<Owner>;
  /** The pipeline the deal moves through (HubSpot property `pipeline`, `default` for the standard sales pipeline). */
  pipeline?: Maybe<Scalars['String']['output']>;
  /** The deal's stage in HubSpot's default sales pipeline (property `dealstage`). OTHER covers stages of custom pipelines and any stage this API does not know; `stageRaw` has the exact value. Null when unset. */
  stage?: Maybe<DealStage>;
  /** The deal stage exactly as HubSpot holds it (stage ID, e.g. `closedwon` or a custom pipeline's numeric stage ID); null when unset. */
  stageRaw?: Maybe<Scalars['String']['output']>;
  /** When any property of the deal last changed in HubSpot (record `updatedAt`). */
  updatedAt: Scalars['DateTime']['output'];
};

/** A page of CRM deals. */
export type DealConnection = {
  __typename?: 'DealConnection';
  /** The deals on this page, each with its cursor. */
  edges: Array<DealEdge>;
  /** The deals on this page (the same as `edges[].node`). */
  nodes: Array<Deal>;
  /** Cursors and whether more pages follow. */
  pageInfo: PageInfo;
  /** How many deals match the filter in all (HubSpot search `total`); null for an unfiltered list, whose endpoint reports no total. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

/** A CRM deal with its cursor. */
export type DealEdge = {
  __typename?: 'DealEdge';
  /** Pass as `after` to continue with the deal that follows this one. */
  cursor: Scalars['String']['output'];
  /** The deal. */
  node: Deal;
};

/** Conditions on deals; HubSpot search serves filtered lists. */
export type DealFilter = {
  /** Deals closing at or after this instant (HubSpot `closedate` GTE). */
  closeDateFrom?: InputMaybe<Scalars['DateTime']['input']>;
  /** Deals closing at or before this instant (HubSpot `closedate` LTE). */
  closeDateTo?: InputMaybe<Scalars['DateTime']['input']>;
  /** Deals owned by this owner (owner ID; HubSpot `hubspot_owner_id` EQ). */
  ownerId?: InputMaybe<Scalars['ID']['input']>;
  /** Deals at this stage of the default pipeline (HubSpot `dealstage` EQ; OTHER means any stage not in the enum). */
  stage?: InputMaybe<DealStage>;
  /** Deals at exactly this raw stage ID (HubSpot `dealstage` EQ), e.g. a custom pipeline's stage. */
  stageRaw?: InputMaybe<Scalars['String']['input']>;
};

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

/** A salesperson or team member who can own CRM records: a HubSpot owner. */
export type Owner = {
  __typename?: 'Owner';
  /** Contacts this owner owns, via HubSpot search on `hubspot_owner_id` (may trail very recent edits by a few seconds). */
  contacts: ContactConnection;
  /** The owner's login email. Links the owner to their chat user (compared case-insensitively). */
  email?: Maybe<Scalars['String']['output']>;
  /** First name (HubSpot owner `firstName`). */
  firstName?: Maybe<Scalars['String']['output']>;
  /** The owner ID: what contacts, companies and deals hold in `hubspot_owner_id`. */
  id: Scalars['ID']['output'];
  /** Last name (HubSpot owner `lastName`). */
  lastName?: Maybe<Scalars['String']['output']>;
  /** The HubSpot user ID behind the owner (used by HubSpot's settings APIs, not for assigning records); null for team queues. */
  userId?: Maybe<Scalars['ID']['output']>;
};


/** A salesperson or team member who can own CRM records: a HubSpot owner. */
export type OwnerContactsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of CRM owners. */
export type OwnerConnection = {
  __typename?: 'OwnerConnection';
  /** The owners on this page, each with its cursor. */
  edges: Array<OwnerEdge>;
  /** The owners on this page (the same as `edges[].node`). */
  nodes: Array<Owner>;
  /** Cursors and whether more pages follow. */
  pageInfo: PageInfo;
  /** How many active owners the CRM has in all. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

/** A CRM owner with its cursor. */
export type OwnerEdge = {
  __typename?: 'OwnerEdge';
  /** Pass as `after` to continue with the owner that follows this one. */
  cursor: Scalars['String']['output'];
  /** The owner. */
  node: Owner;
};

/** Where a page of a connection sits in the whole list, and the cursors to continue from. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Cursor to pass as `after` for the next page; null when the page is empty. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** True when another page follows this one: pass `endCursor` as `after` to fetch it. */
  hasNextPage: Scalars['Boolean']['output'];
  /** True when pages come before this one (connections here page forward only, so mostly false). */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** Cursor of the first item on this page; null when the page is empty. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type Query = {
  __typename?: 'Query';
  /** Internal (type merging): companies by ID, in the order given, null for IDs HubSpot does not have. */
  _companiesByIds: Array<Maybe<Company>>;
  /** Internal (type merging): contacts by ID, in the order given, null for IDs HubSpot does not have. */
  _contactsByIds: Array<Maybe<Contact>>;
  /** Internal (type merging): the CRM side of chat users, one per key, in the order given. */
  _crmChatUsers: Array<Maybe<ChatUser>>;
  /** Internal (type merging): the CRM side of billing customers, one per key, in the order given. */
  _crmCustomers: Array<Maybe<Customer>>;
  /** Internal (type merging): deals by ID, in the order given, null for IDs HubSpot does not have. */
  _dealsByIds: Array<Maybe<Deal>>;
  /** Internal (type merging): owners by owner ID, in the order given, null for unknown IDs. */
  _ownersByIds: Array<Maybe<Owner>>;
  /** CRM companies, in HubSpot's order, optionally filtered. */
  companies: CompanyConnection;
  /** One CRM company by its HubSpot record ID; a NOT_FOUND error at this path when there is none. */
  company?: Maybe<Company>;
  /** One CRM contact by its HubSpot record ID; a NOT_FOUND error at this path when there is none. */
  contact?: Maybe<Contact>;
  /** The CRM contact with this email address (compared case-insensitively); null when no contact has it. */
  contactByEmail?: Maybe<Contact>;
  /** CRM contacts, in HubSpot's order, optionally filtered. */
  contacts: ContactConnection;
  /** One CRM deal by its HubSpot record ID; a NOT_FOUND error at this path when there is none. */
  deal?: Maybe<Deal>;
  /** CRM deals (sales opportunities), in HubSpot's order, optionally filtered. */
  deals: DealConnection;
  /** One CRM owner (a salesperson who can own records) by owner ID; a NOT_FOUND error at this path when there is none. */
  owner?: Maybe<Owner>;
  /** Every active CRM owner (HubSpot users who can own records), in HubSpot's order. */
  owners: OwnerConnection;
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type Query_CompaniesByIdsArgs = {
  ids: Array<Scalars['ID']['input']>;
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type Query_ContactsByIdsArgs = {
  ids: Array<Scalars['ID']['input']>;
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type Query_CrmChatUsersArgs = {
  keys: Array<ChatUserKeyInput>;
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type Query_CrmCustomersArgs = {
  keys: Array<CustomerKeyInput>;
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type Query_DealsByIdsArgs = {
  ids: Array<Scalars['ID']['input']>;
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type Query_OwnersByIdsArgs = {
  ids: Array<Scalars['ID']['input']>;
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type QueryCompaniesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<CompanyFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type QueryCompanyArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type QueryContactArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type QueryContactByEmailArgs = {
  email: Scalars['String']['input'];
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type QueryContactsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ContactFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type QueryDealArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type QueryDealsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<DealFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type QueryOwnerArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Reads from the CRM (HubSpot). Lists page forward with `first` (1–100, default 20) and
 * `after` (an `endCursor` from a previous page). A filter switches a list from HubSpot's
 * list endpoint to its search endpoint, which can trail recent edits by a few seconds and
 * stops after 10,000 results.
 */
export type QueryOwnersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ChatUser: ResolverTypeWrapper<ChatUserParent>;
  ChatUserKeyInput: ChatUserKeyInput;
  Company: ResolverTypeWrapper<CrmCompany>;
  CompanyConnection: ResolverTypeWrapper<CompanyConnectionParent>;
  CompanyEdge: ResolverTypeWrapper<EdgeParent<CrmCompany>>;
  CompanyFilter: CompanyFilter;
  Contact: ResolverTypeWrapper<CrmContact>;
  ContactConnection: ResolverTypeWrapper<ContactConnectionParent>;
  ContactEdge: ResolverTypeWrapper<EdgeParent<CrmContact>>;
  ContactFilter: ContactFilter;
  Customer: ResolverTypeWrapper<CustomerParent>;
  CustomerKeyInput: CustomerKeyInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Deal: ResolverTypeWrapper<CrmDeal>;
  DealConnection: ResolverTypeWrapper<DealConnectionParent>;
  DealEdge: ResolverTypeWrapper<EdgeParent<CrmDeal>>;
  DealFilter: DealFilter;
  DealStage: DealStage;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  LifecycleStage: LifecycleStage;
  Owner: ResolverTypeWrapper<CrmOwner>;
  OwnerConnection: ResolverTypeWrapper<OwnerConnectionParent>;
  OwnerEdge: ResolverTypeWrapper<EdgeParent<CrmOwner>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Boolean: Scalars['Boolean']['output'];
  ChatUser: ChatUserParent;
  ChatUserKeyInput: ChatUserKeyInput;
  Company: CrmCompany;
  CompanyConnection: CompanyConnectionParent;
  CompanyEdge: EdgeParent<CrmCompany>;
  CompanyFilter: CompanyFilter;
  Contact: CrmContact;
  ContactConnection: ContactConnectionParent;
  ContactEdge: EdgeParent<CrmContact>;
  ContactFilter: ContactFilter;
  Customer: CustomerParent;
  CustomerKeyInput: CustomerKeyInput;
  DateTime: Scalars['DateTime']['output'];
  Deal: CrmDeal;
  DealConnection: DealConnectionParent;
  DealEdge: EdgeParent<CrmDeal>;
  DealFilter: DealFilter;
  Float: Scalars['Float']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  Owner: CrmOwner;
  OwnerConnection: OwnerConnectionParent;
  OwnerEdge: EdgeParent<CrmOwner>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  String: Scalars['String']['output'];
};

export type ChatUserResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['ChatUser'] = ResolversParentTypes['ChatUser']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  owner?: Resolver<Maybe<ResolversTypes['Owner']>, ParentType, ContextType>;
};

export type CompanyResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Company'] = ResolversParentTypes['Company']> = {
  annualRevenue?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  city?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  contactIds?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType>;
  contacts?: Resolver<Array<ResolversTypes['Contact']>, ParentType, ContextType, RequireFields<CompanyContactsArgs, 'first'>>;
  country?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deals?: Resolver<Array<ResolversTypes['Deal']>, ParentType, ContextType, RequireFields<CompanyDealsArgs, 'first'>>;
  domain?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  industry?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  numberOfEmployees?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  owner?: Resolver<Maybe<ResolversTypes['Owner']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type CompanyConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CompanyConnection'] = ResolversParentTypes['CompanyConnection']> = {
  edges?: Resolver<Array<ResolversTypes['CompanyEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Company']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type CompanyEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CompanyEdge'] = ResolversParentTypes['CompanyEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Company'], ParentType, ContextType>;
};

export type ContactResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Contact'] = ResolversParentTypes['Contact']> = {
  companies?: Resolver<Array<ResolversTypes['Company']>, ParentType, ContextType>;
  company?: Resolver<Maybe<ResolversTypes['Company']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deals?: Resolver<Array<ResolversTypes['Deal']>, ParentType, ContextType, RequireFields<ContactDealsArgs, 'first'>>;
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  firstName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  jobTitle?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lifecycleStage?: Resolver<Maybe<ResolversTypes['LifecycleStage']>, ParentType, ContextType>;
  lifecycleStageRaw?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  owner?: Resolver<Maybe<ResolversTypes['Owner']>, ParentType, ContextType>;
  phone?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type ContactConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['ContactConnection'] = ResolversParentTypes['ContactConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ContactEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Contact']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type ContactEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['ContactEdge'] = ResolversParentTypes['ContactEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Contact'], ParentType, ContextType>;
};

export type CustomerResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer']> = {
  contact?: Resolver<Maybe<ResolversTypes['Contact']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DealResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Deal'] = ResolversParentTypes['Deal']> = {
  amount?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  closeDate?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  company?: Resolver<Maybe<ResolversTypes['Company']>, ParentType, ContextType>;
  contacts?: Resolver<Array<ResolversTypes['Contact']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  owner?: Resolver<Maybe<ResolversTypes['Owner']>, ParentType, ContextType>;
  pipeline?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  stage?: Resolver<Maybe<ResolversTypes['DealStage']>, ParentType, ContextType>;
  stageRaw?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type DealConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['DealConnection'] = ResolversParentTypes['DealConnection']> = {
  edges?: Resolver<Array<ResolversTypes['DealEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Deal']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type DealEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['DealEdge'] = ResolversParentTypes['DealEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Deal'], ParentType, ContextType>;
};

export type OwnerResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Owner'] = ResolversParentTypes['Owner']> = {
  contacts?: Resolver<ResolversTypes['ContactConnection'], ParentType, ContextType, RequireFields<OwnerContactsArgs, 'first'>>;
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  firstName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  userId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
};

export type OwnerConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['OwnerConnection'] = ResolversParentTypes['OwnerConnection']> = {
  edges?: Resolver<Array<ResolversTypes['OwnerEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Owner']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type OwnerEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['OwnerEdge'] = ResolversParentTypes['OwnerEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Owner'], ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type QueryResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  _companiesByIds?: Resolver<Array<Maybe<ResolversTypes['Company']>>, ParentType, ContextType, RequireFields<Query_CompaniesByIdsArgs, 'ids'>>;
  _contactsByIds?: Resolver<Array<Maybe<ResolversTypes['Contact']>>, ParentType, ContextType, RequireFields<Query_ContactsByIdsArgs, 'ids'>>;
  _crmChatUsers?: Resolver<Array<Maybe<ResolversTypes['ChatUser']>>, ParentType, ContextType, RequireFields<Query_CrmChatUsersArgs, 'keys'>>;
  _crmCustomers?: Resolver<Array<Maybe<ResolversTypes['Customer']>>, ParentType, ContextType, RequireFields<Query_CrmCustomersArgs, 'keys'>>;
  _dealsByIds?: Resolver<Array<Maybe<ResolversTypes['Deal']>>, ParentType, ContextType, RequireFields<Query_DealsByIdsArgs, 'ids'>>;
  _ownersByIds?: Resolver<Array<Maybe<ResolversTypes['Owner']>>, ParentType, ContextType, RequireFields<Query_OwnersByIdsArgs, 'ids'>>;
  companies?: Resolver<ResolversTypes['CompanyConnection'], ParentType, ContextType, RequireFields<QueryCompaniesArgs, 'first'>>;
  company?: Resolver<Maybe<ResolversTypes['Company']>, ParentType, ContextType, RequireFields<QueryCompanyArgs, 'id'>>;
  contact?: Resolver<Maybe<ResolversTypes['Contact']>, ParentType, ContextType, RequireFields<QueryContactArgs, 'id'>>;
  contactByEmail?: Resolver<Maybe<ResolversTypes['Contact']>, ParentType, ContextType, RequireFields<QueryContactByEmailArgs, 'email'>>;
  contacts?: Resolver<ResolversTypes['ContactConnection'], ParentType, ContextType, RequireFields<QueryContactsArgs, 'first'>>;
  deal?: Resolver<Maybe<ResolversTypes['Deal']>, ParentType, ContextType, RequireFields<QueryDealArgs, 'id'>>;
  deals?: Resolver<ResolversTypes['DealConnection'], ParentType, ContextType, RequireFields<QueryDealsArgs, 'first'>>;
  owner?: Resolver<Maybe<ResolversTypes['Owner']>, ParentType, ContextType, RequireFields<QueryOwnerArgs, 'id'>>;
  owners?: Resolver<ResolversTypes['OwnerConnection'], ParentType, ContextType, RequireFields<QueryOwnersArgs, 'first'>>;
};

export type Resolvers<ContextType = GatewayContext> = {
  ChatUser?: ChatUserResolvers<ContextType>;
  Company?: CompanyResolvers<ContextType>;
  CompanyConnection?: CompanyConnectionResolvers<ContextType>;
  CompanyEdge?: CompanyEdgeResolvers<ContextType>;
  Contact?: ContactResolvers<ContextType>;
  ContactConnection?: ContactConnectionResolvers<ContextType>;
  ContactEdge?: ContactEdgeResolvers<ContextType>;
  Customer?: CustomerResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Deal?: DealResolvers<ContextType>;
  DealConnection?: DealConnectionResolvers<ContextType>;
  DealEdge?: DealEdgeResolvers<ContextType>;
  Owner?: OwnerResolvers<ContextType>;
  OwnerConnection?: OwnerConnectionResolvers<ContextType>;
  OwnerEdge?: OwnerEdgeResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
};


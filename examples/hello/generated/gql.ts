/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "subscription ContactChanged($id: ID!) {\n  contactChanged(id: $id) {\n    id\n    firstName\n    lastName\n    jobTitle\n  }\n}": typeof types.ContactChangedDocument,
    "query ContactsWithOpenInvoices($first: Int = 10) {\n  contacts(first: $first) {\n    nodes {\n      id\n      firstName\n      lastName\n      email\n      jobTitle\n      billingCustomer {\n        id\n        invoices(status: OPEN) {\n          id\n          number\n          amountDue {\n            formatted\n          }\n          dueDate\n        }\n      }\n    }\n  }\n}": typeof types.ContactsWithOpenInvoicesDocument,
    "query OpenDeals {\n  deals(first: 50) {\n    nodes {\n      id\n      name\n      stage\n      value {\n        amount\n        formatted\n      }\n      contacts {\n        id\n      }\n    }\n  }\n}": typeof types.OpenDealsDocument,
    "mutation UpdateJobTitle($id: ID!, $jobTitle: String!) {\n  updateContact(id: $id, input: {jobTitle: $jobTitle}) {\n    id\n    jobTitle\n  }\n}": typeof types.UpdateJobTitleDocument,
    "mutation WinDeal($idempotencyKey: String!, $dealId: ID!) {\n  winDeal(\n    idempotencyKey: $idempotencyKey\n    dealId: $dealId\n    invoice: {currency: \"usd\", daysUntilDue: 30}\n    notify: {channel: \"#deals-won\"}\n  ) {\n    status\n    replayed\n    error {\n      code\n      message\n      step\n    }\n    steps {\n      name\n      status\n    }\n    invoiceId: upstreamId(name: \"invoiceId\")\n  }\n}": typeof types.WinDealDocument,
};
const documents: Documents = {
    "subscription ContactChanged($id: ID!) {\n  contactChanged(id: $id) {\n    id\n    firstName\n    lastName\n    jobTitle\n  }\n}": types.ContactChangedDocument,
    "query ContactsWithOpenInvoices($first: Int = 10) {\n  contacts(first: $first) {\n    nodes {\n      id\n      firstName\n      lastName\n      email\n      jobTitle\n      billingCustomer {\n        id\n        invoices(status: OPEN) {\n          id\n          number\n          amountDue {\n            formatted\n          }\n          dueDate\n        }\n      }\n    }\n  }\n}": types.ContactsWithOpenInvoicesDocument,
    "query OpenDeals {\n  deals(first: 50) {\n    nodes {\n      id\n      name\n      stage\n      value {\n        amount\n        formatted\n      }\n      contacts {\n        id\n      }\n    }\n  }\n}": types.OpenDealsDocument,
    "mutation UpdateJobTitle($id: ID!, $jobTitle: String!) {\n  updateContact(id: $id, input: {jobTitle: $jobTitle}) {\n    id\n    jobTitle\n  }\n}": types.UpdateJobTitleDocument,
    "mutation WinDeal($idempotencyKey: String!, $dealId: ID!) {\n  winDeal(\n    idempotencyKey: $idempotencyKey\n    dealId: $dealId\n    invoice: {currency: \"usd\", daysUntilDue: 30}\n    notify: {channel: \"#deals-won\"}\n  ) {\n    status\n    replayed\n    error {\n      code\n      message\n      step\n    }\n    steps {\n      name\n      status\n    }\n    invoiceId: upstreamId(name: \"invoiceId\")\n  }\n}": types.WinDealDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription ContactChanged($id: ID!) {\n  contactChanged(id: $id) {\n    id\n    firstName\n    lastName\n    jobTitle\n  }\n}"): typeof import('./graphql.js').ContactChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ContactsWithOpenInvoices($first: Int = 10) {\n  contacts(first: $first) {\n    nodes {\n      id\n      firstName\n      lastName\n      email\n      jobTitle\n      billingCustomer {\n        id\n        invoices(status: OPEN) {\n          id\n          number\n          amountDue {\n            formatted\n          }\n          dueDate\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql.js').ContactsWithOpenInvoicesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query OpenDeals {\n  deals(first: 50) {\n    nodes {\n      id\n      name\n      stage\n      value {\n        amount\n        formatted\n      }\n      contacts {\n        id\n      }\n    }\n  }\n}"): typeof import('./graphql.js').OpenDealsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpdateJobTitle($id: ID!, $jobTitle: String!) {\n  updateContact(id: $id, input: {jobTitle: $jobTitle}) {\n    id\n    jobTitle\n  }\n}"): typeof import('./graphql.js').UpdateJobTitleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation WinDeal($idempotencyKey: String!, $dealId: ID!) {\n  winDeal(\n    idempotencyKey: $idempotencyKey\n    dealId: $dealId\n    invoice: {currency: \"usd\", daysUntilDue: 30}\n    notify: {channel: \"#deals-won\"}\n  ) {\n    status\n    replayed\n    error {\n      code\n      message\n      step\n    }\n    steps {\n      name\n      status\n    }\n    invoiceId: upstreamId(name: \"invoiceId\")\n  }\n}"): typeof import('./graphql.js').WinDealDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

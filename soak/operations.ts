/**
 * The GraphQL documents the soak's clients send, and what of each answer the checker keeps.
 */
import type { GraphQLAnswer } from './client.ts';

export const READ_CONTACT = 'query SoakContact($id: ID!) { contact(id: $id) { id jobTitle updatedAt } }';
export const READ_CUSTOMER = 'query SoakCustomer($id: ID!) { customer(id: $id) { id name } }';
export const READ_W1 = `query SoakW1 { contacts(first: 20) { nodes { id jobTitle company { id name } owner { id chatUser { id name } }
  billingCustomer { id name invoices(status: OPEN) { id status amountDue { amount currency } } } } } }`;
export const READ_W2 =
  'query SoakW2 { customers(first: 10) { nodes { id email hubspotContactId contact { id jobTitle company { name } } } } }';
export const READ_PAGE = `query SoakPage($after: String) { contacts(first: 10, after: $after) { pageInfo { hasNextPage endCursor } nodes { id jobTitle } } }`;
export const READ_DEAL = 'query SoakDeal($id: ID!) { deal(id: $id) { id stage } }';

export const UPDATE_CONTACT =
  'mutation SoakUpdateContact($id: ID!, $value: String!) { updateContact(id: $id, input: { jobTitle: $value }) { id jobTitle } }';
export const UPDATE_CUSTOMER =
  'mutation SoakUpdateCustomer($id: ID!, $value: String!) { updateCustomer(id: $id, input: { name: $value }) { id name } }';
export const POST_MESSAGE = 'mutation SoakPost($text: String!) { postMessage(input: { channel: "#general", text: $text }) { ts text } }';
export const CREATE_DEAL = `mutation SoakCreateDeal($name: String!, $contactId: ID!, $ownerId: ID!) {
  createDeal(input: { name: $name, amount: 1200, stage: APPOINTMENT_SCHEDULED, ownerId: $ownerId, contactIds: [$contactId] }) { id } }`;

const RESULT = `status replayed error { code message step } warnings { code message step }
  steps { name system status compensation upstreamIds { name value } error { code message } }`;
export const WIN_DEAL = `mutation SoakWinDeal($key: String!, $dealId: ID!) {
  winDeal(idempotencyKey: $key, dealId: $dealId, invoice: { currency: "usd", daysUntilDue: 30 }, notify: { channel: "#deals-won" }) { ${RESULT} } }`;
export const ONBOARD = `mutation SoakOnboard($key: String!, $email: String!) {
  onboardCustomer(idempotencyKey: $key, contact: { email: $email, firstName: "Soak", lastName: "Customer" },
    plan: { priceId: "price_starter_monthly", quantity: 1 }, notify: { channel: "#general" }) { ${RESULT} } }`;

/**
 * What the subscribers (soak/subscribers.ts) hold open over SSE: every contact's changes. The
 * gateway resolves each event afresh, so `updatedAt` names the state an event shows: the
 * checker matches it to the vendor's log of the contact's changes.
 */
export const SUBSCRIBE_CONTACTS = 'subscription SoakContacts { contactChanged { id jobTitle updatedAt } }';

/** The field's value, or undefined when the answer has none. */
export function field(answer: GraphQLAnswer, ...path: string[]): unknown {
  let value: unknown = answer.data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

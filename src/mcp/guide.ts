/**
 * The `switchboard://guide/links` resource: how records link across the three systems and what
 * each link costs upstream, condensed from the README ("How records are linked across
 * systems", "What a query costs upstream") so an agent can plan a query before running it.
 */
export const LINKS_GUIDE = `# Switchboard: how records link across systems

Three systems of record sit behind one GraphQL schema: the CRM (HubSpot: contacts, companies,
deals, owners), billing (Stripe: customers, invoices, subscriptions, charges) and chat (Slack:
users, channels, messages). A field that reaches another system is nullable: when that system
fails, or your key lacks its scope, only that field is null, with an error at its exact path.

## Links

| from | to | rule |
|---|---|---|
| \`Contact.company\`, \`Company.contacts\`, \`Contact.deals\`, \`Deal.company\`, \`Deal.contacts\` | CRM | HubSpot associations |
| \`Contact.owner\`, \`Deal.owner\` | CRM owner | the record's owner id |
| \`Contact.billingCustomer\`, \`Contact.invoices\`, \`Contact.subscriptions\` | billing | the Stripe customer whose \`metadata.hubspot_contact_id\` is the contact's id; otherwise the one customer with the same email (case-insensitive) that points at no other contact; otherwise null |
| \`Customer.contact\` | CRM | the reverse: \`metadata.hubspot_contact_id\`, else the contact with the customer's email |
| \`Company.billingCustomers\` | billing | customers linked to any of the company's contacts |
| \`Owner.chatUser\`, \`ChatUser.owner\` | chat ↔ CRM | owner email = Slack profile email (case-insensitive); null when no single active member has it |

## Scopes

Each system has a read and a write scope (\`crm:read\`, \`billing:write\`, …); \`audit:read\`
reads the audit log. A link into another system needs that system's read scope: a key with
only \`crm:read\` gets contacts, but \`billingCustomer\` and \`owner.chatUser\` answer FORBIDDEN.
The tools you are offered are exactly those your key may run.

## What a query costs upstream

Links are batched: one upstream round per linked type per level of the query, never one call
per record. The first 50 contacts with company, owner, the owner's Slack user, billing customer
and open invoices (\`W1ContactsWithLinks\`) cost about 14 vendor requests on a cold cache
(CRM 3, chat 1, billing 10: Stripe has no multi-id read, so customers and invoices are found by
searches of 10 ids each) and 0 when repeated within the cache TTL. Billing is the expensive
system: ask for billing fields only when you need them, and prefer smaller pages (\`first\`).
Vendor quotas are shared by every caller; a spent quota answers RATE_LIMITED with
\`retryAfter\` in seconds.

## Writes

Mutations go to the system of record and answer the record as it now holds it. The cross-system
writes (\`WinDeal\`, \`OnboardCustomer\`) take an \`idempotencyKey\`: the same key with the same
inputs returns the first outcome (\`replayed: true\`) and writes nothing again; each step's
outcome is reported, and earlier steps are undone when a later one fails. Single-system writes
take no key: calling one again writes again. Every write and every tool call is recorded in the
audit log under your key.
`;

/**
 * The link between a HubSpot contact and its Stripe customer (DESIGN.md, linking). Stripe
 * holds it, in the customer's metadata; the billing loaders read it with this rule, the
 * workflows write it, and invalidation follows it (./contact-customer-changes.ts).
 * Knows no vendor module: the records are described by the few fields the rule reads.
 */
import { asRecord } from '../changes/helpers.ts';
import { normalizeEmail } from './email.ts';

/** The Stripe metadata key that names a customer's HubSpot contact. */
export const HUBSPOT_CONTACT_METADATA_KEY = 'hubspot_contact_id';

/** The fields of a CRM contact the link rule needs. */
export interface ContactKey {
  id: string;
  email?: string | null;
}

/** The fields of a billing customer the link rule reads. */
export interface LinkableCustomer {
  id: string;
  email?: string | null;
  metadata: Readonly<Record<string, string | undefined>>;
}

/** The key of a contact's link lookup: the contact id plus the email the fallback needs. */
export function contactLinkKey(contact: ContactKey): string {
  return JSON.stringify([contact.id, contact.email ?? null]);
}

export function parseContactLinkKey(key: string): { id: string; email: string | null } {
  const [id, email] = JSON.parse(key) as [string, string | null];
  return { id, email };
}

/** Links are cached under the contact id alone: the link belongs to the contact, and is invalidated by it. */
export const contactIdOfLinkKey = (key: string): string => parseContactLinkKey(key).id;

/** The contact a customer's metadata names, if any. */
export function contactIdOfCustomer(customer: Pick<LinkableCustomer, 'metadata'>): string | undefined {
  return customer.metadata[HUBSPOT_CONTACT_METADATA_KEY];
}

/** What the link rule reads of billing, each batched by the caller's loaders. */
export interface ContactLinkReads<C extends LinkableCustomer> {
  /** Per contact id: ids of the customers whose metadata names it, newest first. */
  customerIdsByContact(contactIds: readonly string[]): Promise<(string[] | null)[]>;
  /** Per email: ids of the customers with that email (case-insensitive), newest first. */
  customerIdsByEmail(emails: readonly string[]): Promise<(string[] | null)[]>;
  customers(ids: readonly string[]): Promise<(C | null)[]>;
}

/**
 * The link rule, for a batch of contacts (keys from `contactLinkKey`):
 * 1. the customer whose `metadata.hubspot_contact_id` is the contact id — the most
 *    recently created one if there are several;
 * 2. otherwise, the one customer whose email equals the contact's email
 *    case-insensitively — only if exactly one customer has that email and it does not
 *    name a different contact in its metadata;
 * 3. otherwise none.
 * Step 2 runs only for the contacts step 1 left unresolved, all of them together.
 */
export async function resolveContactLinks<C extends LinkableCustomer>(
  keys: readonly string[],
  reads: ContactLinkReads<C>,
): Promise<Map<string, string | null>> {
  const contacts = keys.map(parseContactLinkKey);
  const byMetadata = await reads.customerIdsByContact(contacts.map((c) => c.id));
  const links = new Map<string, string | null>();
  const unresolved: { id: string; email: string }[] = [];
  contacts.forEach((contact, index) => {
    const first = byMetadata[index]?.[0];
    if (first) links.set(contact.id, first);
    else if (contact.email && contact.email.trim() !== '') unresolved.push({ id: contact.id, email: contact.email });
    else links.set(contact.id, null);
  });
  if (unresolved.length === 0) return links;

  const byEmail = await reads.customerIdsByEmail(unresolved.map((c) => c.email));
  const candidates = await reads.customers([...new Set(byEmail.flatMap((ids) => (ids?.length === 1 ? ids : [])))]);
  const candidateById = new Map(candidates.filter((c): c is C => c !== null).map((c) => [c.id, c]));
  unresolved.forEach((contact, index) => {
    const ids = byEmail[index] ?? [];
    const only = ids.length === 1 ? candidateById.get(ids[0]) : undefined;
    const namedContact = only ? contactIdOfCustomer(only) : undefined;
    links.set(contact.id, only && (!namedContact || namedContact === contact.id) ? only.id : null);
  });
  return links;
}

/** A customer's link keys as a change sees them: the contact its metadata names and its email, normalised. */
export function customerLinkKeys(record: unknown): { contactId?: string; email?: string } {
  const value = asRecord(record);
  const metadata = asRecord(value?.metadata);
  const contactId = metadata?.[HUBSPOT_CONTACT_METADATA_KEY];
  const email = value?.email;
  return {
    contactId: typeof contactId === 'string' && contactId !== '' ? contactId : undefined,
    email: typeof email === 'string' && email.trim() !== '' ? normalizeEmail(email) : undefined,
  };
}

/**
 * A contact's billing customers: by metadata (customer search,
 * `metadata["hubspot_contact_id"]:"<id>"` OR-ed ten to a request, Stripe's clause limit) and
 * by email (`email:"…"`, case-insensitive), and the link rule over both
 * (src/links/contact-customer.ts). `customerIdOfContact` settles a contact the metadata
 * links without waiting for the email fallback of the rest of its batch.
 */
import DataLoader from 'dataloader';
import { createCachedLoader, primeCache } from '../../cache/cached-loader.ts';
import { timeReads } from '../../cache/reads-begun.ts';
import {
  contactIdOfLinkKey,
  contactLinkKey,
  HUBSPOT_CONTACT_METADATA_KEY,
  resolveContactLinks,
  type ContactKey,
} from '../../links/contact-customer.ts';
import { normalizeEmail } from '../../links/email.ts';
import { CONTACT_LINK_BATCH, groupIds, loadAll } from './batch.ts';
import { searchAll } from './client.ts';
import type { BillingRead, BillingRecords } from './record-loaders.ts';
import { BILLING_CACHE_RESOURCES as R } from './resources.ts';
import type { StripeCustomer } from './schemas.ts';
import { anyOf, chunk, fieldClause, MAX_SEARCH_CLAUSES, metadataClause } from './wire.ts';

export interface CustomerSearches {
  customerIdsByContactMetadata: DataLoader<string, string[] | null>;
  customerIdsByEmail: DataLoader<string, string[] | null>;
}

export function createCustomerSearches({ api, cache }: BillingRead, { customer, primeSearched }: BillingRecords): CustomerSearches {
  /** Every live customer matching any of the clauses, primed as records. */
  async function searchCustomers(clauses: string[]): Promise<StripeCustomer[]> {
    const { value: found, begunAt: fetchedSince } = await timeReads(() => searchAll((page) => api.searchCustomers(anyOf(clauses), page)));
    return primeSearched(R.customer, customer, found, fetchedSince);
  }

  // A page's contacts in one batch, searched ten clauses at a time in parallel: every link
  // settles in the same tick, so what hangs off the customers (invoices) is asked together.
  const customerIdsByContactMetadata = createCachedLoader<string[]>({
    cache,
    resource: R.customerIdsByContactMetadata,
    maxBatchSize: CONTACT_LINK_BATCH,
    fetch: async (contactIds) => {
      const chunks = chunk(contactIds, MAX_SEARCH_CLAUSES);
      const found = (
        await Promise.all(chunks.map((ids) => searchCustomers(ids.map((id) => metadataClause(HUBSPOT_CONTACT_METADATA_KEY, id)))))
      ).flat();
      // Re-checked here: search may return a customer whose metadata has since changed.
      const byContact = groupIds(found, (c) => c.metadata[HUBSPOT_CONTACT_METADATA_KEY]);
      return new Map(contactIds.map((id) => [id, byContact.get(id) ?? []]));
    },
  });

  const customerIdsByEmail = createCachedLoader<string[]>({
    cache,
    resource: R.customerIdsByEmail,
    maxBatchSize: MAX_SEARCH_CLAUSES,
    cacheKeyFn: normalizeEmail,
    fetch: async (emails) => {
      const wanted = [...new Set(emails.map(normalizeEmail))];
      const found = await searchCustomers(wanted.map((email) => fieldClause('email', email)));
      const byEmail = groupIds(found, (c) => (c.email ? normalizeEmail(c.email) : null));
      return new Map(wanted.map((email) => [email, byEmail.get(email) ?? []]));
    },
  });

  return { customerIdsByContactMetadata, customerIdsByEmail };
}

export interface ContactLinks {
  customerIdByContact: DataLoader<string, string | null>;
  /** The contact's customer id under the link rule, once per contact and request. */
  customerIdOfContact(contact: ContactKey): Promise<string | null>;
  /** The link steps that need only the contact's id (see below). */
  linkById(contactId: string): Promise<[link: string | null | undefined, fromMetadata: boolean]>;
}

export function createContactLinks(
  { cache }: BillingRead,
  { customer }: BillingRecords,
  { customerIdsByContactMetadata, customerIdsByEmail }: CustomerSearches,
): ContactLinks {
  /** The link rule (src/links/contact-customer.ts) over this request's loaders. */
  const resolveLinks = (keys: readonly string[]) =>
    resolveContactLinks<StripeCustomer>(keys, {
      customerIdsByContact: (ids) => loadAll(customerIdsByContactMetadata, ids),
      customerIdsByEmail: (emails) => loadAll(customerIdsByEmail, emails),
      customers: (ids) => loadAll(customer, ids),
    });

  const customerIdByContact = createCachedLoader<string>({
    cache,
    resource: R.customerByContact,
    maxBatchSize: CONTACT_LINK_BATCH,
    cacheKeyFn: contactIdOfLinkKey,
    fetch: resolveLinks,
  });

  // What the link cache already says, read without resolving: undefined where it says nothing.
  const cachedContactLinks = new DataLoader<string, string | null | undefined>(
    async (contactIds) => cache.getMany<string>(R.customerByContact, contactIds).catch(() => contactIds.map(() => undefined)),
    { maxBatchSize: CONTACT_LINK_BATCH },
  );

  // One resolution per contact and request: the look-ahead and the billing subschema ask alike.
  const contactLinks = new Map<string, Promise<string | null>>();
  function customerIdOfContact(contact: ContactKey): Promise<string | null> {
    const key = contactLinkKey(contact);
    let link = contactLinks.get(key);
    if (!link) contactLinks.set(key, (link = resolveContactLink(contact)));
    return link;
  }

  /**
   * The link rule for one contact, without waiting on the rest of its batch: a contact the
   * metadata names settles as soon as the metadata searches answer, while the email
   * fallback runs for the others — so its invoices are asked of Stripe a search sooner.
   * A cached link comes first, as it did: it may know a customer the lagging search does not.
   */
  async function resolveContactLink(contact: ContactKey): Promise<string | null> {
    const [link, fromMetadata] = await linkById(contact.id);
    if (link === undefined) return customerIdByContact.load(contactLinkKey(contact));
    if (fromMetadata) {
      await primeCache({ cache, resource: R.customerByContact, loader: customerIdByContact, cacheKeyFn: contactIdOfLinkKey }, [
        [contactLinkKey(contact), link],
      ]);
    }
    return link;
  }

  /**
   * The steps of the link rule that need only the contact's id: the cached link (null: it
   * has none), else the newest customer the metadata names. Undefined leaves the link to the
   * email fallback; `fromMetadata` says the search, not the cache, decided it.
   */
  async function linkById(contactId: string): Promise<[link: string | null | undefined, fromMetadata: boolean]> {
    const cached = await cachedContactLinks.load(contactId);
    if (cached !== undefined) return [cached, false];
    const [first] = (await customerIdsByContactMetadata.load(contactId)) ?? [];
    return [first, first !== undefined];
  }

  return { customerIdByContact, customerIdOfContact, linkById };
}

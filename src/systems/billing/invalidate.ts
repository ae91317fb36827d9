/**
 * Which billing cache entries a change makes stale. Stripe's search index lags writes by
 * seconds, so link entries (contact → customers, email → customers, customer →
 * invoices/charges) are *updated* from the record the event carries rather than dropped:
 * dropping them would send the next read to a search that does not yet see the new record,
 * and cache its stale answer. The CRM side of the contact ↔ customer link is src/links'.
 */
import type { ResourceCache } from '../../cache/types.ts';
import { asRecord, drop, peek, relatedIds, stamped, strings, updateIdList, type Stamped } from '../../changes/helpers.ts';
import type { ChangeEvent } from '../../changes/types.ts';
import { customerLinkKeys, HUBSPOT_CONTACT_METADATA_KEY } from '../../links/contact-customer.ts';
import { normalizeEmail } from '../../links/email.ts';
import type { ChangeNotes } from '../system.ts';
import { BILLING_CACHE_RESOURCES as B, deletedResource, recentResource } from './resources.ts';

/** A customer's link keys before and after a change, and the record as the event carries it. */
interface CustomerLinkChange {
  record?: Stamped;
  nowContacts: string[];
  nowEmails: string[];
  oldContacts: string[];
  oldEmails: string[];
}

function customerLinkChange(event: ChangeEvent, cached: unknown): CustomerLinkChange {
  const before = customerLinkKeys(cached);
  const previousContact = asRecord(event.previous?.metadata)?.[HUBSPOT_CONTACT_METADATA_KEY];
  const previousEmail = event.previous?.email;
  const live = event.action !== 'deleted' && asRecord(event.record)?.deleted !== true;
  const now = live ? customerLinkKeys(event.record) : {};
  const record = live ? stamped(event.record) : undefined;
  // Without the record, the event's related ids are all there is to go by.
  const nowContacts = record ? strings(now.contactId) : relatedIds(event.related, 'contactId', 'hubspotContactId');
  const nowEmails = record ? strings(now.email) : relatedIds(event.related, 'email').map(normalizeEmail);
  const oldContacts = [before.contactId, typeof previousContact === 'string' ? previousContact : undefined].filter(
    (id): id is string => !!id && !nowContacts.includes(id),
  );
  const oldEmails = [before.email, typeof previousEmail === 'string' ? normalizeEmail(previousEmail) : undefined].filter(
    (email): email is string => !!email && !nowEmails.includes(email),
  );
  return { record, nowContacts, nowEmails, oldContacts, oldEmails };
}

/** The contacts whose metadata link changed: removed from the old ones' lists, added to the new ones' and linked. */
async function relinkContacts(billing: ResourceCache, event: ChangeEvent, change: CustomerLinkChange): Promise<void> {
  const { record } = change;
  for (const contactId of change.oldContacts)
    await updateIdList(billing, B.customerIdsByContactMetadata, B.customer, contactId, { remove: event.id });
  for (const contactId of change.nowContacts) {
    const list = record
      ? await updateIdList(billing, B.customerIdsByContactMetadata, B.customer, contactId, { add: record })
      : (await drop(billing, B.customerIdsByContactMetadata, [contactId]), undefined);
    // Rule 1 of the link: the newest customer naming the contact. A just-created customer
    // is the newest by definition, so the link can be set although search does not see it yet.
    const linked = list?.[0] ?? (record && event.action === 'created' ? record.id : undefined);
    if (linked) await billing.setMany<string>(B.customerByContact, [[contactId, linked]]);
    else await drop(billing, B.customerByContact, [contactId]);
  }
  for (const email of change.oldEmails) await updateIdList(billing, B.customerIdsByEmail, B.customer, email, { remove: event.id });
  for (const email of change.nowEmails) {
    if (record) await updateIdList(billing, B.customerIdsByEmail, B.customer, email, { add: record });
    else await drop(billing, B.customerIdsByEmail, [email]);
  }
  // The contacts the customer no longer names re-resolve their link.
  await drop(billing, B.customerByContact, change.oldContacts);
}

async function invalidateCustomer(billing: ResourceCache, event: ChangeEvent): Promise<ChangeNotes> {
  const [cached] = await peek<unknown>(billing, B.customer, [event.id]);
  const change = customerLinkChange(event, cached);
  // Dropped, not primed: a by-id GET is read-your-write consistent, and the event's copy
  // may be a webhook's raw object rather than the connector's parsed form.
  await drop(billing, B.customer, [event.id]);
  if (!change.record && event.action === 'deleted') await rememberDeleted(billing, B.customer, event.id);
  if (change.record && event.action === 'created') {
    // A new customer has no invoices or charges yet; saying so now keeps the lagging search
    // from answering "none" later, after the first invoice exists.
    for (const list of [B.invoiceIdsByCustomer, B.chargeIdsByCustomer]) {
      const [cachedList] = await peek<string[]>(billing, list, [event.id]);
      if (cachedList === undefined) await billing.setMany<string[]>(list, [[event.id, []]]);
    }
  }
  await relinkContacts(billing, event, change);
  // Rule 2 links by email: src/links re-resolves the contacts known under these emails.
  return { customerEmails: [...change.oldEmails, ...change.nowEmails], linkedContacts: change.nowContacts };
}

/** Billing entities owned by a customer, and the customer's id list for each. */
const CUSTOMER_CHILDREN: Record<
  string,
  { record: string; list: string; /** search-backed, so update rather than drop */ lagging: boolean }
> = {
  invoice: { record: B.invoice, list: B.invoiceIdsByCustomer, lagging: true },
  charge: { record: B.charge, list: B.chargeIdsByCustomer, lagging: true },
  subscription: { record: B.subscription, list: B.subscriptionIdsByCustomer, lagging: false },
};

function customerOf(record: unknown): string | undefined {
  const customer = asRecord(record)?.customer;
  if (typeof customer === 'string') return customer;
  const id = asRecord(customer)?.id;
  return typeof id === 'string' ? id : undefined;
}

export async function invalidateBilling(billing: ResourceCache, event: ChangeEvent): Promise<ChangeNotes | void> {
  if (event.entity === 'customer') return invalidateCustomer(billing, event);
  const child = CUSTOMER_CHILDREN[event.entity];
  if (!child) {
    await drop(billing, event.entity, [event.id]);
    return;
  }
  const [cached] = await peek<unknown>(billing, child.record, [event.id]);
  const live = event.action !== 'deleted' && asRecord(event.record)?.deleted !== true;
  const record = live ? stamped(event.record) : undefined;
  const customers = [...new Set([customerOf(cached), customerOf(event.record), ...relatedIds(event.related, 'customerId')])].filter(
    (id): id is string => !!id,
  );
  await drop(billing, child.record, [event.id]);
  if (child.lagging && event.action === 'deleted') await rememberDeleted(billing, child.record, event.id);
  for (const customerId of customers) {
    if (!child.lagging) await drop(billing, child.list, [customerId]);
    else if (record && customerOf(event.record) === customerId) {
      await updateIdList(billing, child.list, child.record, customerId, { add: record });
      await rememberRecent(billing, child.list, customerId, { add: event.id });
    } else {
      await updateIdList(billing, child.list, child.record, customerId, { remove: event.id });
      await rememberRecent(billing, child.list, customerId, { remove: event.id });
    }
  }
  // Paying an invoice creates a charge that the event names only by id: the customer's
  // charge list is re-read, with the new charge remembered until search shows it.
  const paidWith = event.entity === 'invoice' ? asRecord(event.record)?.charge : undefined;
  const chargeId = typeof paidWith === 'string' ? paidWith : asRecord(paidWith)?.id;
  const payer = customerOf(event.record);
  if (typeof chargeId === 'string' && payer) {
    await drop(billing, B.chargeIdsByCustomer, [payer]);
    await rememberRecent(billing, B.chargeIdsByCustomer, payer, { add: chargeId });
  }
}

/** Keeps a deleted id out of the lagging search's answers (see `deletedResource`). */
function rememberDeleted(cache: ResourceCache, recordResource: string, id: string): Promise<void> {
  return cache.setMany<boolean>(deletedResource(recordResource), [[id, true]]);
}

/** Keeps the ids written lately beside a search-backed list (see `recentResource`). */
async function rememberRecent(
  cache: ResourceCache,
  listResource: string,
  key: string,
  change: { add?: string; remove?: string },
): Promise<void> {
  const resource = recentResource(listResource);
  const [current] = await peek<string[]>(cache, resource, [key]);
  const ids = (Array.isArray(current) ? current : []).filter((id) => id !== change.add && id !== change.remove);
  if (change.add) ids.unshift(change.add);
  await cache.setMany<string[]>(resource, [[key, ids]]);
}

/**
 * Which cache entries a change makes stale. The cache is normalized (each record once,
 * under its id; links as id lists), so a change drops the record and the link entries
 * that can point at it or be changed by it.
 *
 * Where an event does not name the records it was linked to (a webhook often carries only
 * the id), the links are read from the cache before it is cleared: whatever the cache says
 * the record pointed at is exactly what the cache may now hold stale. A CRM record the
 * gateway itself just wrote and read back is cached in place of the dropped one.
 *
 * Stripe's search index lags writes by seconds, so billing link entries (contact →
 * customers, email → customers, customer → invoices/charges) are *updated* from the
 * record the event carries rather than dropped: dropping them would send the next read to
 * a search that does not yet see the new record, and cache its stale answer.
 */
import type { ResourceCache } from '../cache/types.ts';
import { BILLING_CACHE_RESOURCES as B, HUBSPOT_CONTACT_METADATA_KEY, recentResource } from '../systems/billing/loaders.ts';
import { CHAT_RESOURCES as S, DIRECTORY_ID, historyGenerationId } from '../systems/chat/loaders.ts';
import { CRM_RESOURCES as C } from '../systems/crm/loaders.ts';
import type { SystemName } from '../errors.ts';
import type { ChangeEvent } from './types.ts';

export type SystemCaches = Record<SystemName, ResourceCache>;

export type Invalidator = (event: ChangeEvent) => Promise<void>;

type Related = NonNullable<ChangeEvent['related']>;

const lowerEmail = (email: string) => email.trim().toLowerCase();

function strings(value: Related[string]): string[] {
  if (value === undefined) return [];
  return (typeof value === 'string' ? [value] : [...value]).filter((item) => item !== '');
}

function relatedIds(related: Related | undefined, ...keys: string[]): string[] {
  return [...new Set(keys.flatMap((key) => strings(related?.[key])))];
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;

/** The cache never fails a write's invalidation outright: a read error reads as "not cached". */
async function peek<T>(cache: ResourceCache, resource: string, ids: readonly string[]): Promise<(T | null | undefined)[]> {
  if (ids.length === 0) return [];
  try {
    return await cache.getMany<T>(resource, ids);
  } catch {
    return ids.map(() => undefined);
  }
}

async function drop(cache: ResourceCache, resource: string, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids.filter((id) => id !== ''))];
  if (unique.length > 0) await cache.delete(resource, unique);
}

// --- CRM --------------------------------------------------------------------------------

/** CRM entity → its record resource, list type, and the association resources on each side. */
const CRM_ENTITIES = {
  contact: {
    record: C.contact,
    listType: 'contacts',
    links: { company: [C.contactCompanies, C.companyContacts], deal: [C.contactDeals, C.dealContacts] },
  },
  company: {
    record: C.company,
    listType: 'companies',
    links: { contact: [C.companyContacts, C.contactCompanies], deal: [C.companyDeals, C.dealCompanies] },
  },
  deal: {
    record: C.deal,
    listType: 'deals',
    links: { contact: [C.dealContacts, C.contactDeals], company: [C.dealCompanies, C.companyDeals] },
  },
} as const satisfies Record<string, { record: string; listType: string; links: Record<string, readonly [string, string]> }>;

type CrmEntity = keyof typeof CRM_ENTITIES;

const RELATED_KEYS: Record<CrmEntity, readonly string[]> = {
  contact: ['contactId', 'contactIds'],
  company: ['companyId', 'companyIds'],
  deal: ['dealId', 'dealIds'],
};

function contactEmail(record: unknown): string | undefined {
  const properties = asRecord(asRecord(record)?.properties);
  const email = properties?.email;
  return typeof email === 'string' && email.trim() !== '' ? lowerEmail(email) : undefined;
}

/**
 * The gateway's own create or update read the record back from HubSpot after writing (by
 * id, never through the lagging search): that is the record as HubSpot now holds it, so
 * it is cached rather than dropped and the next read costs no call. Of two writes' events
 * handled out of order, the record modified last stays.
 */
async function keepWrittenRecord(crm: ResourceCache, resource: string, event: ChangeEvent, cached: unknown): Promise<void> {
  if (event.source !== 'gateway' || (event.action !== 'created' && event.action !== 'updated')) return;
  const written = modifiedAt(event.record, event.id);
  if (written === undefined) return;
  const other = modifiedAt(cached, event.id);
  const newest = other !== undefined && other > written ? cached : event.record;
  await crm.setMany(resource, [[event.id, newest]]).catch(() => undefined);
}

/** `updatedAt` of a CRM record with this id, as epoch ms; undefined for anything else. */
function modifiedAt(record: unknown, id: string): number | undefined {
  const value = asRecord(record);
  if (value?.id !== id || typeof value.updatedAt !== 'string' || !asRecord(value.properties)) return undefined;
  const ms = Date.parse(value.updatedAt);
  return Number.isNaN(ms) ? undefined : ms;
}

async function invalidateCrm(caches: SystemCaches, event: ChangeEvent): Promise<void> {
  const crm = caches.crm;
  if (event.entity === 'owner') {
    await drop(crm, C.owner, [event.id]);
    await drop(crm, C.ownerDirectory, ['all']);
    return;
  }
  if (!(event.entity in CRM_ENTITIES)) {
    // An entity the gateway does not cache per record (e.g. a pipeline): nothing else to do.
    await drop(crm, event.entity, [event.id]);
    return;
  }
  const entity = event.entity as CrmEntity;
  const spec = CRM_ENTITIES[entity];
  const [cachedRecord] = await peek<unknown>(crm, spec.record, [event.id]);

  for (const [otherEntity, [ownSide, otherSide]] of Object.entries(spec.links) as [CrmEntity, readonly [string, string]][]) {
    // The other side's link lists that may mention this record: the ones the event names
    // and the ones the cache says this record was linked to.
    const [cachedLinks] = await peek<{ ids: string[] }>(crm, ownSide, [event.id]);
    const others = [...relatedIds(event.related, ...RELATED_KEYS[otherEntity]), ...(cachedLinks?.ids ?? [])];
    await drop(crm, ownSide, [event.id]);
    await drop(crm, otherSide, others);
  }
  await drop(crm, spec.record, [event.id]);
  await keepWrittenRecord(crm, spec.record, event, cachedRecord);
  // Every list and search page of the type: a create or delete changes membership, and an
  // update can change which pages a record sorts or filters into.
  await drop(crm, C.listGeneration, [spec.listType]);
  if (event.action === 'linked' || event.action === 'unlinked') {
    for (const other of Object.keys(spec.links) as CrmEntity[]) {
      if (relatedIds(event.related, ...RELATED_KEYS[other]).length > 0) await drop(crm, C.listGeneration, [CRM_ENTITIES[other].listType]);
    }
  }

  if (entity === 'contact') {
    const emails = [
      contactEmail(cachedRecord),
      contactEmail(event.record),
      ...strings(event.related?.email).map(lowerEmail),
      ...strings(event.related?.previousEmail).map(lowerEmail),
      typeof event.previous?.email === 'string' ? lowerEmail(event.previous.email) : undefined,
    ].filter((email): email is string => email !== undefined);
    await drop(crm, C.contactByEmail, emails);
    // A contact's billing customer may be linked by its email: re-resolve the link.
    await drop(caches.billing, B.customerByContact, [event.id]);
  }
}

// --- billing ----------------------------------------------------------------------------

interface Stamped {
  id: string;
  created: number;
}

function stamped(record: unknown): Stamped | undefined {
  const value = asRecord(record);
  return typeof value?.id === 'string' && typeof value.created === 'number' ? { id: value.id, created: value.created } : undefined;
}

/**
 * Adds or removes one id in a cached newest-first id list. A list that is not cached stays
 * uncached (the next read asks Stripe); a removal from an uncached list needs nothing.
 * Returns the list as now cached, or undefined.
 */
async function updateIdList(
  cache: ResourceCache,
  listResource: string,
  recordResource: string,
  key: string,
  change: { add?: Stamped; remove?: string },
): Promise<string[] | undefined> {
  const [list] = await peek<string[]>(cache, listResource, [key]);
  if (!Array.isArray(list)) return undefined;
  let ids = list.filter((id) => id !== change.remove && id !== change.add?.id);
  if (change.add) {
    const records = await peek<Stamped>(cache, recordResource, ids);
    const created = new Map<string, number>(ids.map((id, index) => [id, records[index]?.created ?? Number.POSITIVE_INFINITY]));
    created.set(change.add.id, change.add.created);
    ids = [...ids, change.add.id].sort((a, b) => created.get(b)! - created.get(a)! || (a < b ? 1 : a > b ? -1 : 0));
  }
  await cache.setMany<string[]>(listResource, [[key, ids]]);
  return ids;
}

function customerLinkKeys(record: unknown): { contactId?: string; email?: string } {
  const value = asRecord(record);
  const metadata = asRecord(value?.metadata);
  const contactId = metadata?.[HUBSPOT_CONTACT_METADATA_KEY];
  const email = value?.email;
  return {
    contactId: typeof contactId === 'string' && contactId !== '' ? contactId : undefined,
    email: typeof email === 'string' && email.trim() !== '' ? lowerEmail(email) : undefined,
  };
}

async function invalidateCustomer(caches: SystemCaches, event: ChangeEvent): Promise<void> {
  const billing = caches.billing;
  const [cached] = await peek<unknown>(billing, B.customer, [event.id]);
  const before = customerLinkKeys(cached);
  const previousMetadata = asRecord(event.previous?.metadata);
  const previousContact = previousMetadata?.[HUBSPOT_CONTACT_METADATA_KEY];
  const previousEmail = event.previous?.email;
  const live = event.action !== 'deleted' && asRecord(event.record)?.deleted !== true;
  const now = live ? customerLinkKeys(event.record) : {};
  const record = live ? stamped(event.record) : undefined;
  // Without the record, the event's related ids are all there is to go by.
  const nowContacts = record ? strings(now.contactId) : relatedIds(event.related, 'contactId', 'hubspotContactId');
  const nowEmails = record ? strings(now.email) : relatedIds(event.related, 'email').map(lowerEmail);
  const oldContacts = [before.contactId, typeof previousContact === 'string' ? previousContact : undefined].filter(
    (id): id is string => !!id && !nowContacts.includes(id),
  );
  const oldEmails = [before.email, typeof previousEmail === 'string' ? lowerEmail(previousEmail) : undefined].filter(
    (email): email is string => !!email && !nowEmails.includes(email),
  );

  // Dropped, not primed: a by-id GET is read-your-write consistent, and the event's copy
  // may be a webhook's raw object rather than the connector's parsed form.
  await drop(billing, B.customer, [event.id]);
  if (record && event.action === 'created') {
    // A new customer has no invoices or charges yet; saying so now keeps the lagging search
    // from answering "none" later, after the first invoice exists.
    const lists = [B.invoiceIdsByCustomer, B.chargeIdsByCustomer];
    for (const list of lists) {
      const [cachedList] = await peek<string[]>(billing, list, [event.id]);
      if (cachedList === undefined) await billing.setMany<string[]>(list, [[event.id, []]]);
    }
  }

  const linkedContacts = new Set<string>();
  for (const contactId of oldContacts) {
    await updateIdList(billing, B.customerIdsByContactMetadata, B.customer, contactId, { remove: event.id });
    linkedContacts.add(contactId);
  }
  for (const contactId of nowContacts) {
    const list = record
      ? await updateIdList(billing, B.customerIdsByContactMetadata, B.customer, contactId, { add: record })
      : (await drop(billing, B.customerIdsByContactMetadata, [contactId]), undefined);
    // Rule 1 of the link: the newest customer naming the contact. A just-created customer
    // is the newest by definition, so the link can be set although search does not see it yet.
    const linked = list?.[0] ?? (record && event.action === 'created' ? record.id : undefined);
    if (linked) await billing.setMany<string>(B.customerByContact, [[contactId, linked]]);
    else await drop(billing, B.customerByContact, [contactId]);
  }
  for (const email of oldEmails) await updateIdList(billing, B.customerIdsByEmail, B.customer, email, { remove: event.id });
  for (const email of nowEmails) {
    if (record) await updateIdList(billing, B.customerIdsByEmail, B.customer, email, { add: record });
    else await drop(billing, B.customerIdsByEmail, [email]);
  }
  // Rule 2 links by email: the contacts the CRM cache knows under these emails re-resolve.
  const emailContacts = await peek<string>(caches.crm, C.contactByEmail, [...oldEmails, ...nowEmails]);
  for (const contactId of emailContacts) if (typeof contactId === 'string') linkedContacts.add(contactId);
  for (const contactId of nowContacts) linkedContacts.delete(contactId);
  await drop(billing, B.customerByContact, [...linkedContacts]);
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

async function invalidateBilling(caches: SystemCaches, event: ChangeEvent): Promise<void> {
  const billing = caches.billing;
  if (event.entity === 'customer') return invalidateCustomer(caches, event);
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

// --- chat -------------------------------------------------------------------------------

async function invalidateChat(caches: SystemCaches, event: ChangeEvent): Promise<void> {
  const chat = caches.chat;
  switch (event.entity) {
    case 'user': {
      const [cached] = await peek<unknown>(chat, S.user, [event.id]);
      const emailOf = (record: unknown) => asRecord(asRecord(record)?.profile)?.email;
      const emails = [emailOf(cached), emailOf(event.record), ...strings(event.related?.email)]
        .filter((email): email is string => typeof email === 'string' && email !== '')
        .map(lowerEmail);
      // The record read outside the directory (users.info / lookupByEmail) and the email links.
      // The user directory itself follows the change feed (systems/chat/directory.ts).
      await drop(chat, S.user, [event.id]);
      await drop(chat, S.userByEmail, emails);
      return;
    }
    case 'channel': {
      await drop(chat, S.channel, [event.id]);
      if (event.action === 'created' || event.action === 'deleted') await drop(chat, S.channel, [DIRECTORY_ID]);
      return;
    }
    case 'message': {
      const channel = strings(event.related?.channel)[0] ?? event.id.split(':')[0];
      const threadTs = strings(event.related?.threadTs);
      await drop(chat, S.message, [event.id, ...threadTs.map((ts) => `${channel}:${ts}`)]);
      // Every cached history page of the channel, whatever its cursor or window.
      await drop(chat, S.message, [historyGenerationId(channel)]);
      return;
    }
    default:
      await drop(chat, event.entity, [event.id]);
  }
}

const BY_SYSTEM: Record<SystemName, (caches: SystemCaches, event: ChangeEvent) => Promise<void>> = {
  crm: invalidateCrm,
  billing: invalidateBilling,
  chat: invalidateChat,
};

export function createInvalidator(caches: SystemCaches): Invalidator {
  return (event) => BY_SYSTEM[event.system](caches, event);
}

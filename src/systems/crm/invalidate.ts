/**
 * Which CRM cache entries a change makes stale. Each record is cached once under its id and
 * links as id lists, so a change drops the record and the link entries that can point at it.
 * Where an event does not name the records it was linked to (a webhook often carries only
 * the id), the links are read from the cache before it is cleared: whatever the cache says
 * the record pointed at is exactly what the cache may now hold stale. A record the gateway
 * itself just wrote and read back is cached in place of the dropped one.
 */
import type { ResourceCache } from '../../cache/types.ts';
import { asRecord, drop, peek, relatedIds, strings } from '../../changes/helpers.ts';
import type { ChangeEvent } from '../../changes/types.ts';
import { normalizeEmail } from '../../links/email.ts';
import { CRM_RESOURCES as C } from './resources.ts';

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
  return typeof email === 'string' && email.trim() !== '' ? normalizeEmail(email) : undefined;
}

/** Drops the association lists on both sides that may mention this record. */
async function dropLinks(crm: ResourceCache, entity: CrmEntity, event: ChangeEvent): Promise<void> {
  for (const [otherEntity, [ownSide, otherSide]] of Object.entries(CRM_ENTITIES[entity].links) as [
    CrmEntity,
    readonly [string, string],
  ][]) {
    // The other side's link lists that may mention this record: the ones the event names
    // and the ones the cache says this record was linked to.
    const [cachedLinks] = await peek<{ ids: string[] }>(crm, ownSide, [event.id]);
    const others = [...relatedIds(event.related, ...RELATED_KEYS[otherEntity]), ...(cachedLinks?.ids ?? [])];
    await drop(crm, ownSide, [event.id]);
    await drop(crm, otherSide, others);
  }
}

export async function invalidateCrm(crm: ResourceCache, event: ChangeEvent): Promise<void> {
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
  await dropLinks(crm, entity, event);
  // Dropped even after the gateway's own write, whose read-back it could keep: two writes to
  // one record on two replicas, announced at the same moment, could each keep theirs and leave
  // the older in the cache (the soak saw a client read its predecessor's value after its write).
  // A by-id read is read-your-write consistent, so the next one costs a call and is right.
  await drop(crm, spec.record, [event.id]);
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
      ...strings(event.related?.email).map(normalizeEmail),
      ...strings(event.related?.previousEmail).map(normalizeEmail),
      typeof event.previous?.email === 'string' ? normalizeEmail(event.previous.email) : undefined,
    ].filter((email): email is string => email !== undefined);
    await drop(crm, C.contactByEmail, emails);
  }
}

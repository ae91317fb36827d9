/** The CRM record loaders: objects by id (`batch/read`, ≤ 100; a contact read alone inlines its company links) and contacts by email. */
import type DataLoader from 'dataloader';
import { createCachedLoader, invalidateCached, primeCache } from '../../cache/cached-loader.ts';
import { timeReads } from '../../cache/reads-begun.ts';
import { normalizeEmail } from '../../links/email.ts';
import type { createAssociationLoaders } from './association-loaders.ts';
import { CRM_LIMITS } from './client.ts';
import { isObjectId, LIST_ASSOCIATIONS, RECORD_RESOURCE, type CrmReadContext, type RecordLoaders } from './read-shared.ts';
import { CRM_RESOURCES } from './resources.ts';
import type { CrmContact, CrmObject, CrmObjectType } from './schemas.ts';

export interface RecordParts {
  records: RecordLoaders;
  contactIdsByEmail: DataLoader<string, string | null>;
  contactByEmail(email: string): Promise<CrmContact | null>;
  /** Caches the email → id links of contacts read some other way. */
  /** `fetchedSince`: when the read that returned the records began (see primeCache). */
  primeEmailLinks(records: readonly CrmContact[], fetchedSince: number): Promise<void>;
}

export function createRecordLoaders(
  { connector, cache }: CrmReadContext,
  { primeInlineLinks }: Pick<ReturnType<typeof createAssociationLoaders>, 'primeInlineLinks'>,
): RecordParts {
  function objectLoader<T extends CrmObjectType>(type: T): DataLoader<string, CrmObject<T> | null> {
    return createCachedLoader<CrmObject<T>>({
      cache,
      resource: RECORD_RESOURCE[type],
      maxBatchSize: CRM_LIMITS.batchRead,
      fetch: async (ids) => {
        const valid = ids.filter(isObjectId);
        const inline = LIST_ASSOCIATIONS[type];
        if (valid.length === 1 && inline.length > 0) {
          // A record read alone (a detail view) comes with its links inline, saving the
          // association call its link fields would make next; a batch read cannot inline them.
          const { value: found, begunAt: fetchedSince } = await timeReads(() =>
            connector.getObject(type, valid[0], { associations: inline }),
          );
          if (!found) return new Map();
          await primeInlineLinks(type, inline, [[found.record.id, found.associations]], fetchedSince);
          if (type === 'contacts') await primeEmailLinks([found.record as CrmContact], fetchedSince);
          return new Map([[found.record.id, found.record]]);
        }
        const { value: records, begunAt: fetchedSince } = await timeReads(() => connector.batchReadObjects(type, valid));
        if (type === 'contacts') await primeEmailLinks(records as CrmContact[], fetchedSince);
        return new Map(records.map((record) => [record.id, record]));
      },
    });
  }

  const contacts = objectLoader('contacts');
  const records = { contacts, companies: objectLoader('companies'), deals: objectLoader('deals') } as RecordLoaders;

  const contactIdsByEmail = createCachedLoader<string>({
    cache,
    resource: CRM_RESOURCES.contactByEmail,
    maxBatchSize: CRM_LIMITS.batchRead,
    cacheKeyFn: normalizeEmail,
    fetch: async (emails) => {
      const valid = emails.filter((email) => /^[^\s@]+@[^\s@]+$/.test(email.trim()));
      const { value: records, begunAt: fetchedSince } = await timeReads(() =>
        connector.batchReadObjects(
          'contacts',
          valid.map((email) => email.trim()),
          { idProperty: 'email' },
        ),
      );
      await primeCache(
        { cache, resource: CRM_RESOURCES.contact, loader: contacts },
        records.map((record) => [record.id, record] as const),
        fetchedSince,
      );
      const found = new Map<string, string>();
      for (const record of records) if (record.properties.email) found.set(normalizeEmail(record.properties.email), record.id);
      return found;
    },
  });

  async function primeEmailLinks(records: readonly CrmContact[], fetchedSince: number): Promise<void> {
    const entries = records.filter((record) => record.properties.email).map((record) => [record.properties.email!, record.id] as const);
    await primeCache(
      { cache, resource: CRM_RESOURCES.contactByEmail, loader: contactIdsByEmail, cacheKeyFn: normalizeEmail },
      entries,
      fetchedSince,
    );
  }

  async function contactByEmail(email: string): Promise<CrmContact | null> {
    const key = normalizeEmail(email);
    for (let attempt = 0; attempt < 2; attempt++) {
      const id = await contactIdsByEmail.load(key);
      if (id === null) return null;
      const contact = await contacts.load(id);
      // The link is only an index: if the contact's email changed (or it was deleted) since
      // the link was cached, drop the link and ask HubSpot once more.
      if (contact && normalizeEmail(contact.properties.email ?? '') === key) return contact;
      await invalidateCached({ cache, resource: CRM_RESOURCES.contactByEmail, loader: contactIdsByEmail, cacheKeyFn: normalizeEmail }, [
        key,
      ]);
    }
    return null;
  }

  return { records, contactIdsByEmail, contactByEmail, primeEmailLinks };
}

/**
 * HubSpot catch-up: search on `lastmodifieddate` (contacts) / `hs_lastmodifieddate`
 * (companies, deals) greater than the cursor, one change per record. Archived records are
 * not searchable, so the archived lists (`archived=true`) are read for `archivedAt` after it.
 */
import type { ChangeEvent } from '../../changes/types.ts';
import type { CatchUpSource } from '../system.ts';
import type { CrmConnector } from './client.ts';
import type { CrmObjectType } from './schemas.ts';

const CRM_TYPES: { type: CrmObjectType; entity: string; property: string }[] = [
  { type: 'contacts', entity: 'contact', property: 'lastmodifieddate' },
  { type: 'companies', entity: 'company', property: 'hs_lastmodifieddate' },
  { type: 'deals', entity: 'deal', property: 'hs_lastmodifieddate' },
];
/** HubSpot search returns at most 10,000 results per query. */
const CRM_SEARCH_CAP = 10_000;

export async function crmChangesSince({ connector, since }: CatchUpSource<CrmConnector>): Promise<ChangeEvent[]> {
  const found: ChangeEvent[] = [];
  for (const { type, entity, property } of CRM_TYPES) {
    found.push(...(await modifiedSince(connector, type, entity, property, since)));
    found.push(...(await archivedSince(connector, type, entity, since)));
  }
  return found.sort((a, b) => a.occurredAt - b.occurredAt);
}

async function modifiedSince(crm: CrmConnector, type: CrmObjectType, entity: string, property: string, since: number) {
  const found: ChangeEvent[] = [];
  let after: string | undefined;
  do {
    const page = await crm.searchObjects(type, {
      filterGroups: [{ filters: [{ propertyName: property, operator: 'GT', value: String(since) }] }],
      limit: 100,
      after,
    });
    for (const record of page.records) {
      const at = Date.parse(record.updatedAt);
      found.push({
        eventId: `hubspot-catch-up:${entity}:${record.id}:${at}`,
        system: 'crm',
        entity,
        id: record.id,
        action: 'updated',
        occurredAt: at,
        source: 'catch-up',
      });
    }
    after = page.after ?? undefined;
  } while (after && Number(after) < CRM_SEARCH_CAP);
  return found;
}

async function archivedSince(crm: CrmConnector, type: CrmObjectType, entity: string, since: number) {
  const found: ChangeEvent[] = [];
  let after: string | undefined;
  do {
    const page: Awaited<ReturnType<CrmConnector['listObjects']>> = await crm.listObjects(type, { limit: 100, after, archived: true });
    for (const record of page.records) {
      const at = record.archivedAt ? Date.parse(record.archivedAt) : Number.NaN;
      if (!(at > since)) continue;
      found.push({
        eventId: `hubspot-catch-up:${entity}:${record.id}:archived:${at}`,
        system: 'crm',
        entity,
        id: record.id,
        action: 'deleted',
        occurredAt: at,
        source: 'catch-up',
      });
    }
    after = page.after ?? undefined;
  } while (after);
  return found;
}

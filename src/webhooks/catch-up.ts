/**
 * Catch-up after downtime: webhooks sent while no gateway was listening are lost or
 * retried late, so on start the gateway reads each vendor's own change feed from the last
 * change it saw (the durable cursor) and publishes what it missed through the change feed,
 * which deduplicates against anything the webhooks also deliver.
 *
 * - Stripe: `GET /v1/events?created[gte]=<cursor>` (the seconds boundary is re-read; event
 *   ids make that harmless).
 * - HubSpot: search on `lastmodifieddate` (contacts) / `hs_lastmodifieddate` (companies,
 *   deals) greater than the cursor, one change per record. Archived records are not
 *   searchable, so the archived lists (`archived=true`) are read for `archivedAt` after it.
 * - Slack: none — history reads are rate-limited to 1/min per channel for new apps;
 *   messages are cached 15 s, so a missed message shows up by TTL.
 *
 * A cursor that does not exist yet (first start) is set to now: there is nothing to catch up.
 */
import type { ChangeEvent, ChangeFeed } from '../changes/types.ts';
import { listEventsSince } from '../systems/billing/events.ts';
import type { CrmConnector } from '../systems/crm/client.ts';
import type { CrmObjectType } from '../systems/crm/schemas.ts';
import type { SystemName } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { UpstreamClient } from '../upstream/types.ts';
import type { CursorStore } from './cursor.ts';
import { stripeChange } from './map.ts';

export interface CatchUpOptions {
  cursor: CursorStore;
  changes: ChangeFeed;
  billing: UpstreamClient;
  crm: CrmConnector;
  logger: Logger;
}

export interface CatchUpReport {
  crm: number;
  billing: number;
}

const CRM_TYPES: { type: CrmObjectType; entity: string; property: string }[] = [
  { type: 'contacts', entity: 'contact', property: 'lastmodifieddate' },
  { type: 'companies', entity: 'company', property: 'hs_lastmodifieddate' },
  { type: 'deals', entity: 'deal', property: 'hs_lastmodifieddate' },
];
/** HubSpot search returns at most 10,000 results per query. */
const CRM_SEARCH_CAP = 10_000;

export async function catchUp(options: CatchUpOptions, now = Date.now()): Promise<CatchUpReport> {
  const report: CatchUpReport = { crm: 0, billing: 0 };
  const since = async (system: SystemName) => {
    const at = await options.cursor.get(system);
    if (at === undefined) await options.cursor.advance(system, now);
    return at;
  };

  const billingSince = await since('billing');
  if (billingSince !== undefined) {
    const events = await listEventsSince(options.billing, Math.floor(billingSince / 1000));
    for (const event of events) {
      const change = stripeChange(event, 'catch-up');
      if (!change) continue;
      await options.changes.publish(change);
      await options.cursor.advance('billing', change.occurredAt);
      report.billing++;
    }
  }

  const crmSince = await since('crm');
  if (crmSince !== undefined) {
    const found: ChangeEvent[] = [];
    for (const { type, entity, property } of CRM_TYPES) {
      let after: string | undefined;
      do {
        const page = await options.crm.searchObjects(type, {
          filterGroups: [{ filters: [{ propertyName: property, operator: 'GT', value: String(crmSince) }] }],
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
      after = undefined;
      do {
        const page: Awaited<ReturnType<CrmConnector['listObjects']>> = await options.crm.listObjects(type, {
          limit: 100,
          after,
          archived: true,
        });
        for (const record of page.records) {
          const at = record.archivedAt ? Date.parse(record.archivedAt) : Number.NaN;
          if (!(at > crmSince)) continue;
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
    }
    found.sort((a, b) => a.occurredAt - b.occurredAt);
    for (const change of found) {
      await options.changes.publish(change);
      await options.cursor.advance('crm', change.occurredAt);
      report.crm++;
    }
  }
  if (report.crm + report.billing > 0) options.logger.info(report, 'caught up on changes missed while the gateway was down');
  return report;
}

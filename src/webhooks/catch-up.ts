/**
 * Catch-up after downtime: webhooks sent while no gateway was listening are lost or
 * retried late, so on start the gateway reads each vendor's own change feed (its system
 * module's `catchUp`, e.g. Stripe's event list, HubSpot's last-modified search) from the
 * last change it saw (the durable cursor) and publishes what it missed through the change
 * feed, which deduplicates against anything the webhooks also deliver. Systems without a
 * feed (Slack) have none.
 *
 * A cursor that does not exist yet (first start) is set to now: there is nothing to catch up.
 */
import type { ChangeEvent, ChangeFeed } from '../changes/types.ts';
import type { SystemName } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { CursorStore } from './cursor.ts';

/** A system that can list the changes it made since a time. */
export interface CatchUpSystem {
  name: SystemName;
  /** Undefined for a system without a change feed. */
  changesSince?: (since: number) => Promise<ChangeEvent[]>;
}

export interface CatchUpOptions {
  cursor: CursorStore;
  changes: ChangeFeed;
  systems: readonly CatchUpSystem[];
  logger: Logger;
}

/** Changes published, by system (systems with a change feed only). */
export type CatchUpReport = Partial<Record<SystemName, number>>;

export async function catchUp(options: CatchUpOptions, now = Date.now()): Promise<CatchUpReport> {
  const report: CatchUpReport = {};
  for (const system of options.systems) {
    if (!system.changesSince) continue;
    report[system.name] = 0;
    const since = await options.cursor.get(system.name);
    if (since === undefined) {
      await options.cursor.advance(system.name, now);
      continue;
    }
    for (const change of await system.changesSince(since)) {
      await options.changes.publish(change);
      await options.cursor.advance(system.name, change.occurredAt);
      report[system.name] = (report[system.name] ?? 0) + 1;
    }
  }
  const total = Object.values(report).reduce((sum, count) => sum + (count ?? 0), 0);
  if (total > 0) options.logger.info(report, 'caught up on changes missed while the gateway was down');
  return report;
}

/**
 * The durable write store `serve` runs with. In demo mode with the whole embedded sandbox
 * and the embedded store, the sandbox is seeded afresh at every start, so the store is
 * keyed to this start's world and emptied when it was written against another (see the
 * README, "Demo mode: the store follows the sandbox world"). With PostgreSQL, or any real
 * vendor, it is never emptied: those records may refer to writes that still exist.
 */
import type { Config } from './config.ts';
import type { Logger } from './observability/logger.ts';
import { createWriteStore, type WriteStore } from './store/index.ts';

export function createServeWriteStore(config: Config, sandbox: { instanceId: string } | undefined, logger: Logger): WriteStore {
  const wholeSandbox = config.sandboxSystems.length === 3;
  const world = config.mode === 'demo' && sandbox && wholeSandbox && !config.store.databaseUrl ? sandbox.instanceId : undefined;
  return createWriteStore({
    databaseUrl: config.store.databaseUrl,
    dataDir: config.webhooks.dataDir,
    schema: config.store.schema,
    leaseMs: config.store.leaseMs,
    world,
    onWorldChange: () =>
      logger.info(
        'the sandbox world is new since the last start: the demo write store (idempotency records, audit log) starts empty with it',
      ),
  });
}

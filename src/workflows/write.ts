/**
 * The frame every single-system mutation runs in: run the system's command (which validates
 * its input first, so nothing is sent when it is bad), publish what changed (awaited, so the
 * caller's next read sees it), and append the audit record — whatever the outcome.
 */
import { randomUUID } from 'node:crypto';
import { readingAfresh } from '../cache/reads-begun.ts';
import type { ChangeSpec } from '../changes/types.ts';
import type { Command, CommandResult } from '../command.ts';
import type { GatewayContext } from '../context.ts';
import { GatewayError, isGatewayError } from '../errors.ts';
import type { AuditEntry, AuditOutcome } from '../store/index.ts';

/**
 * The caller as the audit log names it. Auth is added by another module; until a
 * principal is set on the context, writes are recorded as 'anonymous'.
 */
export function principalOf(context: GatewayContext): string {
  return (context as { principal?: { id?: string } }).principal?.id ?? 'anonymous';
}

/**
 * A write that timed out after it was sent, or whose answer could not be read (a vendor that
 * accepted it and answered a broken body), may or may not have happened upstream. It is never
 * retried blindly (that could write twice); the caller learns the outcome is unknown.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  return isGatewayError(error) && (UNKNOWN_OUTCOME_CODES.has(error.code) || error.sent);
}

const UNKNOWN_OUTCOME_CODES = new Set(['UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE']);

export function outcomeUnknown(error: GatewayError, evicted = false): GatewayError {
  const read = evicted
    ? 'cached copies of what it could have changed were evicted, so reading the record now asks the vendor'
    : 'read the record';
  const message = `${error.message}; the write may or may not have been applied — ${read}, or retry with an idempotency key`;
  return new GatewayError('WRITE_OUTCOME_UNKNOWN', message, {
    service: error.service,
    cause: error,
  });
}

/**
 * Drops every cached copy (records, links, lists, whole responses, on every replica) of
 * what a write whose outcome is unknown could have changed, so the read the caller is
 * advised to make reaches the vendor instead of answering from before the write. Goes
 * through the change feed like any change; true when every eviction was published. Dated
 * `sentAt`, when the write went upstream, like an announcement: the vendor's webhook for it,
 * dated at or after that, is then its echo and reaches subscribers once.
 */
export async function evictUnknown(context: GatewayContext, affects: readonly ChangeSpec[], sentAt: number): Promise<boolean> {
  if (affects.length === 0) return false;
  // No record: the event says only that these may have changed, so nothing is primed. A
  // change to a record whose id is not known (a create that may or may not have happened:
  // id '' or '<channel>:') goes out as 'deleted', the one action no subscription announces,
  // so its lists and lookups are evicted without telling subscribers of a record that may not exist.
  return publishChanges(
    context,
    affects.map(({ record: _record, ...change }) =>
      change.id === '' || change.id.endsWith(':') ? { ...change, action: 'deleted' as const } : change,
    ),
    sentAt,
  );
}

/**
 * Announces what a write changed; true when every change was published. `sentAt`: when the
 * write went upstream — the moment the change occurred, as far as we know. A feed still down
 * after its retries is logged, never thrown: the write happened at the vendor, and answering
 * it as failed would tell the caller otherwise (and make a workflow undo a step that worked).
 */
export async function publishChanges(context: GatewayContext, changes: readonly ChangeSpec[], sentAt = Date.now()): Promise<boolean> {
  let published = true;
  for (const change of changes) {
    try {
      await context.changes.publish({ ...change, eventId: `gw_${randomUUID()}`, occurredAt: sentAt, source: 'gateway' });
    } catch (error) {
      published = false;
      context.log.error(
        { err: error, system: change.system, entity: change.entity, id: change.id },
        "could not announce a write's change yet: it is tried again in the background; until then cached copies may show the old value",
      );
    }
  }
  return published;
}

export interface WriteSpec {
  operation: string;
  inputs: unknown;
  idempotencyKey?: string | null;
}

/** An audit row with the caller and request filled in; a failure to record it is logged, never thrown. */
export async function appendAudit(
  context: GatewayContext,
  entry: Omit<AuditEntry, 'principal' | 'requestId' | 'finishedAt'>,
): Promise<void> {
  await context.writes.store.audit
    .append({ ...entry, finishedAt: new Date(), principal: principalOf(context), requestId: context.requestId })
    .catch((error: unknown) => {
      // The write itself is done (or failed) upstream; losing its audit row must be loud,
      // and findable under the request's ID like every other line about it.
      context.log.error({ err: error, operation: entry.operation }, 'could not record the audit row');
    });
}

/** The outcome an error gives a write that ended with it. */
function outcomeOf(error: unknown): AuditOutcome {
  if (!isGatewayError(error)) return 'failed';
  if (error.code === 'WRITE_OUTCOME_UNKNOWN') return 'outcome_unknown';
  return REJECTIONS.has(error.code) ? 'rejected' : 'failed';
}

/** Codes that mean the gateway refused the write before sending it. */
const REJECTIONS = new Set<string>(['BAD_USER_INPUT']);

/** An idempotency key as given, for the audit row of a write refused before the key was validated. */
export function givenKey(args: unknown): string | null {
  const key = (args as { idempotencyKey?: unknown } | null)?.idempotencyKey;
  return typeof key === 'string' && key.length <= 200 ? key : null;
}

/**
 * Runs one system's command, audited under `spec.operation`; audit failures are logged, never
 * turned into a failed write that happened. The command validates inside `run`, so a
 * rejected input is recorded too; what it `affects` is evicted when its outcome is unknown.
 */
export async function performWrite<T>(context: GatewayContext, spec: WriteSpec, command: Command<T>): Promise<T> {
  const startedAt = new Date();
  let outcome: AuditOutcome = 'failed';
  let errorCode: string | null = null;
  let upstream: CommandResult<T>['upstream'] = [];
  try {
    const result = await readingAfresh(() => command.run());
    upstream = result.upstream;
    outcome = 'succeeded';
    await publishChanges(context, result.changes, startedAt.getTime());
    return result.value;
  } catch (error) {
    if (isGatewayError(error) && error.writeApplied) {
      // Done at the vendor, only reading it back failed: announce the change so no cache keeps the old record.
      outcome = 'succeeded';
      errorCode = error.code;
      await evictUnknown(context, command.affects(), startedAt.getTime());
      throw error;
    }
    const failure = isOutcomeUnknown(error)
      ? outcomeUnknown(error as GatewayError, await evictUnknown(context, command.affects(), startedAt.getTime()))
      : error;
    outcome = outcomeOf(failure);
    errorCode = isGatewayError(failure) ? failure.code : 'INTERNAL_SERVER_ERROR';
    throw failure;
  } finally {
    const { operation, idempotencyKey, inputs } = spec;
    await appendAudit(context, { startedAt, operation, idempotencyKey: idempotencyKey ?? null, inputs, upstream, outcome, errorCode });
  }
}

/**
 * Invariant 4, read-your-writes and convergence.
 *
 * After a client's write is acknowledged, no read of that record by the same client (on
 * either replica) invoked after the acknowledgement returns an older value. A value is older
 * when every time the vendor received it was before the acknowledged write was invoked (it
 * was overwritten by that write), or when it is the record's value from before the run. A
 * value the vendor received while the write was in flight or after it is not older: that
 * write overlapped or followed. When the vendor received each value comes from the vendor's
 * own request log (`cluster.arrivals`), and, for edits made in the vendor's UI, from the
 * history (an edit is in place by the time it completes).
 *
 * Convergence: each vendor-side edit is probed on both replicas until they serve it; the
 * time it took is reported as percentiles, overall and for edits made within a few seconds
 * of a Redis restart. An edit a replica did not serve within the probe's 60 s is a violation,
 * unless the vendor's log shows it was overwritten by a value the probe does not take (see
 * `overwrittenEdits`): then a client's read may still show the replica served it, or the edit
 * is counted apart as not judged.
 */
import type { SystemName } from '@switchboard/sandbox';
import type { Operation } from '../history.ts';
import type { CheckInput, InvariantResult, Violation } from './types.ts';

/** Each write kind, the read that shows its value, and the record's value before the run. */
const RECORDS = {
  'write:updateContact': { read: 'read:contact', field: 'jobTitle', system: 'crm' },
  'write:updateCustomer': { read: 'read:customer', field: 'name', system: 'billing' },
} as const satisfies Record<string, { read: string; field: string; system: SystemName }>;
type WriteKind = keyof typeof RECORDS;

/** How long the workload probes an edit. */
const PROBE_MS = 60_000;
/** Edits made this long after a Redis restart are reported apart: the cache and the feed were just rebuilt. */
const AFTER_RESTART_MS = 10_000;
/** Values the soak writes: unique words, so that a request body carrying one is a write of it. */
const VALUE = /\b(?:soak|vendor)-[\w-]+/g;
/** Requests that mention a value without writing it. */
const READ_ROUTE = /\/search|\/batch\/read/;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function spread(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 'none';
  return `p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms (n=${sorted.length})`;
}

/** When the vendor received each value the run wrote (any client, any attempt, or an edit in its UI). */
function receivedTimes({ cluster, history }: CheckInput): Map<string, number[]> {
  const written = new Set(history.operations.flatMap((op) => (op.value === undefined ? [] : [op.value])));
  const times = new Map<string, number[]>();
  const add = (value: string, at: number) => {
    if (!written.has(value)) return;
    const list = times.get(value);
    if (list) list.push(at);
    else times.set(value, [at]);
  };
  for (const arrival of cluster.arrivals) {
    if (!arrival.body || arrival.status < 200 || arrival.status >= 300 || READ_ROUTE.test(arrival.route)) continue;
    for (const value of arrival.body.match(VALUE) ?? []) add(value, arrival.at);
  }
  for (const op of history.operations) if (op.kind === 'vendor:edit' && op.completedAt !== undefined) add(op.value!, op.completedAt);
  return times;
}

/**
 * The probe waits for the edit's value or one written by an operation invoked after the edit;
 * a write already in flight that lands after the edit overwrites it with a value the probe does
 * not take. The vendor's own order of the record's values settles what the probe could not:
 * a client's read on the replica that returned the edit's value or a later one shows the
 * replica served it (`servedMs`); and when the record's last value within the probe's time is
 * one the probe does not take, a replica serving it was never going to satisfy the probe
 * (`probeBlind`), so its verdict says nothing.
 */
function overwrittenEdits({ history, live }: CheckInput): (edit: Operation, replica: 0 | 1) => { servedMs?: number; probeBlind: boolean } {
  const takenAt = new Map<string, number>();
  for (const change of live?.changes ?? []) {
    if (change.propertyName === 'jobtitle' && change.propertyValue !== undefined) takenAt.set(change.propertyValue, change.occurredAt);
  }
  const reads = history.operations.filter((op) => op.kind === 'read:contact' && op.completion === 'ok');
  return (edit, replica) => {
    const since = takenAt.get(edit.value!);
    if (since === undefined) return { probeBlind: false };
    const read = reads.find((op) => {
      const seen = (op.result as { jobTitle?: unknown } | undefined)?.jobTitle;
      return (
        op.subject === edit.subject &&
        op.replica === replica &&
        op.invokedAt >= edit.completedAt! &&
        typeof seen === 'string' &&
        (takenAt.get(seen) ?? Number.NEGATIVE_INFINITY) >= since
      );
    });
    const last = live?.changes
      .filter((c) => c.contactId === edit.subject && c.propertyName === 'jobtitle' && c.occurredAt <= edit.completedAt! + PROBE_MS)
      .at(-1)?.propertyValue;
    const probeTakes =
      last === edit.value || history.operations.some((op) => op.value === last && op.invokedAt >= edit.completedAt! && op.id !== edit.id);
    return { ...(read ? { servedMs: read.completedAt! - edit.completedAt! } : {}), probeBlind: last !== undefined && !probeTakes };
  };
}

function seedValue({ cluster }: CheckInput, kind: WriteKind, id: string): string | undefined {
  const { world } = cluster.sandbox;
  return kind === 'write:updateContact'
    ? world.contacts.find((contact) => contact.id === id)?.jobTitle
    : world.customers.find((customer) => customer.id === id)?.name;
}

export function checkReadYourWrites(input: CheckInput): InvariantResult {
  const { history } = input;
  const received = receivedTimes(input);
  const violations: Violation[] = [];
  // Acknowledged writes per client, kind and record, in the order they were invoked.
  const acked = new Map<string, Operation[]>();
  for (const op of history.operations) {
    if (!(op.kind in RECORDS) || op.completion !== 'ok' || op.subject === undefined) continue;
    const key = `${op.client}|${RECORDS[op.kind as WriteKind].read}|${op.subject}`;
    acked.set(key, [...(acked.get(key) ?? []), op]);
  }
  let checked = 0;
  let ownValue = 0;
  for (const read of history.operations) {
    if (read.completion !== 'ok' || read.subject === undefined) continue;
    const writes = acked.get(`${read.client}|${read.kind}|${read.subject}`);
    // The latest write acknowledged before this read: any value older than it is older than every earlier one too.
    const write = writes?.filter((w) => w.completedAt! < read.invokedAt).at(-1);
    if (!write) continue;
    checked++;
    const { field } = RECORDS[write.kind as WriteKind];
    const seen = (read.result as Record<string, unknown> | undefined)?.[field];
    if (seen === write.value) {
      ownValue++;
      continue;
    }
    const seed = seedValue(input, write.kind as WriteKind, write.subject!);
    const times = typeof seen === 'string' ? received.get(seen) : undefined;
    const older = seen === seed || (seen == null && !seed) ? 'the value from before the run' : undefined;
    const reason =
      older ??
      (times === undefined
        ? `a value the vendor never received for it`
        : Math.max(...times) < write.invokedAt
          ? `a value the vendor last received ${write.invokedAt - Math.max(...times)} ms before the write was sent`
          : undefined);
    if (!reason) continue;
    violations.push({
      ops: [write.id, read.id],
      detail:
        `${read.client} read ${read.kind.slice(5)} ${read.subject} on replica ${read.replica} ${read.invokedAt - write.completedAt!} ms after ` +
        `its write of '${write.value}' was acknowledged (replica ${write.replica}) and got '${String(seen)}', ${reason}`,
    });
  }

  const edits = history.operations.filter((op) => op.kind === 'vendor:edit' && op.completion === 'ok');
  const restarts = history.nemesis.filter((event) => event.action.startsWith('redis:restart'));
  const overwritten = overwrittenEdits(input);
  const afterRestart: number[] = [];
  let unconverged = 0;
  let superseded = 0;
  let unjudged = 0;
  for (const edit of edits) {
    const result = edit.result as { convergedMs: Partial<Record<0 | 1, number>>; unconverged: (0 | 1)[] } | undefined;
    if (!result) continue;
    const near = restarts.some((r) => edit.invokedAt >= r.at && edit.invokedAt <= (r.until ?? r.at) + AFTER_RESTART_MS);
    if (near) afterRestart.push(...Object.values(result.convergedMs));
    for (const replica of result.unconverged) {
      const { servedMs, probeBlind } = overwritten(edit, replica);
      if (servedMs !== undefined && servedMs <= PROBE_MS) {
        superseded++;
        continue;
      }
      if (probeBlind) {
        unjudged++;
        continue;
      }
      unconverged++;
      violations.push({
        ops: [edit.id],
        detail: `vendor edit of contact ${edit.subject} to '${edit.value}' not served by replica ${replica} within 60 s${near ? ' (after a Redis restart)' : ''}`,
      });
    }
  }
  return {
    id: 4,
    name: 'read-your-writes; vendor changes converge',
    checked: checked + edits.length,
    violations,
    figures: {
      'reads after own write': `${checked} (${ownValue} saw it)`,
      convergence: spread(input.convergenceMs),
      'after Redis restart': restarts.length ? spread(afterRestart) : 'no restart',
      'edits never served': unconverged,
      ...(superseded ? { 'edits overwritten, served later (per reads)': superseded } : {}),
      ...(unjudged ? { 'edits overwritten, not judged': unjudged } : {}),
    },
  };
}

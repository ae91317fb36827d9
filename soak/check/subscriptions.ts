/**
 * Invariant 6: each subscriber hears of each change once — no duplicates, nothing missed.
 *
 * Duplicates. The gateway resolves every event afresh (src/subscriptions/schema.ts), so an
 * event shows the record as it is when the event is resolved, not as the change left it:
 * two changes close together may both show the later state, and a change that moves no
 * `updatedAt` (HubSpot's links) shows the state it found. Two events with the same
 * (id, updatedAt) are therefore not by themselves one change delivered twice. What is: more
 * events for a contact than there were changes that could have produced them. Each event is
 * matched to a distinct change the vendor logged for that contact (or a gateway announcement
 * without one: a write whose outcome was unknown, a retried write) that occurred before the
 * state the event shows was replaced and before the event arrived, and not long before the
 * subscriber connected; an event left without a change is a duplicate (for instance a
 * webhook echo of the gateway's own announcement published again, or one change fanned out
 * twice). The feed's fan-out, tapped in Redis, names what each duplicate was made of.
 *
 * Missed. Each acknowledged update and each vendor edit of a contact, made while a subscriber
 * was connected throughout (from its invocation until a settle time after it could be
 * delivered, so its replica was up the whole time), must reach that subscriber as an event
 * showing that state or a later one. An event is the record read fresh from HubSpot: while a
 * CRM fault lasts, and for the wait the gateway then keeps by rule (HubSpot's ten-second rate
 * policy, the breaker's trial), it cannot be delivered, and a subscriber whose replica was
 * killed before then lost it with the connection (a GraphQL subscription does not resume).
 * Such changes are counted, not excused silently.
 */
import type { ContactChange } from '../crm-changes.ts';
import type { Operation } from '../history.ts';
import type { ContactEvent } from '../subscribers.ts';
import type { CheckInput, InvariantResult, LiveRecord, Violation } from './types.ts';

/** How long after a change completed its event may take to arrive, for it to count as missed. */
const SETTLE_MS = 5_000;
/** A change this long before a subscriber connected may still reach it (a webhook on its way, a slow publish). */
const IN_FLIGHT_MS = 30_000;

/**
 * How long after a CRM fault ends the gateway may still not read a record, by its own rules:
 * HubSpot's TEN_SECONDLY_ROLLING 429 asks for 10 s (src/systems/crm/profile.ts); after errors
 * the breaker lets its trial call through 5 s after it opened (src/upstream/policy.ts).
 */
const CRM_RECOVERY_MS: Record<string, number> = {
  rateLimitForMs: 10_000,
  outage: 5_000,
  errorRate: 5_000,
  corrupt: 5_000,
  slowBodyMs: 5_000,
  latencyMs: 0,
};

/** How far back a duplicate's causes are looked for, to name them. */
const CAUSE_MS = 5_000;

const signed = (n: number) => (n >= 0 ? `+${n}` : String(n));

/** A contact's history at the vendor: its states in order, and every change (state-changing or not) with its time. */
interface Timeline {
  /** Distinct `updatedAt` values, ascending, with the moment each began. */
  states: { updatedAt: number; at: number }[];
  /** When each change the gateway may announce happened, ascending. */
  changes: number[];
}

function timelines(changes: readonly ContactChange[], history: readonly Operation[]): Map<string, Timeline> {
  const byContact = new Map<string, Timeline>();
  const timeline = (id: string) => {
    let t = byContact.get(id);
    if (!t) byContact.set(id, (t = { states: [], changes: [] }));
    return t;
  };
  // HubSpot sends one event per changed property; the gateway makes one change of a record's events at one moment.
  const seen = new Set<string>();
  for (const change of changes) {
    const t = timeline(change.contactId);
    const key = `${change.contactId}|${change.type}|${change.occurredAt}`;
    if (!seen.has(key)) {
      seen.add(key);
      t.changes.push(change.occurredAt);
    }
    if (t.states.at(-1)?.updatedAt !== change.updatedAt) t.states.push({ updatedAt: change.updatedAt, at: change.occurredAt });
  }
  for (const op of history) {
    if (op.kind !== 'write:updateContact') continue;
    // The gateway announces a write whose outcome it does not know, in case it happened; and it
    // announces every write it completes, so a retry of one the vendor already applied (no
    // change there: the value is in place) is announced a second time.
    if (op.codes?.includes('WRITE_OUTCOME_UNKNOWN')) timeline(op.subject!).changes.push(op.completedAt!);
    // A write whose client gave up (a timeout, a cut connection) ran on in the gateway, which announced it when done.
    else if (op.completion === 'unknown' || op.retryOf !== undefined) timeline(op.subject!).changes.push(op.invokedAt);
  }
  for (const t of byContact.values()) {
    t.changes.sort((a, b) => a - b);
    t.states.sort((a, b) => a.updatedAt - b.updatedAt);
  }
  return byContact;
}

/**
 * When a change completed at `completedAt` can have reached a subscriber: the settle time after
 * the CRM could be read again, past every CRM fault overlapping the wait and its recovery.
 */
function deliverableBy(completedAt: number, faults: readonly { at: number; until?: number; action: string }[]): number {
  let readable = completedAt;
  for (let moved = true; moved;) {
    moved = false;
    for (const fault of faults) {
      const key = /^crm:(\w+)=/.exec(fault.action)?.[1];
      if (key === undefined || fault.at > readable + SETTLE_MS) continue;
      const recovered = (fault.until ?? fault.at) + (CRM_RECOVERY_MS[key] ?? 0);
      if (recovered > readable) {
        readable = recovered;
        moved = true;
      }
    }
  }
  return readable + SETTLE_MS;
}

/** When the state with this `updatedAt` was replaced (Infinity while it is the latest). */
function replacedAt(t: Timeline | undefined, updatedAt: number): number {
  return t?.states.find((state) => state.updatedAt > updatedAt)?.at ?? Number.POSITIVE_INFINITY;
}

/**
 * The events no distinct change can account for. Each event may be explained by a change in
 * [earliest, latest]; taking events by `latest` and giving each the earliest change still free
 * that fits is a maximum matching for such intervals.
 */
function unexplained(events: { event: ContactEvent; earliest: number; latest: number }[], changes: readonly number[]): ContactEvent[] {
  const used = new Array<boolean>(changes.length).fill(false);
  const left: ContactEvent[] = [];
  for (const item of [...events].sort((a, b) => a.latest - b.latest)) {
    const i = changes.findIndex((at, j) => !used[j] && at >= item.earliest && at <= item.latest);
    if (i >= 0) used[i] = true;
    else left.push(item.event);
  }
  return left;
}

export function checkSubscriptions({ history }: CheckInput, live: LiveRecord): InvariantResult {
  const violations: Violation[] = [];
  const byContact = timelines(live.changes, history.operations);
  const subscribers = [...new Set(live.spells.map((spell) => spell.subscriber))];
  const spellOf = (event: ContactEvent) =>
    live.spells.find((s) => s.subscriber === event.subscriber && s.from <= event.receivedAt && event.receivedAt <= s.to);

  let repeats = 0;
  let duplicates = 0;
  const failed = live.events.filter((event) => event.id === undefined).length;
  for (const subscriber of subscribers) {
    const mine = live.events.filter((event) => event.subscriber === subscriber && event.id !== undefined);
    const perContact = new Map<string, ContactEvent[]>();
    for (const event of mine) perContact.set(event.id!, [...(perContact.get(event.id!) ?? []), event]);
    for (const [id, events] of perContact) {
      const t = byContact.get(id);
      repeats += events.length - new Set(events.map((event) => event.updatedAt)).size;
      const candidates = events.map((event) => ({
        event,
        earliest: (spellOf(event)?.from ?? event.receivedAt) - IN_FLIGHT_MS,
        latest: Math.min(event.receivedAt, replacedAt(t, Date.parse(event.updatedAt!))),
      }));
      for (const event of unexplained(candidates, t?.changes ?? [])) {
        duplicates++;
        const same = events.filter((e) => e.updatedAt === event.updatedAt).length;
        const state = Date.parse(event.updatedAt!);
        const since = event.receivedAt - CAUSE_MS;
        const writes = history.operations.filter((op) => op.subject === id && op.invokedAt <= event.receivedAt && op.completedAt! >= since);
        const fanned = (live.fanOut ?? []).filter((f) => f.id === id && f.at >= since && f.at <= event.receivedAt);
        violations.push({
          ops: writes.map((op) => op.id),
          detail:
            `${subscriber} (replica ${event.replica}) got contact ${id} as of ${event.updatedAt} ('${event.jobTitle}') ` +
            `${same} times; no distinct change to it is left to explain the one at ${new Date(event.receivedAt).toISOString()}` +
            (fanned.length
              ? `; fanned out before it: ${fanned.map((f) => `${f.source} ${f.action} (occurred ${signed(f.occurredAt - state)} ms)`).join(', ')}`
              : ''),
        });
      }
    }
  }

  // Missed: acknowledged changes with a known state at the vendor, per subscriber connected throughout.
  const stateOf = new Map<string, number>();
  for (const change of live.changes) {
    if (change.propertyName === 'jobtitle' && change.propertyValue !== undefined) stateOf.set(change.propertyValue, change.updatedAt);
  }
  const restarts = history.nemesis.filter((event) => event.action.startsWith('redis:restart'));
  const webhookFaults = history.nemesis.filter((event) => /webhook/.test(event.action) && /drop|pause/.test(event.action));
  const overlaps = (events: typeof restarts, from: number, to: number) => events.some((e) => e.at <= to && (e.until ?? e.at) >= from);
  const heardOf = new Map<string, ContactEvent[]>();
  for (const event of live.events) {
    const key = `${event.subscriber}|${event.id}`;
    heardOf.set(key, [...(heardOf.get(key) ?? []), event]);
  }
  let deliveries = 0;
  let missed = 0;
  let lostWithReplica = 0;
  for (const op of history.operations) {
    if ((op.kind !== 'write:updateContact' && op.kind !== 'vendor:edit') || op.completion !== 'ok') continue;
    const state = stateOf.get(op.value!);
    if (state === undefined) continue;
    const settled = op.completedAt! + SETTLE_MS;
    const until = deliverableBy(op.completedAt!, history.nemesis);
    // A vendor edit reaches the gateway only as a webhook: one the nemesis dropped is not the gateway's to deliver.
    if (op.kind === 'vendor:edit' && overlaps(webhookFaults, op.invokedAt, settled)) continue;
    for (const spell of live.spells) {
      if (spell.from > op.invokedAt || live.lostChanges > 0 || spell.to < settled) continue;
      const heard = (heardOf.get(`${spell.subscriber}|${op.subject}`) ?? []).some(
        (e) => e.receivedAt >= spell.from && e.receivedAt <= spell.to && Date.parse(e.updatedAt!) >= state,
      );
      if (!heard && spell.to < until) {
        lostWithReplica++;
        continue;
      }
      deliveries++;
      if (heard) continue;
      missed++;
      // An event whose contact could not be resolved names no contact: it may have been this change's.
      const failures = (heardOf.get(`${spell.subscriber}|undefined`) ?? []).filter(
        (e) => e.receivedAt >= op.invokedAt && e.receivedAt <= spell.to,
      );
      const codes = [...new Set(failures.flatMap((e) => e.errors ?? []))].join(', ');
      violations.push({
        ops: [op.id],
        detail:
          `${spell.subscriber} (replica ${spell.replica}, connected throughout) never got contact ${op.subject} as '${op.value}' or later ` +
          `(${op.kind.replace(/^\w+:/, '')} by ${op.client} on replica ${op.replica})` +
          (overlaps(restarts, op.invokedAt, until) ? ' — during a Redis restart' : '') +
          (failures.length ? `; meanwhile ${failures.length} events without a contact (${codes})` : ''),
      });
    }
  }

  return {
    id: 6,
    name: 'each subscriber gets each change once',
    checked: live.events.length + deliveries,
    violations,
    figures: {
      subscribers: subscribers.length,
      reconnects: live.spells.length - subscribers.length,
      events: live.events.length,
      'same (id, updatedAt) again': repeats,
      duplicates,
      'changes × subscribers checked': deliveries,
      missed,
      'connection lost before the CRM could be read again': lostWithReplica,
      ...(failed ? { 'events without a contact': failed } : {}),
      ...(live.lostChanges ? { 'vendor log entries lost': live.lostChanges } : {}),
    },
  };
}

/**
 * The CRM's records and the one path every change takes. API writes and admin edits both
 * call `create`/`update`/`archive`/`link`/`unlink`, so each change updates the indexes, the
 * property history, the lagged search view, the change log and the `change` event in the
 * same way — the webhook deliverer only has to listen to `events`.
 *
 * Ordering contract: every table keeps its records sorted by numeric id, and new ids are
 * always larger than all existing ones, so a cursor "after id N" pages exactly to the end
 * even while records are created or archived.
 */
import { EventEmitter } from 'node:events';
import {
  type CrmObjectType,
  CRM_OBJECT_TYPES,
  hasPrimary,
  LAST_MODIFIED_PROPERTY,
  LINK_PRIMARY,
  LINK_UNLABELED,
  OBJECT_TYPE_IDS,
  PROPERTIES,
  SINGULAR,
  webhookAssociationType,
} from './schema.ts';
import type { CrmRecord, HistoryEntry } from './record.ts';
import { SearchIndex } from './search-index.ts';
import { firstHubSpotEventId } from '../webhooks/event-ids.ts';

export type { CrmRecord, HistoryEntry } from './record.ts';

export type ChangeSource = 'CRM' | 'INTEGRATION';

export interface ChangeContext {
  source: ChangeSource;
  /** e.g. `userId:9000001` for a UI edit, `appId:54321` for an API write. */
  sourceId: string;
}

export type CrmChangeType = 'creation' | 'propertyChange' | 'deletion' | 'associationChange';

/** A public snapshot of a record with all its properties, as the API would render it. */
export interface CrmObjectSnapshot {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/**
 * One "record changed" event: everything a HubSpot webhook for it needs (field names as in
 * the webhook payload), plus the record after and before the change.
 */
export interface CrmChangeEvent {
  /** Monotonic per emulator and unique across its restarts (see webhooks/event-ids.ts); the webhook's `eventId`. */
  eventId: number;
  type: CrmChangeType;
  /** e.g. `contact.propertyChange`. */
  subscriptionType: string;
  objectType: CrmObjectType;
  objectTypeId: string;
  /** Numeric, as HubSpot webhooks send it. */
  objectId: number;
  occurredAt: number;
  changeSource: ChangeSource;
  sourceId: string;
  propertyName?: string;
  propertyValue?: string;
  /** associationChange only. */
  associationType?: string;
  fromObjectId?: number;
  toObjectId?: number;
  associationRemoved?: boolean;
  isPrimaryAssociation?: boolean;
  object: CrmObjectSnapshot;
  /** The record before the change; null for creation and associationChange. */
  previous: CrmObjectSnapshot | null;
}

export interface CrmEvents extends EventEmitter {
  on(event: 'change', listener: (event: CrmChangeEvent) => void): this;
  emit(event: 'change', payload: CrmChangeEvent): boolean;
}

interface PendingIndex {
  at: number;
  record: CrmRecord;
  /** null: the write removed the record from search (archive). */
  properties: Readonly<Record<string, string>> | null;
}

export class ObjectTable {
  /** Sorted by `num`, archived records included. */
  readonly all: CrmRecord[] = [];
  readonly byId = new Map<string, CrmRecord>();
  /** Equality indexes over the records' search view, for EQ/IN filters. */
  readonly searchIndex: SearchIndex;

  constructor(
    type: CrmObjectType,
    public nextNum = 1,
  ) {
    this.searchIndex = new SearchIndex(type, this.all);
  }

  add(record: CrmRecord): void {
    this.all.push(record);
    this.byId.set(record.id, record);
    if (record.num >= this.nextNum) this.nextNum = record.num + 1;
  }

  /** Index of the first record whose id is greater than `num`. */
  indexAfter(num: number): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.all[mid].num <= num) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const CHANGE_LOG_LIMIT = 10_000;

const DAY_MS = 86_400_000;
const dayPrefixes = new Map<number, string>();
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `new Date(ms).toISOString()`, several times faster: seeding a 100,000-contact world
 * formats about 400,000 timestamps, and the date part repeats across them.
 */
export function iso(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    if (dayPrefixes.size > 50_000) dayPrefixes.clear();
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  return `${prefix}${TWO[h]}:${TWO[m]}:${TWO[sec]}.${THREE[rest - sec * 1000]}Z`;
}

export class CrmStore {
  readonly tables: Record<CrmObjectType, ObjectTable> = {
    contacts: new ObjectTable('contacts'),
    companies: new ObjectTable('companies'),
    deals: new ObjectTable('deals'),
  };
  /** Live (unarchived) contacts by lowercased email: HubSpot keeps contact emails unique. */
  readonly contactsByEmail = new Map<string, CrmRecord>();
  /** Live companies by lowercased domain, oldest first; HubSpot does not dedupe API-created companies. */
  readonly companiesByDomain = new Map<string, CrmRecord[]>();
  readonly changeLog: CrmChangeEvent[] = [];
  private pending: PendingIndex[] = [];
  private pendingHead = 0;
  private nextEventId = firstHubSpotEventId();

  constructor(
    readonly events: CrmEvents,
    /** The emulator's clock; never earlier than the seeded world's "now". */
    readonly clock: () => number,
  ) {}

  // ----- lookups --------------------------------------------------------------------------

  get(type: CrmObjectType, id: string): CrmRecord | undefined {
    return this.tables[type].byId.get(id);
  }

  /** Finds a live record by id or by one of the type's `idProperty` values. */
  findLive(type: CrmObjectType, value: string, idProperty = 'hs_object_id'): CrmRecord | undefined {
    if (idProperty === 'email' && type === 'contacts') return this.contactsByEmail.get(value.trim().toLowerCase());
    if (idProperty === 'domain' && type === 'companies') return this.companiesByDomain.get(value.trim().toLowerCase())?.[0];
    const record = this.tables[type].byId.get(value.trim());
    return record && !record.archived ? record : undefined;
  }

  // ----- seeding ----------------------------------------------------------------------------

  /** Adds a seeded record: indexed at once, no history, no event. */
  seed(record: CrmRecord): void {
    this.tables[record.type].add(record);
    this.applySearch(record, record.archived ? null : record.properties);
    if (!record.archived) this.indexLive(record, undefined, record.properties);
  }

  /** Seeds a link without events. */
  seedLink(a: CrmRecord, b: CrmRecord, flags: number): void {
    setFlags(a, b, flags);
  }

  reset(): void {
    for (const type of CRM_OBJECT_TYPES) this.tables[type] = new ObjectTable(type);
    this.contactsByEmail.clear();
    this.companiesByDomain.clear();
    this.changeLog.length = 0;
    this.pending = [];
    this.pendingHead = 0;
    this.nextEventId = firstHubSpotEventId();
  }

  // ----- the change path --------------------------------------------------------------------

  create(type: CrmObjectType, values: Record<string, string>, ctx: ChangeContext): CrmRecord {
    const table = this.tables[type];
    const num = table.nextNum;
    const id = String(num);
    const now = this.clock();
    const properties: Record<string, string> = {
      ...values,
      hs_object_id: id,
      createdate: iso(now),
      [LAST_MODIFIED_PROPERTY[type]]: iso(now),
    };
    if (type === 'deals' && properties.pipeline === undefined) properties.pipeline = 'default';
    const record: CrmRecord = {
      type,
      id,
      num,
      properties,
      createdAt: now,
      updatedAt: now,
      archived: false,
      archivedAt: null,
      links: {},
      history: null,
      indexed: null,
    };
    for (const [name, value] of Object.entries(values)) this.pushHistory(record, name, value, now, ctx);
    table.add(record);
    this.indexLive(record, undefined, properties);
    this.enqueueSearch(record);
    const snapshot = snapshotOf(record);
    this.emit({ ...this.base(record, 'creation', now, ctx), object: snapshot, previous: null });
    return record;
  }

  /** Applies property changes; returns the names that really changed (nothing is bumped when none did). */
  update(record: CrmRecord, values: Record<string, string>, ctx: ChangeContext): string[] {
    const changed = Object.keys(values).filter(
      (name) => (record.properties[name] ?? null) !== values[name] && !(values[name] === '' && record.properties[name] === undefined),
    );
    if (changed.length === 0) return changed;
    const now = this.clock();
    const previous = snapshotOf(record);
    const before = record.properties;
    const next: Record<string, string> = { ...before };
    for (const name of changed) next[name] = values[name];
    next[LAST_MODIFIED_PROPERTY[record.type]] = iso(now);
    for (const name of changed) this.pushHistory(record, name, values[name], now, ctx);
    record.properties = next;
    record.updatedAt = now;
    this.indexLive(record, before, next);
    this.enqueueSearch(record);
    const object = snapshotOf(record);
    for (const name of changed) {
      this.emit({ ...this.base(record, 'propertyChange', now, ctx), propertyName: name, propertyValue: values[name], object, previous });
    }
    return changed;
  }

  archive(record: CrmRecord, ctx: ChangeContext): void {
    if (record.archived) return;
    const now = this.clock();
    const previous = snapshotOf(record);
    record.archived = true;
    record.archivedAt = now;
    this.indexLive(record, record.properties, undefined);
    this.enqueueSearch(record);
    this.emit({ ...this.base(record, 'deletion', now, ctx), object: snapshotOf(record), previous });
  }

  /**
   * Adds association flags between two records. Setting a primary company demotes the
   * previous primary of that contact or deal, as HubSpot allows only one.
   * Returns whether anything changed.
   */
  link(a: CrmRecord, b: CrmRecord, flags: number, ctx: ChangeContext): boolean {
    // Only contact/deal → company links can be primary; elsewhere the flag means nothing.
    const want = flags & LINK_PRIMARY && hasPrimary(a.type, b.type) ? LINK_PRIMARY | LINK_UNLABELED : LINK_UNLABELED;
    const current = a.links[b.type]?.get(b.id) ?? 0;
    if ((current | want) === current) return false;
    const now = this.clock();
    if (want & LINK_PRIMARY) {
      const [owner, company] = a.type === 'companies' ? [b, a] : [a, b];
      for (const [otherId, otherFlags] of owner.links.companies ?? []) {
        if (otherId === company.id || !(otherFlags & LINK_PRIMARY)) continue;
        const other = this.get('companies', otherId);
        if (!other) continue;
        setFlags(owner, other, otherFlags & ~LINK_PRIMARY);
        this.emitLink(owner, other, false, false, now, ctx);
      }
    }
    setFlags(a, b, current | want);
    this.emitLink(a, b, false, (want & LINK_PRIMARY) !== 0, now, ctx);
    return true;
  }

  /** Removes every association type between two records. Returns whether a link existed. */
  unlink(a: CrmRecord, b: CrmRecord, ctx: ChangeContext): boolean {
    const current = a.links[b.type]?.get(b.id);
    if (current === undefined) return false;
    setFlags(a, b, 0);
    this.emitLink(a, b, true, (current & LINK_PRIMARY) !== 0, this.clock(), ctx);
    return true;
  }

  /** Links as visible through the API: links to archived records are hidden, not dropped, so they reappear on restore. */
  visibleLinks(record: CrmRecord, toType: CrmObjectType): Array<[CrmRecord, number]> {
    const map = record.links[toType];
    if (!map) return [];
    const out: Array<[CrmRecord, number]> = [];
    let sorted = true;
    for (const [id, flags] of map) {
      const target = this.tables[toType].byId.get(id);
      if (!target || target.archived) continue;
      if (out.length > 0 && out[out.length - 1][0].num > target.num) sorted = false;
      out.push([target, flags]);
    }
    // Seeded links arrive in id order; sort only when later writes broke it.
    return sorted ? out : out.sort((x, y) => x[0].num - y[0].num);
  }

  // ----- search view ------------------------------------------------------------------------

  /** Makes every write older than `lagMs` (real time) visible to search. */
  drainSearch(lagMs: number): void {
    const limit = Date.now() - lagMs;
    while (this.pendingHead < this.pending.length) {
      const next = this.pending[this.pendingHead];
      if (next.at > limit) break;
      this.applySearch(next.record, next.properties);
      this.pendingHead++;
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
    }
  }

  history(record: CrmRecord, name: string): HistoryEntry[] {
    const recorded = record.history?.get(name);
    if (recorded) return recorded;
    const value = record.properties[name];
    return value === undefined
      ? []
      : [{ value, timestamp: name === LAST_MODIFIED_PROPERTY[record.type] ? record.updatedAt : record.createdAt, sourceType: 'IMPORT' }];
  }

  // ----- internals --------------------------------------------------------------------------

  private enqueueSearch(record: CrmRecord): void {
    this.pending.push({ at: Date.now(), record, properties: record.archived ? null : record.properties });
  }

  private applySearch(record: CrmRecord, properties: Readonly<Record<string, string>> | null): void {
    this.tables[record.type].searchIndex.move(record, record.indexed, properties);
    record.indexed = properties;
  }

  private indexLive(
    record: CrmRecord,
    before: Readonly<Record<string, string>> | undefined,
    after: Readonly<Record<string, string>> | undefined,
  ): void {
    if (record.type === 'contacts') {
      const oldEmail = before?.email;
      const newEmail = after?.email;
      if (oldEmail === newEmail) return;
      if (oldEmail && this.contactsByEmail.get(oldEmail) === record) this.contactsByEmail.delete(oldEmail);
      if (newEmail) this.contactsByEmail.set(newEmail, record);
    } else if (record.type === 'companies') {
      const oldDomain = before?.domain?.toLowerCase();
      const newDomain = after?.domain?.toLowerCase();
      if (oldDomain === newDomain) return;
      if (oldDomain) {
        const list = this.companiesByDomain.get(oldDomain)?.filter((r) => r !== record);
        if (list && list.length > 0) this.companiesByDomain.set(oldDomain, list);
        else this.companiesByDomain.delete(oldDomain);
      }
      if (newDomain) {
        const list = this.companiesByDomain.get(newDomain) ?? [];
        list.push(record);
        list.sort((x, y) => x.num - y.num);
        this.companiesByDomain.set(newDomain, list);
      }
    }
  }

  private pushHistory(record: CrmRecord, name: string, value: string, now: number, ctx: ChangeContext): void {
    if (PROPERTIES[record.type][name]?.readOnly) return;
    record.history ??= new Map();
    let entries = record.history.get(name);
    if (!entries) {
      // Keep the seeded value as the oldest entry before the first recorded change.
      entries = this.history(record, name).slice();
      record.history.set(name, entries);
    }
    entries.unshift({ value, timestamp: now, sourceType: ctx.source === 'CRM' ? 'CRM_UI' : 'INTEGRATION', sourceId: ctx.sourceId });
  }

  private base(record: CrmRecord, type: CrmChangeType, now: number, ctx: ChangeContext) {
    return {
      eventId: this.nextEventId++,
      type,
      subscriptionType: `${SINGULAR[record.type]}.${type}`,
      objectType: record.type,
      objectTypeId: OBJECT_TYPE_IDS[record.type],
      objectId: record.num,
      occurredAt: now,
      changeSource: ctx.source,
      sourceId: ctx.sourceId,
    };
  }

  /** HubSpot sends one associationChange per direction. */
  private emitLink(a: CrmRecord, b: CrmRecord, removed: boolean, primary: boolean, now: number, ctx: ChangeContext): void {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      this.emit({
        ...this.base(from, 'associationChange', now, ctx),
        associationType: webhookAssociationType(from.type, to.type),
        fromObjectId: from.num,
        toObjectId: to.num,
        associationRemoved: removed,
        isPrimaryAssociation: primary && hasPrimary(from.type, to.type),
        object: snapshotOf(from),
        previous: null,
      });
    }
  }

  private emit(event: CrmChangeEvent): void {
    this.changeLog.push(event);
    if (this.changeLog.length > CHANGE_LOG_LIMIT) this.changeLog.splice(0, this.changeLog.length - CHANGE_LOG_LIMIT);
    this.events.emit('change', event);
  }
}

function setFlags(a: CrmRecord, b: CrmRecord, flags: number): void {
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    let map = x.links[y.type];
    if (flags === 0) {
      map?.delete(y.id);
      continue;
    }
    if (!map) map = x.links[y.type] = new Map();
    map.set(y.id, flags);
  }
}

export function snapshotOf(record: CrmRecord): CrmObjectSnapshot {
  const snapshot: CrmObjectSnapshot = {
    id: record.id,
    properties: { ...record.properties },
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    archived: record.archived,
  };
  if (record.archivedAt !== null) snapshot.archivedAt = iso(record.archivedAt);
  return snapshot;
}

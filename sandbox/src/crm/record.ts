/**
 * One CRM record as the store keeps it. Its own module because both the store and the search
 * index hold records, and the store builds the index: neither may import the other for the type.
 */
import type { CrmObjectType } from './schema.ts';

export interface HistoryEntry {
  value: string;
  timestamp: number;
  sourceType: string;
  sourceId?: string;
}

export interface CrmRecord {
  readonly type: CrmObjectType;
  readonly id: string;
  readonly num: number;
  /** Copy-on-write: a write installs a new object, so the search view may keep the old one. Unset properties are absent. */
  properties: Readonly<Record<string, string>>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt: number | null;
  /** Association flags (LINK_UNLABELED | LINK_PRIMARY) by target type and target id, mirrored on the target. */
  links: Partial<Record<CrmObjectType, Map<string, number>>>;
  /** Newest first; only for properties written after seeding (seeded values have one implicit entry). */
  history: Map<string, HistoryEntry[]> | null;
  /**
   * The properties search sees: the record's properties as of its last write that has become
   * searchable. null while invisible to search (created but not yet indexed, or archived).
   */
  indexed: Readonly<Record<string, string>> | null;
}

/** The user directory's immutable snapshot: built once per load or change (directory.ts), never per request. */
import { normalizeEmail } from '../../links/email.ts';
import type { SlackUser } from './schemas.ts';

export interface UserSnapshot {
  /** Every member, deactivated accounts and bots included, in Slack's order. */
  readonly users: readonly SlackUser[];
  readonly byId: ReadonlyMap<string, SlackUser>;
  /**
   * Lower-cased, trimmed email → the active (not `deleted`) members with that address.
   * Deactivated accounts never link: a re-hired person's old account must not make a link
   * ambiguous.
   */
  readonly activeByEmail: ReadonlyMap<string, readonly SlackUser[]>;
  /** Epoch ms at which the member list this snapshot grew from was read from Slack. */
  readonly loadedAt: number;
}

/** A change to one member: the record as it now is, or null when it left the directory. */
export interface Patch {
  id: string;
  user: SlackUser | null;
}

function freezeDeep<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) freezeDeep(child);
  }
  return value;
}

export function buildUserSnapshot(users: readonly SlackUser[], loadedAt: number): UserSnapshot {
  const list = Object.freeze(users.map((user) => freezeDeep(user)));
  const byId = new Map<string, SlackUser>();
  const activeByEmail = new Map<string, SlackUser[]>();
  for (const user of list) {
    byId.set(user.id, user);
    const email = user.profile.email;
    if (!email || user.deleted) continue;
    const key = normalizeEmail(email);
    const same = activeByEmail.get(key);
    if (same) same.push(user);
    else activeByEmail.set(key, [user]);
  }
  for (const same of activeByEmail.values()) Object.freeze(same);
  return Object.freeze({ users: list, byId, activeByEmail, loadedAt });
}

/** Copy-on-write: a new snapshot with the patch applied (the same one when it changes nothing). */
export function patchSnapshot(snapshot: UserSnapshot, patch: Patch): UserSnapshot {
  const index = snapshot.users.findIndex((user) => user.id === patch.id);
  let users: SlackUser[];
  if (patch.user === null) {
    if (index < 0) return snapshot;
    users = snapshot.users.filter((user) => user.id !== patch.id);
  } else if (index >= 0) {
    users = [...snapshot.users];
    users[index] = patch.user;
  } else {
    users = [...snapshot.users, patch.user];
  }
  return buildUserSnapshot(users, snapshot.loadedAt);
}

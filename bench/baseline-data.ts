/**
 * The plain-Yoga baseline's data: the seeded world the sandbox serves, held in memory with
 * the indexes a hand-written server would keep (by ID, owner, stage, company, email).
 * Invoices and channels are generated here deterministically, in the emulator's
 * proportions, since the world skeleton does not hold them.
 */
import { DEAL_STAGES, LIFECYCLE_STAGES } from '../resolvers/crm/paging.ts';
import { createWorld, Prng, type World } from '@switchboard/sandbox';

/** A seeded deal (the emulator's package names its type only through the world). */
export type SeedDeal = World['deals'][number];

export interface Invoice {
  id: string;
  number: string;
  status: string;
  amount: number;
  currency: string;
  dueDate: string | null;
}

export interface Channel {
  id: string;
  name: string;
  topic: string | null;
  purpose: string | null;
  isPrivate: boolean;
  isArchived: boolean;
  memberCount: number;
}

/** A list in its serving order, with each item's position for `after`. */
export class Listing<T extends { id: string }> {
  private readonly positions: Map<string, number>;
  constructor(readonly items: T[]) {
    this.positions = new Map(items.map((item, i) => [item.id, i]));
  }
  at(id: string): T | undefined {
    const i = this.positions.get(id);
    return i === undefined ? undefined : this.items[i];
  }
  /** Where a page after `after` starts (the start for none, the end for an unknown ID). */
  start(after: string | null | undefined): number {
    if (!after) return 0;
    return (this.positions.get(after) ?? this.items.length - 1) + 1;
  }
}

const group = <T, K>(items: readonly T[], keyOf: (item: T) => K | null | undefined): Map<K, T[]> => {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === null || key === undefined) continue;
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
};

export const world = createWorld({ size: Number(process.env.BENCH_CONTACTS ?? 100_000) });

/** The enum member for a vendor value, as the gateway maps it: known values one to one, anything else OTHER. */
export const lifecycleStage = (raw: string) => (raw ? (LIFECYCLE_STAGES[raw] ?? 'OTHER') : null);
export const dealStage = (raw: string) => (raw ? (DEAL_STAGES[raw] ?? 'OTHER') : null);

export const contacts = new Listing(world.contacts);
export const contactsByOwner = group(world.contacts, (c) => c.ownerId);
export const contactsByStage = group<World['contacts'][number], string>(world.contacts, (c) => lifecycleStage(c.lifecycleStage));
export const contactsByCompany = group(world.contacts, (c) => c.companyId);
export const contactByEmail = new Map(world.contacts.map((c) => [c.email.toLowerCase(), c]));
export const companies = new Listing(world.companies);
export const deals = new Listing<SeedDeal>(world.deals);
export const dealsByStage = group<SeedDeal, string>(world.deals, (d) => dealStage(d.stage));
export const dealsByContact = group(
  world.deals.flatMap((deal) => deal.contactIds.map((contactId) => ({ contactId, deal }))),
  (link) => link.contactId,
);
export const owners = new Map(world.owners.map((o) => [o.id, o]));

const activeUsers = world.chatUsers.filter((u) => !u.deleted).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
/** Active Slack members ordered by ID, as `chatUsers` lists them. */
export const chatUsers = new Listing(activeUsers);
export const chatUserByEmail = new Map<string, World['chatUsers'][number]>();
for (const u of activeUsers) if (u.email) chatUserByEmail.set(u.email.toLowerCase(), u);

/** Stripe lists customers newest first. */
export const customers = new Listing([...world.customers].sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1)));
export const customerByContact = new Map<string, World['customers'][number]>();
for (const c of world.customers) if (c.contactId && c.linkedByMetadata) customerByContact.set(c.contactId, c);
export const customersByEmail = group(world.customers, (c) => c.email.toLowerCase());

const STATUSES = ['OPEN', 'PAID', 'PAID', 'PAID', 'VOID', 'DRAFT'];
const invoicesPerCustomer = world.size.invoices / Math.max(1, world.customers.length);
export const invoices = new Map<string, Invoice[]>();
const rng = new Prng(world.seed + 7);
for (const customer of world.customers) {
  const n = Math.round(rng.next() * 2 * invoicesPerCustomer);
  invoices.set(
    customer.id,
    Array.from({ length: n }, (_, i) => {
      const status = STATUSES[Math.floor(rng.next() * STATUSES.length)];
      return {
        id: `in_${customer.id.slice(4)}${i}`,
        number: `${customer.id.slice(4, 12).toUpperCase()}-${String(i + 1).padStart(4, '0')}`,
        status,
        amount: 1000 * (1 + Math.floor(rng.next() * 100)),
        currency: 'usd',
        dueDate: status === 'OPEN' ? new Date(world.now + i * 86_400_000).toISOString() : null,
      };
    }),
  );
}

/** The emulator's channel rules: every 13th from index 4 archived, the last one private. */
const channelRng = new Prng(world.seed + 11);
const allChannels: Channel[] = Array.from({ length: world.size.channels }, (_, i) => ({
  id: `C${String(i + 1).padStart(9, '0')}`,
  name: i === 0 ? 'general' : i === 1 ? 'random' : `team-${i}`,
  topic: channelRng.chance(0.5) ? `Topic of channel ${i}` : null,
  purpose: channelRng.chance(0.7) ? `What channel ${i} is for` : null,
  isPrivate: i === world.size.channels - 1,
  isArchived: i >= 4 && (i - 4) % 13 === 0,
  memberCount: channelRng.int(2, activeUsers.length),
}));
/** Channels without the archived ones, as `channels` lists them by default. */
export const channels = new Listing<Channel>(allChannels.filter((c) => !c.isArchived));

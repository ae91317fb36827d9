/**
 * The sandbox's company world: one coherent, deterministic data set shared by the three
 * emulated vendors. This module holds only what crosses systems — people, companies,
 * owners, which contact has which billing customer, which owner is which chat user — so
 * the cross-system links are decided in one place. Each vendor's seed module turns this
 * skeleton into its own native records (and adds what only it has: invoices, messages…),
 * drawing from its own forked PRNG stream.
 *
 * Messiness is deliberate, because real data is messy and the gateway's link rules must
 * cope: some customers carry no `hubspot_contact_id` and match their contact only by an
 * email in different case, some customers have no CRM contact at all, and a few emails
 * belong to two customers (an ambiguous email link).
 */
import { Prng } from './prng.ts';
import { CITIES, COMPANY_A, COMPANY_B, FIRST, INDUSTRIES, LAST, TITLES, TZS } from './world-names.ts';

export interface WorldSize {
  contacts: number;
  companies: number;
  deals: number;
  owners: number;
  /** Slack users beyond the one per owner. */
  extraChatUsers: number;
  channels: number;
  messagesPerChannel: number;
  invoices: number;
  subscriptions: number;
}

export const DEFAULT_WORLD_SIZE: WorldSize = {
  contacts: 1000,
  companies: 200,
  deals: 500,
  owners: 20,
  extraChatUsers: 20,
  channels: 30,
  messagesPerChannel: 40,
  invoices: 5000,
  subscriptions: 600,
};

/** Sizes in the default world's proportions for a given number of contacts. */
export function worldSizeFor(contacts: number): WorldSize {
  const f = contacts / DEFAULT_WORLD_SIZE.contacts;
  const scale = (n: number, min: number) => Math.max(min, Math.round(n * f));
  return {
    contacts,
    companies: scale(DEFAULT_WORLD_SIZE.companies, 2),
    deals: scale(DEFAULT_WORLD_SIZE.deals, 2),
    // Teams do not grow linearly with the customer base.
    owners: Math.min(200, scale(DEFAULT_WORLD_SIZE.owners, 3)),
    extraChatUsers: Math.min(500, scale(DEFAULT_WORLD_SIZE.extraChatUsers, 3)),
    channels: Math.min(300, scale(DEFAULT_WORLD_SIZE.channels, 3)),
    messagesPerChannel: DEFAULT_WORLD_SIZE.messagesPerChannel,
    invoices: scale(DEFAULT_WORLD_SIZE.invoices, 5),
    subscriptions: scale(DEFAULT_WORLD_SIZE.subscriptions, 2),
  };
}

export interface WorldOptions {
  seed?: number;
  /** Defaults to the default world; a number scales the default world to that many contacts. */
  size?: Partial<WorldSize> | number;
  /** The moment the world was generated, epoch ms; timestamps are spread over the two years before. */
  now?: number;
}

export interface SeedOwner {
  /** HubSpot owner id (numeric string), the value of `hubspot_owner_id`. */
  id: string;
  userId: number;
  firstName: string;
  lastName: string;
  email: string;
  createdAt: number;
}

export interface SeedCompany {
  id: string;
  name: string;
  domain: string;
  industry: string;
  city: string;
  country: string;
  numberOfEmployees: number;
  annualRevenue: number;
  ownerId: string;
  createdAt: number;
  updatedAt: number;
}

export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;
export const DEAL_STAGES = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
  'closedlost',
] as const;

export interface SeedContact {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  jobTitle: string;
  lifecycleStage: string;
  companyId: string | null;
  ownerId: string;
  createdAt: number;
  updatedAt: number;
}

export interface SeedDeal {
  id: string;
  name: string;
  /** Major currency units, as HubSpot's `amount` holds it. */
  amount: number;
  stage: string;
  pipeline: string;
  closeDate: number;
  ownerId: string;
  companyId: string | null;
  contactIds: string[];
  createdAt: number;
  updatedAt: number;
}

export interface SeedCustomer {
  id: string;
  /** The CRM contact this customer belongs to, when it belongs to one. */
  contactId: string | null;
  /** Whether Stripe's `metadata.hubspot_contact_id` carries the link (else only the email links it). */
  linkedByMetadata: boolean;
  email: string;
  name: string;
  phone: string | null;
  created: number;
}

export interface SeedChatUser {
  id: string;
  name: string;
  realName: string;
  displayName: string;
  email: string | null;
  /** The CRM owner with this user's email, if any. */
  ownerId: string | null;
  isBot: boolean;
  deleted: boolean;
  tz: string;
}

export interface World {
  seed: number;
  now: number;
  size: WorldSize;
  prng: Prng;
  owners: SeedOwner[];
  companies: SeedCompany[];
  contacts: SeedContact[];
  deals: SeedDeal[];
  customers: SeedCustomer[];
  chatUsers: SeedChatUser[];
}

/** 2026-11-01T00:00:00Z: a fixed anchor keeps the world byte-identical across runs. */
export const DEFAULT_WORLD_NOW = Date.UTC(2026, 10, 1);

const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9]+/g, '');

/** The world's own PRNG stream and the clock its timestamps are drawn against. */
interface WorldClock {
  now: number;
  rnd: Prng;
  /** A moment within the two years before `now`. */
  pastTime(): number;
}

const DAY_MS = 86_400_000;

export function createWorld(options: WorldOptions = {}): World {
  const seed = options.seed ?? 42;
  const now = options.now ?? DEFAULT_WORLD_NOW;
  const size: WorldSize = typeof options.size === 'number' ? worldSizeFor(options.size) : { ...DEFAULT_WORLD_SIZE, ...options.size };
  const root = new Prng(seed);
  const rnd = root.fork('world');
  const twoYears = 730 * DAY_MS;
  const clock: WorldClock = { now, rnd, pastTime: () => now - Math.floor(rnd.next() * twoYears) };

  // The draws happen in this order, each from its stream: the same seed gives the same world.
  const owners = seedOwners(size, clock);
  const companies = seedCompanies(size, clock, owners);
  const contacts = seedContacts(size, clock, owners, companies);
  const deals = seedDeals(size, clock, companies, contacts);
  const customers = seedCustomers(root.fork('customers'), clock, contacts);
  const chatUsers = seedChatUsers(root.fork('chat-users'), size, owners);
  return { seed, now, size, prng: root, owners, companies, contacts, deals, customers, chatUsers };
}

function seedOwners(size: WorldSize, { pastTime }: WorldClock): SeedOwner[] {
  const owners: SeedOwner[] = [];
  for (let i = 0; i < size.owners; i++) {
    const firstName = FIRST[(i * 7) % FIRST.length];
    const lastName = LAST[(i * 11 + 3) % LAST.length];
    owners.push({
      id: String(40_000_001 + i),
      userId: 9_000_001 + i,
      firstName,
      lastName,
      email: `${slug(firstName)}.${slug(lastName)}${i >= FIRST.length ? i : ''}@switchboard-demo.example`,
      createdAt: pastTime(),
    });
  }
  return owners;
}

function seedCompanies(size: WorldSize, { now, rnd, pastTime }: WorldClock, owners: SeedOwner[]): SeedCompany[] {
  const companies: SeedCompany[] = [];
  for (let i = 0; i < size.companies; i++) {
    const base = `${COMPANY_A[i % COMPANY_A.length]} ${COMPANY_B[Math.floor(i / COMPANY_A.length) % COMPANY_B.length]}`;
    const round = Math.floor(i / (COMPANY_A.length * COMPANY_B.length));
    const name = round > 0 ? `${base} ${round + 1}` : base;
    const [city, country] = rnd.pick(CITIES);
    const createdAt = pastTime();
    companies.push({
      id: String(20_000_001 + i),
      name,
      domain: `${slug(name)}.example`,
      industry: rnd.pick(INDUSTRIES),
      city,
      country,
      numberOfEmployees: rnd.int(5, 5000),
      annualRevenue: rnd.int(1, 500) * 100_000,
      ownerId: rnd.pick(owners).id,
      createdAt,
      updatedAt: Math.min(now, createdAt + rnd.int(0, 200) * DAY_MS),
    });
  }
  return companies;
}

function seedContacts(size: WorldSize, { now, rnd, pastTime }: WorldClock, owners: SeedOwner[], companies: SeedCompany[]): SeedContact[] {
  const contacts: SeedContact[] = [];
  for (let i = 0; i < size.contacts; i++) {
    const firstName = rnd.pick(FIRST);
    const lastName = rnd.pick(LAST);
    // Most contacts work at a company; a few are individuals.
    const company = rnd.chance(0.95) && companies.length > 0 ? companies[i % companies.length] : null;
    const domain = company ? company.domain : 'mail.example';
    const createdAt = pastTime();
    contacts.push({
      id: String(10_000_001 + i),
      firstName,
      lastName,
      // The index keeps emails unique, which HubSpot enforces.
      email: `${slug(firstName)}.${slug(lastName)}.${i + 1}@${domain}`,
      phone: `+1-555-${String(rnd.int(0, 9999)).padStart(4, '0')}`,
      jobTitle: rnd.pick(TITLES),
      lifecycleStage: rnd.pick(LIFECYCLE_STAGES),
      companyId: company?.id ?? null,
      ownerId: company?.ownerId ?? rnd.pick(owners).id,
      createdAt,
      updatedAt: Math.min(now, createdAt + rnd.int(0, 300) * DAY_MS),
    });
  }
  return contacts;
}

function seedDeals(size: WorldSize, { now, rnd, pastTime }: WorldClock, companies: SeedCompany[], contacts: SeedContact[]): SeedDeal[] {
  const membersOf = new Map<string, SeedContact[]>();
  for (const c of contacts) {
    if (!c.companyId) continue;
    const members = membersOf.get(c.companyId);
    if (members) members.push(c);
    else membersOf.set(c.companyId, [c]);
  }
  const deals: SeedDeal[] = [];
  for (let i = 0; i < size.deals; i++) {
    const company = companies[rnd.int(0, companies.length - 1)];
    const members = membersOf.get(company.id) ?? [];
    const contactIds = members.length > 0 ? [rnd.pick(members).id] : [];
    if (members.length > 1 && rnd.chance(0.3)) {
      const other = rnd.pick(members).id;
      if (!contactIds.includes(other)) contactIds.push(other);
    }
    const createdAt = pastTime();
    deals.push({
      id: String(30_000_001 + i),
      name: `${company.name} — ${rnd.pick(['Platform', 'Renewal', 'Expansion', 'Pilot', 'Enterprise plan', 'Support add-on'])}`,
      amount: rnd.int(5, 500) * 100,
      stage: rnd.pick(DEAL_STAGES),
      pipeline: 'default',
      closeDate: createdAt + rnd.int(7, 180) * DAY_MS,
      ownerId: company.ownerId,
      companyId: company.id,
      contactIds,
      createdAt,
      updatedAt: Math.min(now, createdAt + rnd.int(0, 90) * DAY_MS),
    });
  }
  return deals;
}

/**
 * Billing customers. Eight in every ten contacts have one carrying
 * `metadata.hubspot_contact_id` — stratified rather than drawn independently, so any
 * window of contacts has the same share (the efficiency budget of a page depends on it).
 * Of the other two, now and then one has a customer linked only by its email, as when a
 * checkout created it without the metadata.
 */
function seedCustomers(crng: Prng, clock: WorldClock, contacts: SeedContact[]): SeedCustomer[] {
  const customers: SeedCustomer[] = [];
  const customerId = () => `cus_${crng.id(14)}`;
  // Typed by a person at checkout: same address, other casing.
  const recased = (email: string) => email.replace(/^./, (ch) => ch.toUpperCase()).replace(/@.*/, (d) => d.toUpperCase());
  for (let block = 0; block < contacts.length; block += 10) {
    const without = new Set<number>();
    while (without.size < 2) without.add(crng.int(0, 9));
    for (let j = 0; j < 10 && block + j < contacts.length; j++) {
      const c = contacts[block + j];
      const linkedByMetadata = !without.has(j);
      if (!linkedByMetadata && !crng.chance(0.05)) continue;
      const email = crng.chance(linkedByMetadata ? 0.1 : 0.5) ? recased(c.email) : c.email;
      customers.push({
        id: customerId(),
        contactId: c.id,
        linkedByMetadata,
        email,
        name: `${c.firstName} ${c.lastName}`,
        phone: crng.chance(0.6) ? c.phone : null,
        created: Math.floor(Math.min(clock.now, c.createdAt + crng.int(0, 60) * DAY_MS) / 1000),
      });
    }
  }
  addDuplicateCustomers(crng, customerId, customers, contacts.length);
  addOrphanCustomers(crng, customerId, clock, customers, contacts.length);
  return customers;
}

/**
 * Duplicates: a second customer with the same email and no metadata, as happens when a
 * checkout creates a fresh customer. Such an email no longer links unambiguously.
 */
function addDuplicateCustomers(crng: Prng, customerId: () => string, customers: SeedCustomer[], contactCount: number): void {
  const duplicates = Math.max(1, Math.round(contactCount * 0.005));
  for (let i = 0; i < duplicates && customers.length > 0; i++) {
    const original = customers[crng.int(0, customers.length - 1)];
    customers.push({ ...original, id: customerId(), contactId: null, linkedByMetadata: false, created: original.created + 86_400 });
  }
}

/** Customers who never were CRM contacts (self-serve sign-ups). */
function addOrphanCustomers(
  crng: Prng,
  customerId: () => string,
  clock: WorldClock,
  customers: SeedCustomer[],
  contactCount: number,
): void {
  const orphans = Math.max(1, Math.round(contactCount * 0.03));
  for (let i = 0; i < orphans; i++) {
    const firstName = crng.pick(FIRST);
    const lastName = crng.pick(LAST);
    customers.push({
      id: customerId(),
      contactId: null,
      linkedByMetadata: false,
      email: `${slug(firstName)}.${slug(lastName)}.guest${i + 1}@selfserve.example`,
      name: `${firstName} ${lastName}`,
      phone: null,
      created: Math.floor(clock.pastTime() / 1000),
    });
  }
}

function seedChatUsers(urng: Prng, size: WorldSize, owners: SeedOwner[]): SeedChatUser[] {
  const chatUsers: SeedChatUser[] = [];
  const userId = () => `U${urng.id(10, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ')}`;
  owners.forEach((o, i) => {
    chatUsers.push({
      id: userId(),
      name: `${slug(o.firstName)}.${slug(o.lastName)}`,
      realName: `${o.firstName} ${o.lastName}`,
      displayName: o.firstName,
      // Slack keeps the address as the person typed it; the link is case-insensitive.
      email: i % 7 === 3 ? o.email.replace(/^./, (ch) => ch.toUpperCase()) : o.email,
      ownerId: o.id,
      isBot: false,
      deleted: false,
      tz: urng.pick(TZS),
    });
  });
  for (let i = 0; i < size.extraChatUsers; i++) {
    const isBot = i === 0;
    const firstName = isBot ? 'Switchboard' : urng.pick(FIRST);
    const lastName = isBot ? 'Bot' : urng.pick(LAST);
    chatUsers.push({
      id: userId(),
      name: isBot ? 'switchboard-bot' : `${slug(firstName)}.${slug(lastName)}.${i}`,
      realName: `${firstName} ${lastName}`,
      displayName: firstName,
      email: isBot ? null : `${slug(firstName)}.${slug(lastName)}.${i}@switchboard-demo.example`,
      ownerId: null,
      isBot,
      deleted: i === 1,
      tz: urng.pick(TZS),
    });
  }
  return chatUsers;
}

/**
 * The four workloads of issue 8 as GraphQL request bodies, and what each costs at best:
 * the critical-path floor (per dependent level of upstream calls, the slowest system's
 * latency) and the upstream-request minimum and naive counts.
 */
import { readFileSync } from 'node:fs';
import { LIFECYCLE_STAGES } from '../resolvers/crm/paging.ts';
import { fromRoot } from '../src/index.ts';
import type { SystemName } from '@switchboard/sandbox';
import type { WorldFacts } from './protocol.ts';

export type WorkloadName = 'W1' | 'W2' | 'W3' | 'W4' | 'MIX';

export const W1_QUERY = readFileSync(fromRoot('documents/W1ContactsWithLinks.graphql'), 'utf8');

/** The per-contact selection of W1, shared by W2 and W4 so all three ask the same links. */
const CONTACT_FIELDS = /* GraphQL */ `
  id firstName lastName email lifecycleStage
  company { id name domain }
  owner { id email firstName lastName chatUser { id name displayName } }
  billingCustomer { id email name invoices(status: OPEN) { id number status amountDue { amount currency formatted } dueDate } }
`;

export const W2_QUERY = `query W2ContactById($id: ID!) { contact(id: $id) { ${CONTACT_FIELDS} } }`;

export const W4_QUERY = `query W4FilteredContacts($first: Int!, $filter: ContactFilter) {
  contacts(first: $first, filter: $filter) { totalCount pageInfo { hasNextPage endCursor } nodes { ${CONTACT_FIELDS} } }
}`;

export const W3_READ = 'query W3Read($id: ID!) { contact(id: $id) { id jobTitle } }';

export const body = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });

/** Shuffles `items` in place and returns them: a deterministic Fisher–Yates with a small LCG, so runs are comparable across machines. */
export function seededShuffle<T>(items: T[]): T[] {
  let seed = 12345;
  for (let i = items.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * W4's variables: every owner × lifecycle stage × page size 41–50, in a fixed shuffled
 * order, so consecutive requests never share a search (16,000 combinations for 200 owners).
 */
export function w4Variables(facts: WorldFacts): () => Record<string, unknown> {
  const combos: [string, string, number][] = [];
  for (const owner of facts.ownerIds)
    for (const stage of facts.lifecycleStages)
      for (let first = 41; first <= 50; first++) combos.push([owner, LIFECYCLE_STAGES[stage] ?? 'OTHER', first]);
  seededShuffle(combos);
  let next = 0;
  return () => {
    const [ownerId, lifecycleStage, first] = combos[next++ % combos.length];
    return { first, filter: { ownerId, lifecycleStage } };
  };
}

export type Latencies = Record<SystemName, number>;

/** Sum over dependent levels of the slowest system in the level. */
export function floorMs(levels: SystemName[][], latency: Latencies): number {
  return levels.reduce((sum, level) => sum + Math.max(0, ...level.map((s) => latency[s])), 0);
}

/**
 * W1/W4 levels: the contact page (CRM) → company batch, owners and the customer search by
 * `hubspot_contact_id` (CRM, billing) → the invoice search for the customers the metadata
 * links, the email-fallback search for the contacts it does not, and the Slack users
 * directory (billing, chat) → the invoice search for customers linked by email, when
 * there are any (billing). The owners and users directories could start at level 1; that
 * does not shorten the path, which runs through billing.
 */
export function listLevels(emailLinked: number): SystemName[][] {
  return [['crm'], ['crm', 'billing'], ['billing', 'chat'], ...(emailLinked > 0 ? [['billing'] as SystemName[]] : [])];
}

/**
 * W2 on a metadata-linked contact: the contact read and the customer search by its id (which
 * needs nothing but the id) → its company and owner, and the customer's invoice search.
 */
export const W2_LEVELS: SystemName[][] = [
  ['crm', 'billing'],
  ['crm', 'billing'],
];

/** W3, per client request: the mutation's one write round trip; the read after it can be served from what the write returned. */
export const W3_LEVELS: SystemName[][] = [['crm']];

export interface ListShape {
  contacts: number;
  withCompany: number;
  withOwner: number;
  distinctOwners: number;
  customers: number;
  metadataLinked: number;
}

/**
 * The fewest upstream requests the vendor APIs permit for a list page, cold, per request:
 * one contacts page with associations inline (W4's search cannot inline them: the caller
 * adds one v4 association batch read), one companies batch read, one owners page; Stripe
 * has no multi-ID read and its search takes at most 10 OR-ed clauses, so ⌈n/10⌉ customer
 * searches by metadata, ⌈unlinked/10⌉ email-fallback searches, ⌈customers/10⌉ invoice
 * searches. Slack: nothing per request — the users directory is a replica each process
 * keeps (read at start and every SLACK_DIRECTORY_REFRESH_SECONDS, ⌈users/200⌉ pages,
 * patched by user_change/team_join events), since users.list (Tier 2) cannot be read per
 * request; the report states the directory's own cost beside the table.
 */
export function listMinimum(s: ListShape): number {
  const unlinked = s.contacts - s.metadataLinked;
  return 1 + (s.withCompany > 0 ? 1 : 0) + 1 + Math.ceil(s.contacts / 10) + Math.ceil(unlinked / 10) + Math.ceil(s.customers / 10);
}

/** Pages of one Slack users directory read (`users.list`, 200 a page). */
export const directoryPages = (chatUsers: number) => Math.ceil(chatUsers / 200);

/**
 * Naive resolution: one call per record per link — the page, a company read per contact
 * with a company, an owner read per contact, a Slack `users.lookupByEmail` per contact's
 * owner, a customer search per contact plus an email search per contact without the
 * metadata link, and an invoice list per customer found.
 */
export function listNaive(s: ListShape): number {
  return 1 + s.withCompany + s.withOwner + s.withOwner + s.contacts + (s.contacts - s.metadataLinked) + s.customers;
}

/**
 * Argument values the generator draws from: IDs, emails and names that exist in the
 * sandbox's seeded world (read from the world and, for records the world does not list,
 * from the healthy gateway once at start), cursors of real pages, and values that do not
 * exist or belong to another system.
 */
import { type World } from '@switchboard/sandbox';
import type { GraphQLResponse } from '../stack.ts';

/** Kinds of record an ID argument can name. */
export const ID_KINDS = [
  'contact',
  'company',
  'deal',
  'owner',
  'customer',
  'invoice',
  'subscription',
  'charge',
  'chatUser',
  'channel',
] as const;
export type IdKind = (typeof ID_KINDS)[number];

export interface WorldValues {
  ids: Record<IdKind, string[]>;
  /** IDs shaped like the kind's but naming nothing. */
  unknownIds: Record<IdKind, string[]>;
  emails: string[];
  names: string[];
  domains: string[];
  channelNames: string[];
  /** A real `endCursor` per root connection field, and one of a channel's messages. */
  cursors: Record<string, string[]>;
}

/** Strings that stress encoding and validation wherever they are passed on (paths, queries, search bodies). */
export const AWKWARD_STRINGS = [
  ...['', ' ', 'x', '.', 'search', '../../admin', 'a/b?c=d#e', '%2F%00', 'ümlaut ☃', '"quoted"', 'back\\slash', 'line\nbreak'],
  ...['*', 'null', '-1', 'x'.repeat(300)],
];

/** Cursors that are not cursors of the list they are given to. */
export const BAD_CURSORS = [
  ...['bad', '', 'djE6', 'djE6MDpNVEF3', 'djE6eDp6enp6', '!!!', 'eyJhIjoxfQ', 'Y3Vyc29yOjE='],
  ...['-1', '99999', 'x'.repeat(500)],
];

const ROOT_CONNECTIONS: Record<string, string> = {
  contacts: 'contacts(first: 2)',
  companies: 'companies(first: 2)',
  deals: 'deals(first: 2)',
  owners: 'owners(first: 1)',
  customers: 'customers(first: 2)',
  invoices: 'invoices(first: 2)',
  subscriptions: 'subscriptions(first: 2)',
  charges: 'charges(first: 2)',
  chatUsers: 'chatUsers(first: 2)',
  channels: 'channels(first: 2)',
};

interface Page {
  nodes: { id: string; name?: string | null }[];
  pageInfo: { endCursor: string | null };
}

/** `query` goes to a gateway over a healthy sandbox seeded with `w`. */
export async function loadWorldValues(w: World, query: (text: string) => Promise<GraphQLResponse>): Promise<WorldValues> {
  const everything = `{
    invoices(first: 100) { nodes { id } } subscriptions(first: 100) { nodes { id } } charges(first: 100) { nodes { id } }
    channels(first: 100, includeArchived: true) { nodes { id name isMember } }
  }`;
  const all = await query(everything);
  if (all.errors || !all.data) throw new Error(`could not read the seeded world: ${JSON.stringify(all.errors)}`);
  const lists = all.data as Record<string, { nodes: { id: string; name?: string; isMember?: boolean }[] }>;
  const ids = (field: string) => lists[field].nodes.map((n) => n.id);
  const channels = lists.channels.nodes;
  const readable = channels.find((c) => c.isMember) ?? channels[0];

  const pages = `{ ${Object.entries(ROOT_CONNECTIONS)
    .map(([name, call]) => `${name}: ${call} { nodes { id } pageInfo { endCursor } }`)
    .join(' ')} channelMessages(channel: ${JSON.stringify(readable.id)}, first: 2) { pageInfo { endCursor } } }`;
  const paged = await query(pages);
  if (paged.errors || !paged.data) throw new Error(`could not read first pages: ${JSON.stringify(paged.errors)}`);
  const cursors: Record<string, string[]> = {};
  for (const [name, page] of Object.entries(paged.data as Record<string, Page>)) {
    if (page.pageInfo.endCursor) cursors[name] = [page.pageInfo.endCursor];
  }

  return {
    ids: {
      contact: w.contacts.map((c) => c.id),
      company: w.companies.map((c) => c.id),
      deal: w.deals.map((d) => d.id),
      owner: w.owners.map((o) => o.id),
      customer: w.customers.map((c) => c.id),
      invoice: ids('invoices'),
      subscription: ids('subscriptions'),
      charge: ids('charges'),
      chatUser: w.chatUsers.map((u) => u.id),
      channel: channels.map((c) => c.id),
    },
    unknownIds: {
      contact: ['10999999', '0', '99999999999999999999'],
      company: ['20999999', '0'],
      deal: ['30999999', '0'],
      owner: ['99999', '0'],
      customer: ['cus_NOPE0000000000', 'cus_'],
      invoice: ['in_NOPE0000000000', 'in_'],
      subscription: ['sub_NOPE0000000000'],
      charge: ['ch_NOPE0000000000', 'py_NOPE'],
      chatUser: ['UNOPE000000', 'W00000000'],
      channel: ['CNOPE', 'GNOPE00000', 'D00000000'],
    },
    emails: [
      ...w.contacts.slice(0, 20).map((c) => c.email),
      ...w.owners.map((o) => o.email),
      ...w.customers.slice(0, 10).map((c) => c.email),
      ...w.chatUsers.flatMap((u) => (u.email ? [u.email, u.email.toUpperCase()] : [])),
      'nobody@example.invalid',
    ],
    names: [
      ...w.contacts.slice(0, 10).flatMap((c) => [c.firstName, c.lastName]),
      ...w.companies.slice(0, 5).map((c) => c.name.split(' ')[0]),
    ],
    domains: [...w.companies.map((c) => c.domain), 'nowhere.example'],
    channelNames: [...channels.flatMap((c) => (c.name ? [c.name, `#${c.name}`] : [])), 'no-such-channel'],
    cursors,
  };
}

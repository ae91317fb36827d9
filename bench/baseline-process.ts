/**
 * The cost-of-stitching baseline: a plain Yoga server answering W1, W2, W4 and the query mix
 * from the same seeded world held in memory (bench/baseline-data.ts) — one executable
 * schema of the same shape (bench/baseline-schema.ts), no stitching, no DataLoaders, no
 * cache, no HTTP to any vendor. Production-like Yoga settings (no GraphiQL, no landing page).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { formatMoney } from '../resolvers/money.ts';
import type { SeedChatUser, SeedCompany, SeedContact, SeedCustomer, SeedOwner } from '@switchboard/sandbox';
import {
  channels,
  chatUserByEmail,
  chatUsers,
  companies,
  contactByEmail,
  contacts,
  contactsByCompany,
  contactsByOwner,
  contactsByStage,
  customerByContact,
  customers,
  customersByEmail,
  deals,
  dealsByContact,
  dealsByStage,
  dealStage,
  invoices,
  lifecycleStage,
  type Listing,
  owners,
  type Invoice,
  type SeedDeal,
} from './baseline-data.ts';
import { BASELINE_TYPE_DEFS } from './baseline-schema.ts';

interface PageArgs {
  first: number;
  after?: string | null;
}

/** One page of `items` (a listing, or a filtered list in the listing's order), the cursor being the last node's ID. */
function page<T extends { id: string }>(listing: Listing<T>, args: PageArgs, filtered?: T[], counted = false) {
  const items = filtered ?? listing.items;
  const start = filtered ? (args.after ? filtered.findIndex((item) => item.id === args.after) + 1 : 0) : listing.start(args.after);
  const nodes = items.slice(start, start + Math.min(100, Math.max(1, args.first)));
  return {
    totalCount: counted ? items.length : null,
    pageInfo: {
      hasNextPage: start + nodes.length < items.length,
      hasPreviousPage: false,
      startCursor: nodes[0]?.id ?? null,
      endCursor: nodes.at(-1)?.id ?? null,
    },
    nodes,
  };
}

function filteredContacts(filter: { ownerId?: string | null; lifecycleStage?: string | null }): SeedContact[] {
  const byOwner = filter.ownerId ? (contactsByOwner.get(filter.ownerId) ?? []) : undefined;
  if (!filter.lifecycleStage) return byOwner ?? contacts.items;
  if (!byOwner) return contactsByStage.get(filter.lifecycleStage) ?? [];
  return byOwner.filter((c) => lifecycleStage(c.lifecycleStage) === filter.lifecycleStage);
}

function billingCustomer(contact: SeedContact): SeedCustomer | null {
  const linked = customerByContact.get(contact.id);
  if (linked) return linked;
  const byEmail = customersByEmail.get(contact.email.toLowerCase()) ?? [];
  return byEmail.length === 1 && (byEmail[0].contactId === null || byEmail[0].contactId === contact.id) ? byEmail[0] : null;
}

const money = (amount: number, currency: string) => ({ amount, currency, formatted: formatMoney(amount, currency) });
const owner = (record: { ownerId: string | null }) => (record.ownerId ? (owners.get(record.ownerId) ?? null) : null);
const company = (record: { companyId: string | null }) => (record.companyId ? (companies.at(record.companyId) ?? null) : null);
const iso = (ms: number) => new Date(ms).toISOString();

const schema = createSchema({
  typeDefs: BASELINE_TYPE_DEFS,
  resolvers: {
    Query: {
      contacts: (_: unknown, args: PageArgs & { filter?: { ownerId?: string; lifecycleStage?: string } }) =>
        args.filter ? page(contacts, args, filteredContacts(args.filter), true) : page(contacts, args),
      contact: (_: unknown, args: { id: string }) => contacts.at(args.id) ?? null,
      companies: (_: unknown, args: PageArgs) => page(companies, args),
      deals: (_: unknown, args: PageArgs & { filter?: { stage?: string } }) =>
        args.filter?.stage ? page(deals, args, dealsByStage.get(args.filter.stage) ?? [], true) : page(deals, args),
      customers: (_: unknown, args: PageArgs) => page(customers, args),
      chatUsers: (_: unknown, args: PageArgs) => page(chatUsers, args, undefined, true),
      chatUser: (_: unknown, args: { id: string }) => chatUsers.at(args.id) ?? null,
      channels: (_: unknown, args: PageArgs) => page(channels, args, undefined, true),
    },
    Contact: {
      lifecycleStage: (c: SeedContact) => lifecycleStage(c.lifecycleStage),
      company,
      owner,
      deals: (c: SeedContact, args: { first: number }) => (dealsByContact.get(c.id) ?? []).slice(0, args.first).map((link) => link.deal),
      billingCustomer,
    },
    Company: {
      contacts: (c: SeedCompany, args: { first: number }) => (contactsByCompany.get(c.id) ?? []).slice(0, args.first),
    },
    Deal: {
      stage: (d: SeedDeal) => dealStage(d.stage),
      closeDate: (d: SeedDeal) => iso(d.closeDate),
      company,
      owner,
    },
    Owner: {
      chatUser: (o: SeedOwner) => chatUserByEmail.get(o.email.toLowerCase()) ?? null,
    },
    ChatUser: {
      timeZone: (u: SeedChatUser) => u.tz,
      owner,
    },
    Customer: {
      hubspotContactId: (c: SeedCustomer) => (c.linkedByMetadata ? c.contactId : null),
      invoices: (c: SeedCustomer, args: { status?: string }) =>
        (invoices.get(c.id) ?? []).filter((i) => !args.status || i.status === args.status),
      contact: (c: SeedCustomer) =>
        (c.linkedByMetadata && c.contactId ? contacts.at(c.contactId) : contactByEmail.get(c.email.toLowerCase())) ?? null,
    },
    Invoice: {
      amountDue: (i: Invoice) => money(i.amount, i.currency),
      total: (i: Invoice) => money(i.amount, i.currency),
    },
  },
});

const yoga = createYoga({ schema, graphqlEndpoint: '/graphql', landingPage: false, graphiql: false, logging: false, batching: false });
const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
});
process.on('disconnect', () => {
  server.close();
  process.exit(0);
});

/**
 * The cost-of-stitching baseline: a plain Yoga server answering W1 and W2 from the same
 * seeded world held in memory — one executable schema of the same shape, no stitching, no
 * DataLoaders, no cache, no HTTP to any vendor. Production-like Yoga settings (no
 * GraphiQL, no landing page). Invoices are generated here deterministically, in the
 * emulator's proportions, since the world skeleton does not hold them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { formatMoney } from '../resolvers/billing/money.ts';
import {
  createWorld,
  Prng,
  type SeedChatUser,
  type SeedCompany,
  type SeedContact,
  type SeedCustomer,
  type SeedOwner,
} from '@switchboard/sandbox';

const typeDefs = /* GraphQL */ `
  enum LifecycleStage {
    SUBSCRIBER
    LEAD
    MARKETING_QUALIFIED_LEAD
    SALES_QUALIFIED_LEAD
    OPPORTUNITY
    CUSTOMER
    EVANGELIST
    OTHER
  }
  enum InvoiceStatus {
    DRAFT
    OPEN
    PAID
    UNCOLLECTIBLE
    VOID
    OTHER
  }
  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }
  type Money {
    amount: Int!
    currency: String!
    formatted: String!
  }
  type Company {
    id: ID!
    name: String
    domain: String
  }
  type ChatUser {
    id: ID!
    name: String!
    displayName: String
  }
  type Owner {
    id: ID!
    email: String
    firstName: String
    lastName: String
    chatUser: ChatUser
  }
  type Invoice {
    id: ID!
    number: String
    status: InvoiceStatus!
    amountDue: Money!
    dueDate: String
  }
  type Customer {
    id: ID!
    email: String
    name: String
    invoices(status: InvoiceStatus): [Invoice!]!
  }
  type Contact {
    id: ID!
    firstName: String
    lastName: String
    email: String
    lifecycleStage: LifecycleStage
    company: Company
    owner: Owner
    billingCustomer: Customer
  }
  type ContactConnection {
    totalCount: Int
    pageInfo: PageInfo!
    nodes: [Contact!]!
  }
  type Query {
    contacts(first: Int = 20, after: String): ContactConnection!
    contact(id: ID!): Contact
  }
`;

interface Invoice {
  id: string;
  number: string;
  status: string;
  amount: number;
  currency: string;
  dueDate: string | null;
}

const world = createWorld({ size: Number(process.env.BENCH_CONTACTS ?? 100_000) });
const contactIndex = new Map(world.contacts.map((c, i) => [c.id, i]));
const companies = new Map<string, SeedCompany>(world.companies.map((c) => [c.id, c]));
const owners = new Map<string, SeedOwner>(world.owners.map((o) => [o.id, o]));
const chatUserByEmail = new Map<string, SeedChatUser>();
for (const u of world.chatUsers) if (u.email && !u.deleted) chatUserByEmail.set(u.email.toLowerCase(), u);
const customerByContact = new Map<string, SeedCustomer>();
for (const c of world.customers) if (c.contactId && c.linkedByMetadata) customerByContact.set(c.contactId, c);
const customersByEmail = new Map<string, SeedCustomer[]>();
for (const c of world.customers) {
  const key = c.email.toLowerCase();
  customersByEmail.set(key, [...(customersByEmail.get(key) ?? []), c]);
}

const STATUSES = ['OPEN', 'PAID', 'PAID', 'PAID', 'VOID', 'DRAFT'];
const invoicesPerCustomer = world.size.invoices / Math.max(1, world.customers.length);
const invoices = new Map<string, Invoice[]>();
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

const stage = (raw: string) =>
  ({ marketingqualifiedlead: 'MARKETING_QUALIFIED_LEAD', salesqualifiedlead: 'SALES_QUALIFIED_LEAD' })[raw] ??
  (raw ? raw.toUpperCase() : null);

function billingCustomer(contact: SeedContact): SeedCustomer | null {
  const linked = customerByContact.get(contact.id);
  if (linked) return linked;
  const byEmail = customersByEmail.get(contact.email.toLowerCase()) ?? [];
  return byEmail.length === 1 && (byEmail[0].contactId === null || byEmail[0].contactId === contact.id) ? byEmail[0] : null;
}

const schema = createSchema({
  typeDefs,
  resolvers: {
    Query: {
      contacts: (_: unknown, args: { first: number; after?: string }) => {
        const start = args.after ? (contactIndex.get(args.after) ?? -1) + 1 : 0;
        const nodes = world.contacts.slice(start, start + Math.min(100, Math.max(1, args.first)));
        const last = nodes.at(-1);
        return {
          totalCount: null,
          pageInfo: {
            hasNextPage: start + nodes.length < world.contacts.length,
            hasPreviousPage: false,
            startCursor: nodes[0]?.id ?? null,
            endCursor: last?.id ?? null,
          },
          nodes,
        };
      },
      contact: (_: unknown, args: { id: string }) => {
        const i = contactIndex.get(args.id);
        return i === undefined ? null : world.contacts[i];
      },
    },
    Contact: {
      lifecycleStage: (c: SeedContact) => stage(c.lifecycleStage),
      company: (c: SeedContact) => (c.companyId ? (companies.get(c.companyId) ?? null) : null),
      owner: (c: SeedContact) => owners.get(c.ownerId) ?? null,
      billingCustomer,
    },
    Owner: {
      chatUser: (o: SeedOwner) => chatUserByEmail.get(o.email.toLowerCase()) ?? null,
    },
    Customer: {
      invoices: (c: SeedCustomer, args: { status?: string }) =>
        (invoices.get(c.id) ?? []).filter((i) => !args.status || i.status === args.status),
    },
    Invoice: {
      amountDue: (i: Invoice) => ({ amount: i.amount, currency: i.currency, formatted: formatMoney(i.amount, i.currency) }),
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

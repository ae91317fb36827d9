/**
 * Shared set-up for the writes suites: a stack whose durable write state lives in its own
 * PostgreSQL schema on the real server (dropped afterwards), so suites never see each
 * other's idempotency keys or audit rows.
 */
import { randomUUID } from 'node:crypto';
import { DATABASE_URL as TEST_DATABASE_URL, withDatabase } from '../soak/database.ts';
import { startStack, type Stack, type StackOptions } from './support/stack.ts';

export { TEST_DATABASE_URL, withDatabase };

export function freshSchema(): string {
  return `writes_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

export async function startWriteStack(options: StackOptions & { schema?: string } = {}): Promise<Stack & { schema: string }> {
  const schema = options.schema ?? freshSchema();
  const stack = await startStack({
    world: { size: 200 },
    ...options,
    env: { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, ...options.env },
  });
  return Object.assign(stack, { schema });
}

export async function dropSchema(schema: string): Promise<void> {
  await withDatabase((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** Upstream writes (non-GET requests, minus reads sent as POST) in a sandbox log since the last reset. */
export function writeCount(stack: Stack, system: 'crm' | 'billing' | 'chat', route?: string): number {
  return stack.sandbox
    .server(system)
    .requests.entries.filter(
      (entry) => entry.method !== 'GET' && !/batch\/read|\/search/.test(entry.route) && (!route || entry.route === route),
    ).length;
}

/** A GET straight to the vendor emulator (not through the gateway): the system of record's own view. */
export async function vendorGet<T = Record<string, unknown>>(
  stack: Stack,
  system: 'crm' | 'billing',
  path: string,
): Promise<{ status: number; body: T }> {
  const { SANDBOX_CREDENTIALS } = await import('@switchboard/sandbox');
  const base = stack.sandbox.urls[system]!;
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS[system]}` } });
  return { status: response.status, body: (await response.json()) as T };
}

export interface DealFixture {
  id: string;
  stageRaw: string;
  contactId: string;
}

/** Open deals with a contact and an owner, for the winDeal suites (each test takes its own). */
export async function openDeals(stack: Stack, count: number): Promise<DealFixture[]> {
  const result = await stack.query<{
    deals: {
      nodes: {
        id: string;
        stageRaw: string | null;
        amount: number | null;
        contacts: { id: string; billingCustomer: { id: string } | null }[];
        owner: { id: string } | null;
      }[];
    };
  }>('{ deals(first: 100) { nodes { id stageRaw amount contacts { id billingCustomer { id } } owner { id } } } }');
  if (!result.data?.deals) throw new Error(`listing deals failed: ${JSON.stringify(result.errors)}`);
  const deals = result.data.deals.nodes.filter(
    // Contacts without a billing customer yet, so winDeal creates one (and compensation deletes it).
    (deal) =>
      deal.contacts.length === 1 &&
      deal.contacts[0].billingCustomer === null &&
      deal.owner &&
      deal.stageRaw &&
      !deal.stageRaw.startsWith('closed') &&
      (deal.amount ?? 0) > 0,
  );
  if (deals.length < count) throw new Error(`the sandbox world has only ${deals.length} suitable deals`);
  return deals.slice(0, count).map((deal) => ({ id: deal.id, stageRaw: deal.stageRaw!, contactId: deal.contacts[0].id }));
}

export const WIN_DEAL = /* GraphQL */ `
  mutation Win($key: String!, $dealId: ID!, $channel: String!) {
    winDeal(idempotencyKey: $key, dealId: $dealId, invoice: { currency: "usd" }, notify: { channel: $channel }) {
      status
      replayed
      error {
        code
        message
        step
      }
      warnings {
        code
        message
        step
      }
      steps {
        name
        system
        status
        compensation
        error {
          code
        }
        upstreamIds {
          name
          value
        }
      }
      invoiceId: upstreamId(name: "invoiceId")
      customerId: upstreamId(name: "customerId")
      ts: upstreamId(name: "ts")
    }
  }
`;

export interface WinDealResult {
  status: string;
  replayed: boolean;
  error: { code: string; message: string; step: string | null } | null;
  warnings: { code: string; message: string; step: string | null }[];
  steps: {
    name: string;
    system: string;
    status: string;
    compensation: string | null;
    error: { code: string } | null;
    upstreamIds: { name: string; value: string }[];
  }[];
  invoiceId: string | null;
  customerId: string | null;
  ts: string | null;
}

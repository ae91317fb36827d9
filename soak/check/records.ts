/**
 * The vendors' own records, read in process after the run: the CRM's records with their
 * property histories, Stripe's Event log (which names the Idempotency-Key of the request
 * behind each change) and the objects as they now are, Slack's channel timelines. Nothing
 * here goes over HTTP, so reading adds no arrivals to the vendors' request logs and spends
 * no quota the budget invariant counts.
 */
import type { ChatEmulator, createCrmEmulator, SandboxServer } from '@switchboard/sandbox';
import type { Cluster } from '../cluster.ts';

type CrmStore = ReturnType<typeof createCrmEmulator>['store'];
export type CrmRecord = CrmStore['tables']['contacts']['all'][number];
type ChatStore = ChatEmulator['store'];
export type SlackMessage = ChatStore['channels'][number]['timeline'][number];
type Router = SandboxServer['vendor']['router'];
type Route = Exclude<ReturnType<Router['match']>, null | 'method-not-allowed'>;
type SandboxRequest = Parameters<Route['entry']['handler']>[0];

export type Json = Record<string, unknown>;

/** A property taking a value, in the real clock's milliseconds (the CRM's own clock may run ahead of it). */
export interface Transition {
  value: string;
  /** It happened within [at, at + withinMs]: the vendor's clock may count in coarser units than ms. */
  at: number;
  withinMs: number;
  /** `CRM_UI` for an edit made in the vendor, `INTEGRATION` for an API write. */
  source: string;
}

export class CrmRecords {
  /** The CRM's clock is the real one shifted to never precede the seeded world's "now". */
  private readonly offsetMs: number;

  constructor(private readonly store: CrmStore) {
    // Read within one millisecond of the real clock, so the offset is exact.
    for (;;) {
      const before = Date.now();
      const shifted = store.clock();
      if (Date.now() === before) {
        this.offsetMs = shifted - before;
        break;
      }
    }
  }

  contact(id: string): CrmRecord | undefined {
    return this.store.get('contacts', id);
  }

  deal(id: string): CrmRecord | undefined {
    return this.store.get('deals', id);
  }

  /** Every contact, archived ones included, whose email is `email`. */
  contactsWithEmail(email: string): CrmRecord[] {
    const wanted = email.toLowerCase();
    return this.store.tables.contacts.all.filter((record) => record.properties.email?.toLowerCase() === wanted);
  }

  dealsNamed(name: string): CrmRecord[] {
    return this.store.tables.deals.all.filter((record) => record.properties.dealname === name);
  }

  /** The values a property was given after seeding, oldest first. */
  changes(record: CrmRecord, property: string): Transition[] {
    return this.store
      .history(record, property)
      .filter((entry) => entry.sourceType !== 'IMPORT')
      .map((entry) => ({ value: entry.value, at: entry.timestamp - this.offsetMs, withinMs: 0, source: entry.sourceType }))
      .reverse();
  }

  /** The property's value at `at` (real-clock ms), seeded value included. */
  valueAt(record: CrmRecord, property: string, at: number): string | undefined {
    return this.store.history(record, property).find((entry) => entry.timestamp - this.offsetMs <= at)?.value;
  }

  /** The deal's contacts as the API shows them (links to archived contacts hidden). */
  dealContacts(dealId: string): string[] {
    const deal = this.deal(dealId);
    return deal ? this.store.visibleLinks(deal, 'contacts').map(([contact]) => contact.id) : [];
  }
}

export interface StripeEvent {
  id: string;
  type: string;
  /** Unix seconds. */
  created: number;
  object: Json;
  previousAttributes: Json | null;
  /** The Idempotency-Key of the API request that caused it; null for the vendor's own changes. */
  idempotencyKey: string | null;
}

export class BillingRecords {
  private constructor(
    private readonly server: SandboxServer,
    /** Every Event since the sandbox was seeded, oldest first. */
    readonly events: StripeEvent[],
  ) {}

  static async read(server: SandboxServer): Promise<BillingRecords> {
    const newestFirst: StripeEvent[] = [];
    for (let after: string | undefined; ;) {
      const page = await call(server, '/v1/events', { limit: '100', ...(after ? { starting_after: after } : {}) });
      const data = (page.data ?? []) as Json[];
      for (const event of data) {
        const request = event.request as { idempotency_key?: string | null } | null;
        const body = event.data as { object: Json; previous_attributes?: Json };
        newestFirst.push({
          id: event.id as string,
          type: event.type as string,
          created: event.created as number,
          object: body.object,
          previousAttributes: body.previous_attributes ?? null,
          idempotencyKey: request?.idempotency_key ?? null,
        });
      }
      if (!page.has_more || data.length === 0) break;
      after = data[data.length - 1].id as string;
    }
    return new BillingRecords(server, newestFirst.reverse());
  }

  /** The object as Stripe now serves it (`{ deleted: true }` for a deleted customer); null when it answers 404. */
  async current(kind: 'customers' | 'invoices' | 'subscriptions', id: string): Promise<Json | null> {
    const answer = await call(this.server, `/v1/${kind}/${id}`, {});
    return answer.error ? null : answer;
  }

  /** The names a customer was given after seeding, oldest first (Stripe's clock counts seconds). */
  nameChanges(customerId: string): Transition[] {
    return this.events
      .filter(
        (event) =>
          event.type === 'customer.updated' &&
          event.object.id === customerId &&
          event.previousAttributes &&
          'name' in event.previousAttributes,
      )
      .map((event) => ({
        value: String(event.object.name),
        at: event.created * 1000,
        withinMs: 999,
        source: event.idempotencyKey === null ? 'DASHBOARD' : 'API',
      }));
  }

  /** The `*.created` Events (customer, invoice, subscription) whose request carried a key starting with `prefix`. */
  createdUnder(prefix: string): StripeEvent[] {
    return this.events.filter((event) => CREATIONS.has(event.type) && event.idempotencyKey?.startsWith(prefix));
  }
}

const CREATIONS = new Set(['customer.created', 'invoice.created', 'customer.subscription.created']);

/** One GET on the emulator's own router, as the vendor would answer it, bypassing the network, its chaos and its request log. */
async function call(server: SandboxServer, path: string, query: Record<string, string>): Promise<Json> {
  const url = new URL(`http://sandbox${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const match = server.vendor.router.match('GET', url.pathname);
  if (!match || match === 'method-not-allowed') throw new Error(`the ${server.system} emulator has no route GET ${path}`);
  const request: SandboxRequest = {
    method: 'GET',
    path: url.pathname,
    url,
    query: url.searchParams,
    headers: {},
    rawBody: Buffer.alloc(0),
    params: match.params,
    route: `GET ${match.entry.pattern}`,
  };
  const response = await match.entry.handler(request);
  // A 404 is an answer here (the object is gone), not a failure of the read.
  if (response.status === 404) return { error: response.body };
  if (response.status !== 200) throw new Error(`GET ${path} on the ${server.system} emulator answered ${response.status}`);
  return response.body as Json;
}

export class ChatRecords {
  constructor(private readonly store: ChatStore) {}

  channelId(name: string): string {
    const channel = this.store.resolveChannel(name);
    if (!channel) throw new Error(`the chat emulator has no channel ${name}`);
    return channel.conversation.id;
  }

  /** The bot's top-level messages in the channel posted at or after `since` (ms). */
  botMessages(channelId: string, since: number): SlackMessage[] {
    const channel = this.store.channel(channelId);
    const botId = this.store.workspace.botId;
    return (channel?.timeline ?? []).filter((message) => message.bot_id === botId && Number(message.ts) * 1000 >= since);
  }

  message(channelId: string, ts: string): SlackMessage | undefined {
    return this.store.channel(channelId)?.byTs.get(ts);
  }
}

export interface Records {
  crm: CrmRecords;
  billing: BillingRecords;
  chat: ChatRecords;
}

export async function readRecords(cluster: Cluster): Promise<Records> {
  const crm = cluster.sandbox.server('crm').vendor as ReturnType<typeof createCrmEmulator>;
  const chat = cluster.sandbox.server('chat').vendor as ChatEmulator;
  return {
    crm: new CrmRecords(crm.store),
    billing: await BillingRecords.read(cluster.sandbox.server('billing')),
    chat: new ChatRecords(chat.store),
  };
}

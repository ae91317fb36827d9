/**
 * The soak's workload: clients with their own keys on both replicas, mixing reads and writes
 * on a small set of shared subjects (so writes race), cross-system workflows on overlapping
 * deals and emails, retries with the same idempotency key after a timeout or a cut
 * connection (sometimes on the other replica), and edits made directly in the vendor.
 * Every choice comes from the run's seed.
 */
import type { Prng, World } from '@switchboard/sandbox';
import type { Call, Client, GraphQLAnswer } from './client.ts';
import type { History, Operation, Replica } from './history.ts';
import * as Q from './operations.ts';

export interface Subjects {
  contacts: string[];
  customers: string[];
  /** Deals that may be won; grows as clients create deals. */
  deals: string[];
  owners: string[];
  onboardEmails: string[];
}

export function pickSubjects(world: World, prng: Prng, runTag: string): Subjects {
  const open = world.deals.filter((deal) => deal.stage !== 'closedwon' && deal.stage !== 'closedlost' && deal.contactIds.length > 0);
  const sample = <T>(items: readonly T[], n: number): T[] => {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length > 0) out.push(pool.splice(prng.int(0, pool.length - 1), 1)[0]);
    return out;
  };
  return {
    contacts: sample(world.contacts, 8).map((c) => c.id),
    customers: sample(world.customers, 6).map((c) => c.id),
    deals: sample(open, 12).map((d) => d.id),
    owners: world.owners.map((o) => o.id),
    // Few enough that clients onboard the same email under different keys.
    onboardEmails: Array.from({ length: 40 }, (_, i) => `soak-${runTag}-${i}@example.com`),
  };
}

export interface WorkloadOptions {
  history: History;
  clients: Client[];
  subjects: Subjects;
  prng: Prng;
  runTag: string;
  /** Stop starting operations once this many have completed, or at this time. */
  maxOps: number;
  until: number;
  /** A vendor-side edit, as someone working in the vendor's own UI makes it. */
  vendorEdit(contactId: string, jobTitle: string): Promise<void>;
}

type Action = (client: Client, prng: Prng) => Promise<void>;

interface Update {
  subjects: 'contacts' | 'customers';
  mutation: string;
  query: string;
  field: string;
  tag: string;
}

const UPDATES = {
  contact: { subjects: 'contacts', mutation: 'updateContact', query: Q.UPDATE_CONTACT, field: 'jobTitle', tag: 'title' },
  customer: { subjects: 'customers', mutation: 'updateCustomer', query: Q.UPDATE_CUSTOMER, field: 'name', tag: 'name' },
} as const satisfies Record<string, Update>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Workload {
  private serial = 0;
  /** Convergence of vendor-side edits: ms until each replica served the new value. */
  readonly convergenceMs: number[] = [];
  private readonly probes: Promise<void>[] = [];

  constructor(private readonly options: WorkloadOptions) {}

  private get done(): boolean {
    const { history, maxOps, until } = this.options;
    return Date.now() >= until || history.operations.length >= maxOps;
  }

  async run(): Promise<void> {
    const { clients, prng } = this.options;
    await Promise.all([
      ...clients.map((client) => this.clientLoop(client, prng.fork(client.identity.name))),
      this.vendorLoop(prng.fork('vendor'), clients[0]),
    ]);
    await Promise.all(this.probes);
  }

  private async clientLoop(client: Client, prng: Prng): Promise<void> {
    const table: [number, Action][] = [
      [18, (c, p) => this.readContact(c, p)],
      [8, (c, p) => this.read(c, p, 'read:W1', Q.READ_W1)],
      [6, (c, p) => this.read(c, p, 'read:W2', Q.READ_W2)],
      [6, (c, p) => this.readPages(c, p)],
      [6, (c, p) => this.readCustomer(c, p)],
      [20, (c, p) => this.updateContact(c, p)],
      [8, (c, p) => this.updateCustomer(c, p)],
      [4, (c, p) => this.postMessage(c, p)],
      [3, (c, p) => this.createDeal(c, p)],
      [6, (c, p) => this.winDeal(c, p)],
      [4, (c, p) => this.onboard(c, p)],
    ];
    const total = table.reduce((sum, [weight]) => sum + weight, 0);
    while (!this.done) {
      let roll = prng.int(1, total);
      const action = table.find(([weight]) => (roll -= weight) <= 0)![1];
      await action(client, prng);
      // A person or a service between requests: the run is a mix of work, not a flood that only measures the quota.
      await sleep(prng.int(50, 400));
    }
  }

  private replica(prng: Prng): Replica {
    return prng.chance(0.5) ? 0 : 1;
  }

  private value(client: Client, what: string): string {
    return `soak-${this.options.runTag}-${client.identity.name}-${what}-${++this.serial}`;
  }

  private async read(client: Client, prng: Prng, kind: string, query: string): Promise<void> {
    await client.call({ kind, replica: this.replica(prng), query, timeoutMs: 15_000 });
  }

  private async readContact(client: Client, prng: Prng, id = prng.pick(this.options.subjects.contacts)): Promise<void> {
    await client.call({
      kind: 'read:contact',
      replica: this.replica(prng),
      query: Q.READ_CONTACT,
      variables: { id },
      subject: id,
      timeoutMs: 15_000,
      keep: (answer) => ({ jobTitle: Q.field(answer, 'contact', 'jobTitle') }),
    });
  }

  private async readCustomer(client: Client, prng: Prng, id = prng.pick(this.options.subjects.customers)): Promise<void> {
    await client.call({
      kind: 'read:customer',
      replica: this.replica(prng),
      query: Q.READ_CUSTOMER,
      variables: { id },
      subject: id,
      timeoutMs: 15_000,
      keep: (answer) => ({ name: Q.field(answer, 'customer', 'name') }),
    });
  }

  private async readPages(client: Client, prng: Prng): Promise<void> {
    let after: string | null = null;
    const replica = this.replica(prng);
    for (let page = 0; page < 3 && !this.done; page++) {
      const { answer } = await client.call({ kind: 'read:page', replica, query: Q.READ_PAGE, variables: { after }, timeoutMs: 15_000 });
      after = answer ? ((Q.field(answer, 'contacts', 'pageInfo', 'endCursor') as string | null) ?? null) : null;
      if (!after) return;
    }
  }

  /** Sends a write; while its outcome is unknown to the client, sends it again (same value, same key), up to three times. */
  private async write(prng: Prng, client: Client, call: Omit<Call, 'replica' | 'timeoutMs'> & { timeoutMs?: number }): Promise<Operation> {
    let replica = this.replica(prng);
    let first: Operation | undefined;
    for (let attempt = 0; ; attempt++) {
      // Some first attempts give up early (a client with a short timeout) or hang up right after sending.
      const impatient = attempt === 0 && prng.chance(0.08);
      const cut = attempt === 0 && !impatient && prng.chance(0.04);
      const { op } = await client.call({
        ...call,
        replica,
        timeoutMs: impatient ? 300 : (call.timeoutMs ?? 20_000),
        cut,
        retryOf: first?.id,
      });
      first ??= op;
      const retry = op.completion === 'unknown' || op.codes?.includes('WRITE_IN_PROGRESS');
      if (!retry || attempt === 3 || this.done) return op;
      if (prng.chance(0.5)) replica = replica === 0 ? 1 : 0;
      await sleep(100 * (attempt + 1));
    }
  }

  private updateContact(client: Client, prng: Prng): Promise<void> {
    return this.update(client, prng, UPDATES.contact, (c, p, id) => this.readContact(c, p, id));
  }

  private updateCustomer(client: Client, prng: Prng): Promise<void> {
    return this.update(client, prng, UPDATES.customer, (c, p, id) => this.readCustomer(c, p, id));
  }

  /** One update of a shared record with a value unique to it, then, mostly, the client reads its write back on either replica. */
  private async update(client: Client, prng: Prng, what: Update, readBack: (client: Client, prng: Prng, id: string) => Promise<void>) {
    const id = prng.pick(this.options.subjects[what.subjects]);
    const value = this.value(client, what.tag);
    const op = await this.write(prng, client, {
      kind: `write:${what.mutation}`,
      query: what.query,
      variables: { id, value },
      subject: id,
      value,
      keep: (answer) => ({ [what.field]: Q.field(answer, what.mutation, what.field) }),
    });
    if (op.completion === 'ok' && prng.chance(0.6)) await readBack(client, prng, id);
  }

  /** A message has no idempotency key: the client does not resend it, so an unknown outcome stays unknown. */
  private async postMessage(client: Client, prng: Prng): Promise<void> {
    const text = this.value(client, 'message');
    await client.call({
      kind: 'write:postMessage',
      replica: this.replica(prng),
      query: Q.POST_MESSAGE,
      variables: { text },
      value: text,
      timeoutMs: 20_000,
      keep: (answer) => ({ ts: Q.field(answer, 'postMessage', 'ts') }),
    });
  }

  private async createDeal(client: Client, prng: Prng): Promise<void> {
    const name = this.value(client, 'deal');
    const { op, answer } = await client.call({
      kind: 'write:createDeal',
      replica: this.replica(prng),
      query: Q.CREATE_DEAL,
      variables: { name, contactId: prng.pick(this.options.subjects.contacts), ownerId: prng.pick(this.options.subjects.owners) },
      value: name,
      timeoutMs: 20_000,
      keep: (a) => ({ id: Q.field(a, 'createDeal', 'id') }),
    });
    const id = answer && op.completion === 'ok' ? (Q.field(answer, 'createDeal', 'id') as string) : undefined;
    if (id) this.options.subjects.deals.push(id);
  }

  private async winDeal(client: Client, prng: Prng): Promise<void> {
    const { deals } = this.options.subjects;
    // Recent deals most often, so that clients race for the same one.
    const dealId = deals[Math.max(0, deals.length - 1 - prng.int(0, 5))];
    const key = this.value(client, 'win');
    await this.write(prng, client, {
      kind: 'workflow:winDeal',
      query: Q.WIN_DEAL,
      variables: { key, dealId },
      subject: dealId,
      idempotencyKey: key,
      keep: keepWorkflow('winDeal'),
    });
  }

  private async onboard(client: Client, prng: Prng): Promise<void> {
    const email = prng.pick(this.options.subjects.onboardEmails);
    const key = this.value(client, 'onboard');
    await this.write(prng, client, {
      kind: 'workflow:onboardCustomer',
      query: Q.ONBOARD,
      variables: { key, email },
      subject: email,
      idempotencyKey: key,
      keep: keepWorkflow('onboardCustomer'),
    });
  }

  /** Someone edits a contact in HubSpot's own UI every few hundred ms; the edit reaches the gateway only as a webhook. */
  private async vendorLoop(prng: Prng, prober: Client): Promise<void> {
    const { history, subjects, vendorEdit } = this.options;
    while (!this.done) {
      await sleep(prng.int(300, 1500));
      const id = prng.pick(subjects.contacts);
      const value = `vendor-${this.options.runTag}-${++this.serial}`;
      const op = history.invoke({ client: 'vendor', replica: 0, kind: 'vendor:edit', subject: id, value });
      try {
        await vendorEdit(id, value);
        history.complete(op, 'ok');
      } catch (error) {
        history.complete(op, 'error', { codes: [String(error)] });
        continue;
      }
      this.probes.push(this.probeConvergence(prober, id, op));
    }
  }

  /** Polls both replicas until each serves the edit (or a later write of the same record); records how long that took. */
  private async probeConvergence(prober: Client, id: string, edit: Operation): Promise<void> {
    const started = edit.completedAt!;
    const pending = new Set<Replica>([0, 1]);
    const convergedMs: Partial<Record<Replica, number>> = {};
    while (pending.size > 0 && Date.now() - started < 60_000) {
      for (const replica of [...pending]) {
        const answer = await prober.probe(replica, Q.READ_CONTACT, { id });
        const seen = answer ? Q.field(answer, 'contact', 'jobTitle') : undefined;
        if (typeof seen === 'string' && (seen === edit.value || this.writtenAfter(id, seen, edit))) {
          convergedMs[replica] = Date.now() - started;
          this.convergenceMs.push(convergedMs[replica]);
          pending.delete(replica);
        }
      }
      await sleep(250);
    }
    edit.result = { convergedMs, unconverged: [...pending] };
  }

  /** True when `value` was written to the record by an operation that may have reached the vendor after the edit. */
  private writtenAfter(id: string, value: string, edit: Operation): boolean {
    return this.options.history.operations.some(
      // Still in flight when the edit was made: the vendor may have applied it after the edit.
      (op) => op.subject === id && op.value === value && (op.completedAt ?? Infinity) >= edit.invokedAt && op.id !== edit.id,
    );
  }
}

function keepWorkflow(name: 'winDeal' | 'onboardCustomer') {
  return (answer: GraphQLAnswer) => Q.field(answer, name) ?? null;
}

/**
 * The soak's subscribers: clients holding `contactChanged` open over SSE on each replica for
 * the whole run. A dropped connection (its replica was killed, or restarted) is opened again
 * until the run stops them. Each keeps every event it received and the spells during which it
 * was connected, which is all the checker of invariant 6 may assume about what it could hear.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SoakClient } from './cluster.ts';
import type { Replica } from './history.ts';
import { sseMessages } from '../test/support/sse.ts';
import { SUBSCRIBE_CONTACTS } from './operations.ts';

export interface ContactEvent {
  subscriber: string;
  replica: Replica;
  receivedAt: number;
  /** Absent when the event carried no contact (its resolution failed: see `errors`). */
  id?: string;
  jobTitle?: string | null;
  updatedAt?: string;
  errors?: string[];
}

/** From the moment the gateway answered the subscription to the moment the stream ended. */
export interface Spell {
  subscriber: string;
  replica: Replica;
  from: number;
  to: number;
}

const RECONNECT_MS = 250;

export class Subscribers {
  readonly events: ContactEvent[] = [];
  readonly spells: Spell[] = [];
  private readonly stopper = new AbortController();
  private loops: Promise<void>[] = [];

  /** `perReplica` subscribers on each replica, each with the key of one of `clients` (in turn). */
  constructor(
    private readonly urls: readonly [string, string],
    private readonly clients: readonly SoakClient[],
    private readonly perReplica = 2,
    private readonly file?: string,
  ) {
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, '');
    }
  }

  /** What the checker reads: every event and every connected spell. */
  get record(): { events: readonly ContactEvent[]; spells: readonly Spell[] } {
    return { events: this.events, spells: this.spells };
  }

  /** Starts every subscriber and resolves once each has been connected once. */
  async start(): Promise<void> {
    const connected: Promise<void>[] = [];
    let n = 0;
    for (const replica of [0, 1] as const) {
      for (let i = 0; i < this.perReplica; i++) {
        const client = this.clients[n++ % this.clients.length];
        let first!: () => void;
        connected.push(new Promise<void>((resolve) => (first = resolve)));
        this.loops.push(this.subscribe(`sub${replica}.${i + 1}`, replica, client.key, first));
      }
    }
    await Promise.all(connected);
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async subscribe(name: string, replica: Replica, key: string, connected: () => void): Promise<void> {
    const { signal } = this.stopper;
    while (!signal.aborted) {
      let from: number | undefined;
      try {
        const response = await fetch(`${this.urls[replica]}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: SUBSCRIBE_CONTACTS }),
          signal,
        });
        if (response.ok && response.body) {
          // Yoga subscribes to the change feed before it answers: from here on, changes reach this stream.
          from = Date.now();
          connected();
          await this.read(response.body, name, replica);
        } else {
          await response.body?.cancel();
        }
      } catch {
        // Refused (the replica is down), reset (it was killed) or stopped: the spell, if any, ends here.
      }
      if (from !== undefined) this.keep('spell', this.spells, { subscriber: name, replica, from, to: Date.now() });
      if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  }

  private async read(body: ReadableStream<Uint8Array>, subscriber: string, replica: Replica): Promise<void> {
    for await (const { event, data } of sseMessages(body)) {
      if (event === 'complete') return;
      if (event !== 'next' || !data) continue;
      this.keep('event', this.events, { subscriber, replica, receivedAt: Date.now(), ...contactOf(data) });
    }
  }

  private keep<T>(kind: string, into: T[], item: T): void {
    into.push(item);
    if (this.file) appendFileSync(this.file, `${JSON.stringify({ [kind]: item })}\n`);
  }
}

function contactOf(data: string): Pick<ContactEvent, 'id' | 'jobTitle' | 'updatedAt' | 'errors'> {
  const payload = JSON.parse(data) as {
    data?: { contactChanged?: { id: string; jobTitle: string | null; updatedAt: string } | null };
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const contact = payload.data?.contactChanged;
  const errors = payload.errors?.map((error) => error.extensions?.code ?? error.message);
  return {
    ...(contact ? { id: contact.id, jobTitle: contact.jobTitle, updatedAt: contact.updatedAt } : {}),
    ...(errors?.length ? { errors } : {}),
  };
}

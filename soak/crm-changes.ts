/**
 * What HubSpot itself recorded: every change to a contact, read from the sandbox's change
 * log (`GET /__sandbox/changes`) as the run goes. The log keeps only its newest 10,000
 * entries, so it is drained every few seconds rather than once at the end. The checker holds
 * the subscribers' events to this: which states each contact went through, and when.
 */

import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One change to a contact as the vendor logged it (a property change, a link, its creation or archival). */
export interface ContactChange {
  eventId: number;
  type: 'creation' | 'propertyChange' | 'deletion' | 'associationChange';
  contactId: string;
  occurredAt: number;
  propertyName?: string;
  propertyValue?: string;
  /** The record's `updatedAt` after the change (epoch ms): links leave it as it was. */
  updatedAt: number;
  jobTitle: string | null;
}

interface LoggedChange {
  eventId: number;
  type: ContactChange['type'];
  objectType: string;
  objectId: number;
  occurredAt: number;
  propertyName?: string;
  propertyValue?: string;
  object: { updatedAt: string; properties: Record<string, string | null> };
}

const POLL_MS = 2000;

export class CrmChangeLog {
  readonly changes: ContactChange[] = [];
  /** Entries of the log that were gone before they could be read (the checker then cannot vouch for those spells). */
  lost = 0;
  private after = 0;
  private timer?: NodeJS.Timeout;
  private draining: Promise<void> = Promise.resolve();

  /** `file`: where each change is also written, one JSON line each, beside the history. */
  constructor(
    private readonly crmUrl: string,
    private readonly file?: string,
  ) {
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, '');
    }
  }

  start(): void {
    this.timer = setInterval(() => void this.drain(), POLL_MS);
    this.timer.unref();
  }

  /** Stops polling and reads what is left. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.drain();
  }

  /** One read at a time: a slow answer (the vendor is faulted) must not let two reads interleave. */
  private drain(): Promise<void> {
    this.draining = this.draining.then(() => this.readAll()).catch(() => undefined);
    return this.draining;
  }

  private async readAll(): Promise<void> {
    for (;;) {
      const response = await fetch(`${this.crmUrl}/__sandbox/changes?after=${this.after}&limit=5000`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) return;
      const { changes } = (await response.json()) as { changes: LoggedChange[] };
      if (changes.length === 0) return;
      // Ids count up by one: a gap is entries the bounded log dropped before they were read.
      if (this.after > 0) this.lost += changes[0].eventId - this.after - 1;
      for (const change of changes) {
        if (change.objectType !== 'contacts') continue;
        const contact: ContactChange = {
          eventId: change.eventId,
          type: change.type,
          contactId: String(change.objectId),
          occurredAt: change.occurredAt,
          ...(change.propertyName === undefined ? {} : { propertyName: change.propertyName }),
          ...(change.propertyValue === undefined ? {} : { propertyValue: change.propertyValue }),
          updatedAt: Date.parse(change.object.updatedAt),
          jobTitle: change.object.properties.jobtitle ?? null,
        };
        this.changes.push(contact);
        if (this.file) appendFileSync(this.file, `${JSON.stringify(contact)}\n`);
      }
      this.after = changes[changes.length - 1].eventId;
    }
  }
}

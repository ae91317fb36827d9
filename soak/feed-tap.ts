/**
 * Reads the replicas' change feed where they fan it out to each other: the Redis stream
 * `switchboard:changes:stream` (src/changes/redis.ts). What was fanned out — a mutation's own
 * announcement, a webhook, a catch-up — is what a duplicate event is made of, so the checker
 * names these beside each duplicate it finds.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Redis } from 'ioredis';

/** One contact change as the feed fanned it out. */
export interface FannedOut {
  at: number;
  id: string;
  source: string;
  action: string;
  occurredAt: number;
  eventId: string;
}

const STREAM = 'switchboard:changes:stream';

export class FeedTap {
  readonly contacts: FannedOut[] = [];
  private readonly redis: Redis;
  private stopped = false;

  constructor(
    redisUrl: string,
    private readonly file?: string,
  ) {
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, '');
    }
    // Reconnects by itself after a Redis restart, as the replicas do.
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', () => undefined);
  }

  async start(): Promise<void> {
    const [newest] = await this.redis.xrevrange(STREAM, '+', '-', 'COUNT', 1);
    void this.follow(newest?.[0] ?? '0-0');
  }

  /** From `lastId` on: stream ids grow with time, so the stream a restarted Redis starts afresh is read on from there too. */
  private async follow(lastId: string): Promise<void> {
    while (!this.stopped) {
      try {
        const read = await this.redis.xread('COUNT', 500, 'BLOCK', 1_000, 'STREAMS', STREAM, lastId);
        for (const [, entries] of read ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            this.record(JSON.parse(fields[1]) as Omit<FannedOut, 'at'> & { system: string; entity: string });
          }
        }
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private record(event: Omit<FannedOut, 'at'> & { system: string; entity: string }): void {
    if (event.system !== 'crm' || event.entity !== 'contact') return;
    const { id, source, action, occurredAt, eventId } = event;
    const fanned = { at: Date.now(), id, source, action, occurredAt, eventId };
    this.contacts.push(fanned);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(fanned)}\n`);
  }

  stop(): void {
    this.stopped = true;
    this.redis.disconnect();
  }
}

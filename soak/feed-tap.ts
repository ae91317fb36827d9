/**
 * Listens to the replicas' change feed where they fan it out to each other: the Redis channel
 * `<namespace>:changes` (README, "Several replicas"). What was fanned out — a mutation's own
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

export class FeedTap {
  readonly contacts: FannedOut[] = [];
  private readonly redis: Redis;

  constructor(redisUrl: string, file?: string) {
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, '');
    }
    // Resubscribes by itself after a Redis restart, as the replicas do.
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', () => undefined);
    this.redis.on('pmessage', (_pattern: string, _channel: string, message: string) => {
      const event = JSON.parse(message) as Omit<FannedOut, 'at'> & { system: string; entity: string };
      if (event.system !== 'crm' || event.entity !== 'contact') return;
      const { id, source, action, occurredAt, eventId } = event;
      const fanned = { at: Date.now(), id, source, action, occurredAt, eventId };
      this.contacts.push(fanned);
      if (file) appendFileSync(file, `${JSON.stringify(fanned)}\n`);
    });
  }

  async start(): Promise<void> {
    await this.redis.psubscribe('*:changes');
  }

  stop(): void {
    this.redis.disconnect();
  }
}

/**
 * Per-principal request rate limit: a fixed one-minute window counted in Redis when
 * REDIS_URL is set (so every replica shares one budget per principal), else in memory.
 * Over the limit the request is answered 429 RATE_LIMITED with `Retry-After` before its
 * body is parsed. A Redis outage lets requests through (logged): the limit protects the
 * vendors' quotas, and failing closed would turn a cache outage into a full outage.
 */
import type { Plugin } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { refusal } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { principalOf } from './use-auth.ts';

const WINDOW_MS = 60_000;

export interface RateCounter {
  /** Counts one request in the current window; returns the count and ms until the window ends. */
  hit(key: string): Promise<{ count: number; resetMs: number }>;
  close(): Promise<void>;
}

export function createMemoryCounter(now: () => number = Date.now): RateCounter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    async hit(key) {
      const t = now();
      const start = t - (t % WINDOW_MS);
      let window = windows.get(key);
      if (!window || window.start !== start) {
        // Drop finished windows as we go, so idle principals do not accumulate.
        if (windows.size > 10_000) for (const [k, w] of windows) if (w.start !== start) windows.delete(k);
        window = { start, count: 0 };
        windows.set(key, window);
      }
      window.count += 1;
      return { count: window.count, resetMs: start + WINDOW_MS - t };
    },
    async close() {},
  };
}

export function createRedisCounter(url: string, namespace: string): RateCounter {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  // A failed command reports its error to the caller; unheard, ioredis would also print each connection error.
  redis.on('error', () => undefined);
  return {
    async hit(key) {
      const t = Date.now();
      const start = t - (t % WINDOW_MS);
      const redisKey = `${namespace}:ratelimit:${key}:${start}`;
      const [[incrError, count], [expireError]] =
        (await redis
          .multi()
          .incr(redisKey)
          .pexpire(redisKey, WINDOW_MS * 2)
          .exec()) ?? [];
      if (incrError || expireError) throw incrError ?? expireError;
      return { count: Number(count), resetMs: start + WINDOW_MS - t };
    },
    async close() {
      redis.disconnect();
    },
  };
}

export interface RateLimitOptions {
  counter: RateCounter;
  /** Default requests per minute; a principal's own limit (API key config) wins. 0 = off. */
  perMinute: number;
  logger: Logger;
}

export function useRateLimit(options: RateLimitOptions): Plugin {
  return {
    async onRequestParse({ request }) {
      const principal = principalOf(request);
      const limit = principal?.rateLimitPerMinute ?? options.perMinute;
      if (!principal || limit <= 0) return;
      let hit: { count: number; resetMs: number };
      try {
        hit = await options.counter.hit(principal.id);
      } catch (error) {
        options.logger.warn({ err: error }, 'rate limit store unavailable; request let through');
        return;
      }
      if (hit.count <= limit) return;
      const retryAfter = Math.max(1, Math.ceil(hit.resetMs / 1000));
      throw refusal('RATE_LIMITED', `Rate limit of ${limit} requests per minute exceeded; retry after ${retryAfter} s.`, { retryAfter });
    },
  };
}

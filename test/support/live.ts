/**
 * Helpers for the live-data tests: serve a gateway on a real port (vendors' webhooks need
 * a URL), register its receivers with the sandbox, and read a subscription over SSE.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Sandbox, SANDBOX_WEBHOOK_SECRETS } from '@switchboard/sandbox';
import type { SystemName } from '@switchboard/sandbox';
import type { ChangeEvent, ChangeFeed } from '../../src/changes/types.ts';
import type { Gateway } from '../../src/gateway.ts';
import { attachGraphQLWs } from '../../src/subscriptions/ws.ts';
import { TEST_AUTH_HEADERS } from './credentials.ts';
import { sseMessages } from './sse.ts';

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves the gateway on an ephemeral port, with graphql-ws on /graphql as `npm start` does. */
export async function serve(gateway: Gateway): Promise<Served> {
  const server: Server = createServer(gateway.yoga);
  const wss = attachGraphQLWs(server, gateway.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const RECEIVERS: Record<SystemName, { path: string; secret: string }> = {
  crm: { path: '/webhooks/hubspot', secret: SANDBOX_WEBHOOK_SECRETS.hubspotClientSecret },
  billing: { path: '/webhooks/stripe', secret: SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret },
  chat: { path: '/webhooks/slack', secret: SANDBOX_WEBHOOK_SECRETS.slackSigningSecret },
};

export async function registerWebhooks(
  sandbox: Sandbox,
  gatewayUrl: string,
  settings: Record<string, unknown> = {},
  systems: SystemName[] = ['crm', 'billing', 'chat'],
): Promise<void> {
  for (const system of systems) {
    const response = await fetch(`${sandbox.urls[system]}/__sandbox/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${gatewayUrl}${RECEIVERS[system].path}`, secret: RECEIVERS[system].secret, ...settings }),
    });
    if (!response.ok) throw new Error(`registering ${system} webhooks failed: ${response.status} ${await response.text()}`);
  }
}

export async function sandboxAdmin(
  sandbox: Sandbox,
  system: SystemName,
  path: string,
  body?: unknown,
  method = 'POST',
): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.urls[system]}/__sandbox/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`sandbox ${system} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export interface SseSubscription<T> {
  /** Every `next` payload received so far. */
  received: { data?: T; errors?: unknown[] }[];
  /** Resolves with the n-th payload (1-based), or rejects after `timeoutMs`. */
  nth(n: number, timeoutMs?: number): Promise<{ data?: T; errors?: unknown[] }>;
  close(): void;
}

/** Opens a GraphQL subscription over SSE (Yoga's default transport) and parses its events. */
export async function subscribeSse<T = Record<string, unknown>>(
  gatewayUrl: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<SseSubscription<T>> {
  const controller = new AbortController();
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...TEST_AUTH_HEADERS },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`subscription failed: ${response.status} ${await response.text()}`);
  const received: SseSubscription<T>['received'] = [];
  const waiters = new Set<() => void>();
  const body = response.body;
  void (async () => {
    try {
      for await (const { event, data } of sseMessages(body)) {
        if (event === 'next' && data) {
          received.push(JSON.parse(data) as { data?: T; errors?: unknown[] });
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    received,
    nth(n, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(received[n - 1]);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no event #${n} within ${timeoutMs} ms (got ${received.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The gateway's change feed as a test sees it: every event published since `recordFeed`. */
export interface FeedRecording {
  events: ChangeEvent[];
  /** Resolves once `check` holds for the events so far; rejects after `timeoutMs`. */
  until(check: (events: ChangeEvent[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(): void;
}

/** Records the change feed in publish order (one process: the memory transport emits in that order). */
export function recordFeed(feed: ChangeFeed): FeedRecording {
  const events: ChangeEvent[] = [];
  const listening = new AbortController();
  const wakers = new Set<() => void>();
  void (async () => {
    for await (const event of feed.subscribe(listening.signal)) {
      events.push(event);
      for (const wake of wakers) wake();
    }
  })().catch(() => undefined);
  return {
    events,
    until: (check, what, timeoutMs) => waitFor(wakers, () => check(events), what, timeoutMs),
    stop: () => listening.abort(),
  };
}

/**
 * Counts the listeners subscriptions open on the change feed: a subscription is registered
 * once its resolver has subscribed, and only then can it receive a change. Install before
 * the subscriptions it is to count.
 */
export function countFeedListeners(feed: ChangeFeed): { count(): number; until(n: number, timeoutMs?: number): Promise<void> } {
  let count = 0;
  const wakers = new Set<() => void>();
  const subscribe = feed.subscribe.bind(feed);
  feed.subscribe = (signal) => {
    count++;
    for (const wake of wakers) wake();
    signal?.addEventListener('abort', () => count--, { once: true });
    return subscribe(signal);
  };
  return { count: () => count, until: (n, timeoutMs) => waitFor(wakers, () => count >= n, `${n} change-feed listeners`, timeoutMs) };
}

function waitFor(wakers: Set<() => void>, check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const wake = () => {
      if (!check()) return;
      wakers.delete(wake);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      wakers.delete(wake);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    wakers.add(wake);
    wake();
  });
}

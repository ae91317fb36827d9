/**
 * What the soak runs against: the sandbox vendors (in this process, so the checker can read
 * their records and every request they received), a Redis of its own, a fresh PostgreSQL
 * schema on the machine's server, and two gateway replicas sharing both. Each vendor
 * delivers its webhooks to both replicas, as a vendor retrying through a load balancer may.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_URL, withDatabase } from './database.ts';
import {
  SANDBOX_CREDENTIALS,
  SANDBOX_WEBHOOK_SECRETS,
  startSandbox,
  type RequestLogEntry,
  type Sandbox,
  type SystemName,
} from '@switchboard/sandbox';
import { apiKeyConfigEntry } from '../src/index.ts';
import { ReplicaProcess } from './replicas.ts';
import { freePort, SoakRedis } from './redis.ts';

/** The vendor quotas both replicas share (their sum is what the checker holds the sandbox's counts to). */
export const BUDGETS = { crm: { calls: 2500, windowMs: 10_000 }, billing: { calls: 100, windowMs: 1_000 } } as const;

export interface SoakClient {
  name: string;
  key: string;
}

export interface Arrival {
  system: SystemName;
  at: number;
  route: string;
  status: number;
  body?: string;
}

const RECEIVER_PATHS: Record<SystemName, { path: string; secret: string }> = {
  crm: { path: '/webhooks/hubspot', secret: SANDBOX_WEBHOOK_SECRETS.hubspotClientSecret },
  billing: { path: '/webhooks/stripe', secret: SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret },
  chat: { path: '/webhooks/slack', secret: SANDBOX_WEBHOOK_SECRETS.slackSigningSecret },
};

export class Cluster {
  /** Every API request each vendor received, in arrival order (the sandbox's own log keeps only the last 1000). */
  readonly arrivals: Arrival[] = [];
  private unlisten: (() => void)[] = [];

  private constructor(
    readonly sandbox: Sandbox,
    readonly redis: SoakRedis,
    readonly schema: string,
    readonly replicas: [ReplicaProcess, ReplicaProcess],
    readonly clients: SoakClient[],
  ) {}

  static async start(options: { seed: number; contacts: number; clients: number; dir: string }): Promise<Cluster> {
    mkdirSync(options.dir, { recursive: true });
    const sandbox = await startSandbox({ world: { seed: options.seed, size: options.contacts } });
    // The portal's quota as HubSpot states it in every answer's X-HubSpot-RateLimit-* headers, which the
    // gateway's budget follows: the same as the budget configured, as on a portal that bought that limit.
    const limits = await fetch(`${sandbox.urls.crm}/__sandbox/limits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenSecondlyMax: BUDGETS.crm.calls }),
    });
    if (!limits.ok) throw new Error(`setting the CRM sandbox's limits failed: ${limits.status}`);
    const redis = new SoakRedis(await freePort());
    await redis.start();
    const schema = `soak_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const clients = Array.from({ length: options.clients }, (_, i) => ({
      name: `client${i + 1}`,
      key: `sbk_soak-client-${i + 1}-${randomUUID()}`,
    }));
    const ports = [await freePort(), await freePort()];
    const env = replicaEnv(sandbox, redis.url, schema, clients);
    const replicas = ports.map(
      (port, i) =>
        new ReplicaProcess({
          name: `replica${i}`,
          port,
          env: { ...env, SWITCHBOARD_DATA_DIR: join(options.dir, `replica${i}-data`) },
          logFile: join(options.dir, `replica${i}.log`),
        }),
    ) as [ReplicaProcess, ReplicaProcess];
    const cluster = new Cluster(sandbox, redis, schema, replicas, clients);
    cluster.listen();
    await Promise.all(replicas.map((replica) => replica.start()));
    for (const replica of replicas) await cluster.registerWebhooks(replica.url);
    return cluster;
  }

  private listen(): void {
    for (const [system, server] of this.sandbox.servers) {
      this.unlisten.push(
        server.requests.onRecord((entry: RequestLogEntry) => {
          this.arrivals.push({
            system,
            at: entry.at,
            route: entry.route,
            status: entry.status,
            ...(entry.method === 'GET' ? {} : { body: entry.body }),
          });
        }),
      );
    }
  }

  private async registerWebhooks(gatewayUrl: string): Promise<void> {
    for (const [system, base] of Object.entries(this.sandbox.urls) as [SystemName, string][]) {
      const receiver = RECEIVER_PATHS[system];
      const response = await fetch(`${base}/__sandbox/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${gatewayUrl}${receiver.path}`, secret: receiver.secret }),
      });
      if (!response.ok) throw new Error(`registering ${system} webhooks failed: ${response.status} ${await response.text()}`);
    }
  }

  async close(options: { keepSchema: boolean }): Promise<void> {
    for (const off of this.unlisten) off();
    await Promise.all(this.replicas.map((replica) => replica.stop()));
    await this.sandbox.close();
    await this.redis.stop();
    if (!options.keepSchema) await withDatabase((client) => client.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`));
  }
}

function replicaEnv(sandbox: Sandbox, redisUrl: string, schema: string, clients: SoakClient[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    SWITCHBOARD_MODE: 'production',
    LOG_LEVEL: 'warn',
    HUBSPOT_BASE_URL: sandbox.urls.crm,
    HUBSPOT_TOKEN: SANDBOX_CREDENTIALS.crm,
    STRIPE_BASE_URL: sandbox.urls.billing,
    STRIPE_API_KEY: SANDBOX_CREDENTIALS.billing,
    SLACK_BASE_URL: `${sandbox.urls.chat}/api`,
    SLACK_BOT_TOKEN: SANDBOX_CREDENTIALS.chat,
    HUBSPOT_CLIENT_SECRET: SANDBOX_WEBHOOK_SECRETS.hubspotClientSecret,
    STRIPE_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret,
    SLACK_SIGNING_SECRET: SANDBOX_WEBHOOK_SECRETS.slackSigningSecret,
    REDIS_URL: redisUrl,
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    SWITCHBOARD_API_KEYS: clients.map((client) => apiKeyConfigEntry(client.name, client.key, ['*'])).join(','),
    RATE_LIMIT_PER_MINUTE: '0',
    UPSTREAM_BUDGET_CRM: `${BUDGETS.crm.calls}/${BUDGETS.crm.windowMs}ms`,
    UPSTREAM_BUDGET_BILLING: `${BUDGETS.billing.calls}/${BUDGETS.billing.windowMs}ms`,
    // A lease short enough that a write orphaned by a killed replica is taken over within the run
    // (it must outlast the deadline, which bounds how long a live run goes without renewing it).
    REQUEST_DEADLINE_MS: '8000',
    WRITE_LEASE_MS: '10000',
    WRITE_WAIT_MS: '12000',
    SHUTDOWN_GRACE_MS: '0',
  };
  return env;
}

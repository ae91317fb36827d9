/**
 * The package's one public entry. Starts the emulated vendors: HubSpot CRM, Stripe and
 * Slack over real HTTP, all seeded from one world. `npm run sandbox` and `npm start` use the
 * fixed ports; tests start them on ephemeral ports with a small world. The gateway loads this
 * module only in demo mode, with a dynamic import; everything else outside the package
 * imports only from here.
 */
import { randomUUID } from 'node:crypto';
import type { SystemName } from './system-name.ts';
import { createBillingEmulator } from './billing/index.ts';
import { createChatEmulator } from './chat/index.ts';
import { createCrmEmulator } from './crm/index.ts';
import { SANDBOX_CREDENTIALS, SANDBOX_PORTS } from './credentials.ts';
import { type ChaosKnobs, GateRegistry, SandboxServer } from './http.ts';
import { attachWebhooks, type WebhookDeliverer, type WithEvents } from './webhooks/index.ts';
import { createWorld, type World, type WorldOptions } from './world.ts';

export type { SystemName } from './system-name.ts';
export { SANDBOX_CREDENTIALS, SANDBOX_PORTS, SANDBOX_WEBHOOK_SECRETS } from './credentials.ts';
export type { ChaosKnobs, Corruption, GateInfo, GateRelease, GateSpec, RequestLogEntry, SandboxResponse } from './http.ts';
export { DEFAULT_GATE_TIMEOUT_MS, SandboxServer } from './http.ts';
export { Prng } from './prng.ts';
export {
  createWorld,
  LIFECYCLE_STAGES,
  worldSizeFor,
  type SeedChatUser,
  type SeedCompany,
  type SeedContact,
  type SeedCustomer,
  type SeedOwner,
  type World,
  type WorldOptions,
} from './world.ts';
// Single emulators, for tests that serve one vendor with its own world or options.
export { createChatEmulator, type ChatEmulator } from './chat/index.ts';
export { createCrmEmulator } from './crm/index.ts';
// What a vendor signs its webhooks with, for tests that forge or check a delivery.
export { hubspotV3Signature, slackSignature, stripeSignatureHeader } from './webhooks/signatures.ts';
export { registerWebhookReceivers, type WebhookReceiver } from './webhooks/register.ts';

export interface SandboxOptions {
  world?: WorldOptions;
  /** Which systems to start (default all three). */
  systems?: readonly SystemName[];
  /** Ports per system; 0 or absent = ephemeral. */
  ports?: Partial<Record<SystemName, number>>;
  host?: string;
  /** Initial knobs for every system, then per system. */
  knobs?: Partial<ChaosKnobs>;
  systemKnobs?: Partial<Record<SystemName, Partial<ChaosKnobs>>>;
}

export interface Sandbox {
  world: World;
  /** The credentials each emulated vendor accepts (SANDBOX_CREDENTIALS). */
  credentials: Record<SystemName, string>;
  /**
   * This start of the sandbox: every start seeds its world afresh and forgets what was
   * written to it, so state kept about it elsewhere (the demo write store) is keyed to this.
   */
  instanceId: string;
  servers: Map<SystemName, SandboxServer>;
  /** Webhook delivery per started system (targets are registered via `POST /__sandbox/webhooks`). */
  webhooks: Map<SystemName, WebhookDeliverer>;
  /** Base URL per started system. */
  urls: Partial<Record<SystemName, string>>;
  server(system: SystemName): SandboxServer;
  close(): Promise<void>;
}

/** Every emulated vendor, by system: keyed by SystemName, so a new one does not compile until it is here. */
const EMULATORS: { readonly [S in SystemName]: (world: World) => WithEvents } = {
  crm: (world) => createCrmEmulator(world, { token: SANDBOX_CREDENTIALS.crm }),
  billing: (world) => createBillingEmulator(world, { apiKey: SANDBOX_CREDENTIALS.billing }),
  chat: (world) => createChatEmulator(world, { token: SANDBOX_CREDENTIALS.chat }),
};

/** The systems started when none are named, in the gateway's order. */
const EMULATED_SYSTEMS = Object.keys(EMULATORS) as SystemName[];

/** Real Stripe search is not read-after-write; the emulator's index lags by 2 s unless told otherwise. */
const DEFAULT_SYSTEM_KNOBS: Partial<Record<SystemName, Partial<ChaosKnobs>>> = { billing: { searchLagMs: 2000 } };

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const world = createWorld(options.world);
  const systems = options.systems ?? EMULATED_SYSTEMS;
  const servers = new Map<SystemName, SandboxServer>();
  const webhooks = new Map<SystemName, WebhookDeliverer>();
  const peers = () => servers;
  // One registry for all the servers: a request arriving at one opens the gates of another.
  const gates = new GateRegistry();
  for (const system of systems) {
    const vendor = EMULATORS[system](world);
    webhooks.set(system, attachWebhooks(vendor));
    servers.set(
      system,
      new SandboxServer(vendor, {
        knobs: { ...DEFAULT_SYSTEM_KNOBS[system], ...options.knobs, ...options.systemKnobs?.[system] },
        peers,
        gates,
      }),
    );
  }
  const urls: Partial<Record<SystemName, string>> = {};
  try {
    for (const [system, server] of servers) urls[system] = await server.listen(options.ports?.[system] ?? 0, options.host);
  } catch (error) {
    await Promise.all([...servers.values()].map((s) => s.close()));
    throw error;
  }
  return {
    world,
    credentials: SANDBOX_CREDENTIALS,
    instanceId: randomUUID(),
    servers,
    webhooks,
    urls,
    server(system) {
      const s = servers.get(system);
      if (!s) throw new Error(`sandbox system '${system}' is not running`);
      return s;
    },
    async close() {
      await Promise.all([...servers.values()].map((s) => s.close()));
    },
  };
}

/** Demo mode (`npm start`) and `npm run sandbox`: the given systems on their fixed ports, SANDBOX_PORTS. */
export function startDemoSandbox(options: Omit<SandboxOptions, 'ports'> = {}): Promise<Sandbox> {
  return startSandbox({ ...options, ports: SANDBOX_PORTS });
}

/**
 * The command line. `serve` (the default) starts the embedded sandbox for every system that
 * has no vendor configured, then the gateway on PORT; `sandbox` starts only the emulated
 * vendors on their fixed ports. This is the one module that reads the environment and
 * binds ports. The sandbox is loaded (src/demo.ts) in demo mode and by `sandbox` only.
 */
import { createServer } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import { DevKeyError, resolveDevApiKey, type DevApiKey } from './auth/dev-key.ts';
import { hashKeyCommand } from './auth/hash-key-command.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { loadSandboxPackage, webhookReceivers, withDemoWebhookSecrets, type SandboxPackage } from './demo.ts';
import { createGateway } from './gateway.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createServeWriteStore } from './serve-write-store.ts';
import { resolveUpstreams } from './upstreams.ts';
import { factsOf, SYSTEM_NAMES, type SystemName } from './systems/catalog.ts';
import { attachGraphQLWs } from './subscriptions/ws.ts';

function devApiKeyOrExit(config: Config): DevApiKey {
  try {
    return resolveDevApiKey({ fromEnv: config.auth.devApiKey, dataDir: config.webhooks.dataDir });
  } catch (error) {
    if (!(error instanceof DevKeyError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

type Sandbox = Awaited<ReturnType<SandboxPackage['startDemoSandbox']>>;

type EmulatedSystem = keyof SandboxPackage['SANDBOX_CREDENTIALS'];

function emulated(vendors: SandboxPackage, systems: readonly SystemName[]): EmulatedSystem[] {
  return systems.filter((system): system is EmulatedSystem => Object.hasOwn(vendors.SANDBOX_CREDENTIALS, system));
}

async function startEmbeddedSandbox(vendors: SandboxPackage, config: Config, wanted: Config['sandboxSystems']): Promise<Sandbox> {
  const started = Date.now();
  const systems = emulated(vendors, wanted);
  const unserved = wanted.filter((system) => !systems.includes(system as EmulatedSystem));
  if (unserved.length > 0) {
    // A system the emulator does not know has no stand-in: demo mode needs the vendor itself.
    const problems = unserved.map((system) => {
      const { env } = factsOf(system);
      return `${env.credential.name}: ${system} has no sandbox emulator; set ${env.baseUrl.name} and ${env.credential.name} to reach the vendor`;
    });
    console.error(new ConfigError(problems).message);
    process.exit(2);
  }
  const sandbox = await vendors.startDemoSandbox({
    systems,
    world: { seed: config.sandbox.seed, size: config.sandbox.contacts },
    knobs: { latencyMs: config.sandbox.latencyMs },
  });
  const w = sandbox.world;
  console.log(
    `Sandbox ready in ${Date.now() - started} ms (seed ${w.seed}): ${w.contacts.length} contacts, ${w.companies.length} companies, ` +
      `${w.deals.length} deals, ${w.owners.length} owners, ${w.customers.length} Stripe customers, ${w.chatUsers.length} Slack users`,
  );
  for (const system of systems) console.log(`  ${system.padEnd(8)} ${sandbox.urls[system]}  (credential: ${sandbox.credentials[system]})`);
  return sandbox;
}

/**
 * `npm start` caps V8's heap (see the README's Memory section) so the process's memory
 * stays bounded under load; the cap must hold what the caches may keep, the code, and the
 * operations admitted at once. Raising a cache bound without the cap would end in an
 * out-of-memory crash under load, so say so at start instead.
 */
function warnIfHeapTooSmall(config: Config, logger: Logger): void {
  const cachesMb =
    ((config.cache.redisUrl ? 0 : config.cache.maxBytes) + (config.cache.responses.enabled ? config.cache.responses.maxBytes : 0)) /
    2 ** 20;
  const needMb = Math.ceil(HEAP_BASE_MB + cachesMb + config.resilience.maxConcurrentOperations * HEAP_PER_OPERATION_MB);
  const limitMb = Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
  if (limitMb < needMb)
    logger.warn(
      { heapLimitMb: limitMb, needMb },
      'the heap limit is below what the configured caches and MAX_CONCURRENT_OPERATIONS need; raise --max-old-space-size',
    );
}

/** Code, schema and working set of an idle gateway, and the most one admitted operation holds at once (measured with the bench's W4). */
const HEAP_BASE_MB = 96;
const HEAP_PER_OPERATION_MB = 2;

async function serve(): Promise<void> {
  // Production never loads the sandbox package; demo mode takes its webhook secrets and, for
  // systems with no vendor configured, its emulators from it.
  const loaded = readConfig();
  const vendors = loaded.mode === 'demo' ? await loadSandboxPackage() : undefined;
  const config = vendors ? withDemoWebhookSecrets(loaded, vendors.SANDBOX_WEBHOOK_SECRETS) : loaded;
  const logger = createLogger(config.logLevel);
  warnIfHeapTooSmall(config, logger);
  const sandbox =
    vendors && config.sandboxSystems.length > 0 ? await startEmbeddedSandbox(vendors, config, config.sandboxSystems) : undefined;
  // Demo mode: an all-scope key, so GraphiQL works with no setup; the same one on every start
  // (SWITCHBOARD_DEV_KEY, or the one kept in the data directory), so saved commands keep working.
  const dev = config.mode === 'demo' ? devApiKeyOrExit(config) : undefined;
  const devApiKey = dev?.key;
  const writeStore = createServeWriteStore(config, sandbox, logger);
  const gateway = createGateway({ config, upstreams: resolveUpstreams(config, sandbox), logger, devApiKey, writeStore });
  const server = createServer(gateway.yoga);
  // Subscriptions over graphql-ws on the same path; SSE needs nothing extra.
  const wss = attachGraphQLWs(server, gateway.yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const shown = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
  console.log(`Switchboard gateway on http://${shown}:${config.port}/graphql (${config.mode} mode)`);
  if (config.mode === 'demo')
    console.log(`Open http://${shown}:${config.port}/graphql in a browser for GraphiQL; the W1 tab joins all three systems.`);
  if (dev) {
    const kept = dev.source === 'env' ? 'from SWITCHBOARD_DEV_KEY' : `kept in ${dev.path} across restarts; delete it for a new one`;
    console.log(`Development API key (all scopes, ${kept}; GraphiQL already sends it): ${dev.key}`);
  }
  if (vendors && sandbox) {
    const local = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${config.port}`;
    const refused = await vendors
      .registerWebhookReceivers(sandbox.urls, webhookReceivers(local, config.webhooks))
      .catch((error: unknown) => [String(error)]);
    if (refused.length > 0) logger.warn({ refused }, 'the sandbox did not accept the webhook receivers; live updates from it are off');
    else
      console.log(
        `Sandbox webhooks deliver to ${local}/webhooks/{${[...sandbox.servers.keys()].map((system) => factsOf(system).webhook.vendor).join(',')}}; subscriptions over SSE or graphql-ws on /graphql.`,
      );
  }
  // The write store opens now, in the background, so the first write does not wait for it (a failure is retried by that write).
  writeStore.open().catch((error: unknown) => logger.warn({ err: error }, 'the write store did not open; the first write retries'));
  // Changes missed while no gateway was running; webhooks are live meanwhile, and the feed dedupes.
  gateway.catchUp().catch((error: unknown) => logger.warn({ err: error }, 'catch-up after start failed; it runs again on the next start'));
  void gateway.warmUp();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const { shutdownGraceMs, shutdownTimeoutMs } = config.resilience;
    // Readiness fails first, so the load balancer stops sending new requests while this
    // process still serves them; then the listener closes and in-flight requests finish.
    gateway.drain();
    logger.info({ signal, graceMs: shutdownGraceMs }, 'draining: readiness now fails');
    if (signal === 'SIGTERM' && shutdownGraceMs > 0) await new Promise((resolve) => setTimeout(resolve, shutdownGraceMs));
    const forced = setTimeout(() => {
      logger.warn({ timeoutMs: shutdownTimeoutMs }, 'in-flight requests did not finish in time; closing them');
      server.closeAllConnections();
    }, shutdownTimeoutMs);
    forced.unref();
    // Upgraded (graphql-ws) sockets are not the HTTP server's to wait for: close them first.
    for (const client of wss.clients) client.close(1001, 'server shutting down');
    wss.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    clearTimeout(forced);
    logger.info('in-flight requests finished; shutting down');
    await gateway.close();
    await writeStore.close();
    await sandbox?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function sandboxOnly(): Promise<void> {
  const config = readConfig();
  const vendors = await loadSandboxPackage();
  const sandbox = await startEmbeddedSandbox(vendors, config, emulated(vendors, SYSTEM_NAMES));
  console.log('Admin API on each server under /__sandbox/ (requests, reset, knobs, edit); see the README.');
  const stop = async () => {
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

const command = process.argv[2] ?? 'serve';
async function hashKey(): Promise<void> {
  const { ok, output } = hashKeyCommand(process.argv.slice(3));
  (ok ? console.log : console.error)(output);
  if (!ok) process.exit(2);
}

const commands: Record<string, () => Promise<void>> = { serve, sandbox: sandboxOnly, 'hash-key': hashKey };
const run = commands[command];
if (!run) {
  console.error(`unknown command '${command}'; use one of: ${Object.keys(commands).join(', ')}`);
  process.exit(2);
}
run().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

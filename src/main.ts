/**
 * The command line. `serve` (the default) starts the embedded sandbox for every system that
 * has no vendor configured, then the gateway on PORT; `sandbox` starts only the emulated
 * vendors on their fixed ports. This is the one module that reads the environment and
 * binds ports.
 */
import { createServer } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createGateway } from './gateway.ts';
import { createLogger } from './observability/logger.ts';
import { SANDBOX_CREDENTIALS, SANDBOX_PORTS, startSandbox, type Sandbox } from './sandbox/index.ts';
import { resolveUpstreams } from './upstreams.ts';

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

async function startEmbeddedSandbox(config: Config, systems: Config['sandboxSystems']): Promise<Sandbox> {
  const started = Date.now();
  const sandbox = await startSandbox({
    systems,
    ports: SANDBOX_PORTS,
    world: { seed: config.sandbox.seed, size: config.sandbox.contacts },
    knobs: { latencyMs: config.sandbox.latencyMs },
  });
  const w = sandbox.world;
  console.log(
    `Sandbox ready in ${Date.now() - started} ms (seed ${w.seed}): ${w.contacts.length} contacts, ${w.companies.length} companies, ` +
      `${w.deals.length} deals, ${w.owners.length} owners, ${w.customers.length} Stripe customers, ${w.chatUsers.length} Slack users`,
  );
  for (const system of systems) console.log(`  ${system.padEnd(8)} ${sandbox.urls[system]}  (credential: ${SANDBOX_CREDENTIALS[system]})`);
  return sandbox;
}

async function serve(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const sandbox = config.sandboxSystems.length > 0 ? await startEmbeddedSandbox(config, config.sandboxSystems) : undefined;
  const gateway = createGateway({ config, upstreams: resolveUpstreams(config, sandbox?.urls ?? {}), logger });
  const server = createServer(gateway.yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const shown = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
  console.log(`Switchboard gateway on http://${shown}:${config.port}/graphql (${config.mode} mode)`);
  if (config.mode === 'demo') console.log(`Open http://${shown}:${config.port}/graphql in a browser for GraphiQL; the W1 tab joins all three systems.`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await gateway.close();
    await sandbox?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function sandboxOnly(): Promise<void> {
  const config = readConfig();
  const sandbox = await startEmbeddedSandbox(config, ['crm', 'billing', 'chat']);
  console.log('Admin API on each server under /__sandbox/ (requests, reset, knobs, edit); see the README.');
  const stop = async () => {
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

const command = process.argv[2] ?? 'serve';
const commands: Record<string, () => Promise<void>> = { serve, sandbox: sandboxOnly };
const run = commands[command];
if (!run) {
  console.error(`unknown command '${command}'; use one of: ${Object.keys(commands).join(', ')}`);
  process.exit(2);
}
run().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

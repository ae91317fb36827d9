/**
 * `npm start` as an operator runs it — the start script's own commands: the build into
 * dist/, then the compiled CLI under the script's node flags (the heap budget). It reads the
 * environment, serves the gateway, and starts no embedded sandbox for systems pointed at a
 * vendor.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { sandboxVendorEnv, TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from './support/credentials.ts';
import { freePort } from './support/ports.ts';

/** `npm run build --silent && node <flags> dist/src/main.js serve`, split into the build and the node arguments. */
function startScript(): { build: string; nodeArgs: string[] } {
  const start: string = JSON.parse(readFileSync('package.json', 'utf8')).scripts.start;
  const [build, run] = start.split(' && ');
  const [node, ...nodeArgs] = run.split(/\s+/);
  expect(node).toBe('node');
  return { build, nodeArgs };
}

describe('the serve command', () => {
  let vendors: Sandbox;
  let child: ChildProcess;
  let output = '';
  let port: number;
  let nodeArgs: string[];
  let serveEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    vendors = await startSandbox({ world: { size: 100 } });
    port = await freePort();
    const script = startScript();
    execSync(script.build, { stdio: 'inherit' });
    nodeArgs = script.nodeArgs;
    serveEnv = {
      ...process.env,
      LOG_LEVEL: 'warn',
      ...sandboxVendorEnv(vendors.urls),
      SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
    };
    child = spawn(process.execPath, nodeArgs, {
      env: { ...serveEnv, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!output.includes('Switchboard gateway on') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    child?.kill('SIGTERM');
    await vendors?.close();
  });

  it('serves the graph on PORT against the configured vendors and starts no sandbox of its own', async () => {
    expect(output).toContain(`Switchboard gateway on http://localhost:${port}/graphql`);
    expect(output).not.toContain('Sandbox ready');
    // The default caches and admission limit fit the start script's heap budget.
    expect(output).not.toContain('heap limit is below');
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TEST_AUTH_HEADERS },
      body: JSON.stringify({ query: '{ contacts(first: 3) { nodes { id owner { chatUser { id } } billingCustomer { id } } } }' }),
    });
    const body = (await response.json()) as { data: { contacts: { nodes: { id: string }[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.contacts.nodes.map((n) => n.id)).toEqual(['10000001', '10000002', '10000003']);
    expect(vendors.server('crm').requests.total).toBeGreaterThan(0);
    expect(vendors.server('chat').requests.total).toBeGreaterThan(0);
  });

  it('exits with status 2 and names the variable when the configuration is invalid', async () => {
    const bad = spawn(process.execPath, nodeArgs, {
      env: { ...process.env, PORT: 'eighty', HUBSPOT_BASE_URL: 'http://127.0.0.1:1', HUBSPOT_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    bad.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => bad.on('exit', resolve));
    expect(code).toBe(2);
    expect(text).toContain('PORT');
    expect(text).toContain('HUBSPOT_TOKEN');
  }, 30_000);

  it('warns at start when the configured caches outgrow the heap budget', async () => {
    const big = spawn(process.execPath, nodeArgs, {
      env: { ...serveEnv, PORT: String(await freePort()), CACHE_MAX_MB: '512' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    big.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!text.includes('Switchboard gateway on') && Date.now() < deadline && big.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    big.kill('SIGINT');
    expect(text).toContain('heap limit is below');
    expect(text).toMatch(/"needMb":6\d\d/);
  }, 40_000);

  it('answers /health for liveness probes', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    expect(response.status).toBe(200);
  });
});

/**
 * `npm start` as an operator runs it — the start script's own commands: the build into
 * dist/, then the compiled CLI under the script's node flags (the heap budget). It reads the
 * environment, serves the gateway, and starts no embedded sandbox for systems pointed at a
 * vendor.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '@switchboard/sandbox';
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
    while (!text.includes('Switchboard gateway on') && Date.now() < deadline && big.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    big.kill('SIGINT');
    expect(text).toContain('heap limit is below');
    expect(text).toMatch(/"needMb":6\d\d/);
  }, 40_000);

  it('answers /health for liveness probes', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    expect(response.status).toBe(200);
  });
});

describe("demo mode's development key", () => {
  let vendors: Sandbox;
  let nodeArgs: string[];
  let dataDir: string;
  const KEY_LINE = /Development API key \([^)]*\): (sbk_[\w-]+)/;

  beforeAll(async () => {
    // Every system points at this test's sandbox, so demo mode starts no embedded one on the fixed ports.
    vendors = await startSandbox({ world: { size: 20 } });
    const script = startScript();
    execSync(script.build, { stdio: 'inherit' });
    nodeArgs = script.nodeArgs;
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-devkey-'));
  }, 120_000);

  const started: ChildProcess[] = [];
  afterAll(async () => {
    // A failed assertion must not leave a gateway running.
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
    await vendors?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts `serve` in demo mode, waits for it to listen, and returns what it printed and its port (the caller stops it). */
  async function startDemo(
    extra: NodeJS.ProcessEnv = {},
  ): Promise<{ child: ChildProcess; output: () => string; port: number; exit: Promise<number | null> }> {
    const port = await freePort();
    const child = spawn(process.execPath, nodeArgs, {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        ...sandboxVendorEnv(vendors.urls),
        SWITCHBOARD_MODE: 'demo',
        SWITCHBOARD_DATA_DIR: dataDir,
        PORT: String(port),
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child);
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (!/Development API key/.test(text) && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    return { child, output: () => text, port, exit };
  }

  async function accepted(port: number, key: string): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ contacts(first: 1) { nodes { id } } }' }),
    });
    return response.status;
  }

  it('prints and accepts the same key on two starts, kept owner-only in the data directory', async () => {
    const first = await startDemo();
    const key = KEY_LINE.exec(first.output())?.[1];
    expect(key, first.output()).toBeDefined();
    expect(await accepted(first.port, key!)).toBe(200);
    first.child.kill('SIGINT');
    await first.exit;

    const second = await startDemo();
    expect(KEY_LINE.exec(second.output())?.[1]).toBe(key);
    expect(await accepted(second.port, key!)).toBe(200);
    second.child.kill('SIGINT');
    await second.exit;
    expect(readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim()).toBe(key);
    expect(statSync(join(dataDir, 'dev-api-key')).mode & 0o077).toBe(0);
  }, 90_000);

  it('honours SWITCHBOARD_DEV_KEY', async () => {
    const given = `sbk_${'a1B2c3D4e5'.repeat(4)}`;
    const demo = await startDemo({ SWITCHBOARD_DEV_KEY: given });
    expect(KEY_LINE.exec(demo.output())?.[1]).toBe(given);
    expect(demo.output()).toContain('from SWITCHBOARD_DEV_KEY');
    expect(await accepted(demo.port, given)).toBe(200);
    demo.child.kill('SIGINT');
    await demo.exit;
  }, 60_000);

  it('refuses an invalid SWITCHBOARD_DEV_KEY with status 2, naming the variable and not echoing the value', async () => {
    const demo = await startDemo({ SWITCHBOARD_DEV_KEY: 'letmein' });
    // It must exit by itself; one that serves is stopped, and its status (not 2) fails the test.
    if (demo.child.exitCode === null) demo.child.kill('SIGINT');
    expect(await demo.exit).toBe(2);
    expect(demo.output()).toContain('SWITCHBOARD_DEV_KEY');
    expect(demo.output()).toContain('is not a Switchboard API key');
    expect(demo.output()).not.toContain('letmein');
  }, 60_000);
});

describe('the development key, minted by processes starting at once', () => {
  it('gives every process the same key for each data directory, and none an error (no half-written file is ever read)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dev-key-race-'));
    const go = join(root, 'go');
    const dirs = Array.from({ length: 25 }, (_, i) => join(root, `d${i}`));
    // Each process waits for the same signal, then races the others through every directory.
    const script = `
      import { existsSync } from 'node:fs';
      console.log('ready');
      import { resolveDevApiKey } from ${JSON.stringify(join(process.cwd(), 'src/auth/dev-key.ts'))};
      while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 5));
      const keys = [];
      for (const dir of ${JSON.stringify(dirs)}) {
        try { keys.push(resolveDevApiKey({ dataDir: dir }).key); } catch (error) { keys.push('error: ' + error.message); }
      }
      console.log(JSON.stringify(keys));`;
    let ready = 0;
    let allReady: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (allReady = resolve));
    const runs = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.startsWith('ready\n') && !out.slice(6).length && ++ready === 6) allReady();
      });
      return new Promise<string[]>((resolve) => child.on('exit', () => resolve(JSON.parse(out.slice(6)) as string[])));
    });
    // Once every process has loaded and waits, all go at once.
    await waiting;
    writeFileSync(go, '');
    const results = await Promise.all(runs);
    rmSync(root, { recursive: true, force: true });
    dirs.forEach((_, i) => {
      const keys = new Set(results.map((keysOf) => keysOf[i]));
      expect([...keys].filter((k) => k.startsWith('error'))).toEqual([]);
      expect(keys.size).toBe(1);
    });
  }, 60_000);
});

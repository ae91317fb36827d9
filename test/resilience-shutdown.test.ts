/**
 * Graceful shutdown of the real process: on SIGTERM readiness fails first, a slow query
 * already in flight still gets its full answer, and then the process exits cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '@switchboard/sandbox';
import { sandboxVendorEnv, TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from './support/credentials.ts';
import { freePort } from './support/ports.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done` holds: the test waits on what happened (a log line, a request the sandbox saw), never on a margin of time. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200 && !done(); i++) await sleep(50);
  if (!done()) throw new Error(`timed out waiting for ${what}`);
}

describe('SIGTERM with a slow query in flight', () => {
  let child: ChildProcess | undefined;
  let vendors: Sandbox | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await vendors?.close();
  });

  it('fails readiness first, finishes the in-flight query, then exits 0', async () => {
    // Every vendor answer takes 1.5 s, so the query below is slow.
    vendors = await startSandbox({ world: { size: 50 }, knobs: { latencyMs: 1500 } });
    const contactId = vendors.world.contacts[0].id;
    const port = await freePort();
    let output = '';
    child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts', 'serve'], {
      env: {
        ...process.env,
        PORT: String(port),
        LOG_LEVEL: 'info',
        SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
        ...sandboxVendorEnv(vendors.urls),
        // Long enough for this test's readiness probe on a loaded machine; the slow query outlives it anyway.
        SHUTDOWN_GRACE_MS: '5000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    for (let i = 0; i < 1200 && !output.includes('Switchboard gateway on') && child.exitCode === null; i++) await sleep(100);
    expect(output).toContain('Switchboard gateway on');
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/readiness`)).status).toBe(200);

    const slow = fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TEST_AUTH_HEADERS },
      body: JSON.stringify({ query: `{ contact(id: "${contactId}") { id email } }` }),
    });
    // The query is in flight once the CRM has been asked for the contact (it answers 1.5 s later).
    const crm = vendors.server('crm').requests;
    await until(() => crm.entries.some((entry) => entry.path.endsWith(`/objects/contacts/${contactId}`)), 'the CRM read');
    child.kill('SIGTERM');
    await until(() => output.includes('draining: readiness now fails'), 'the drain log line');
    const readiness = await fetch(`${base}/readiness`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ status: 'draining' });

    const response = await slow;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data?: { contact: { id: string } | null }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data!.contact!.id).toBe(contactId);

    const code = await exited;
    expect(code).toBe(0);
    expect(output).toContain('draining: readiness now fails');
    expect(output).toContain('in-flight requests finished');
  }, 180_000);
});

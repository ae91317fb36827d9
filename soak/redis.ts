/**
 * The soak's own Redis: the real server binary on a port of its own, without persistence,
 * so the nemesis can restart it (losing everything, as a Redis without a disk does) without
 * touching the machine's shared instance that other suites use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

export class SoakRedis {
  private child?: ChildProcess;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    this.child = spawn(
      process.env.REDIS_SERVER ?? 'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    const spawned = this.child;
    await new Promise<void>((resolve, reject) => {
      spawned.once('error', reject);
      spawned.once('spawn', resolve);
    });
    // A server that cannot bind exits at once: say so rather than wait out the port probe.
    const exited = new Promise<never>((_, reject) =>
      spawned.once('exit', (code, signal) =>
        reject(new Error(`redis-server on port ${this.port} exited (${signal ?? code}) before it listened`)),
      ),
    );
    await Promise.race([waitForPort(this.port, 10_000), exited]);
  }

  /** SIGKILL, then a new server on the same port: every key is gone, as after a crash of a Redis that keeps nothing on disk. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A port nobody listens on now, from below the kernel's ephemeral range. A server that is
 * stopped and started again on its port (the nemesis's Redis restarts and replica kills)
 * must find it free: a port inside the ephemeral range can meanwhile be taken as the local
 * end of any outgoing connection — even a reconnecting client's own connection to that very
 * port, which Linux then connects to itself — and the restart fails to bind.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = Math.max(1024, ephemeralLow - 12_000);
  for (;;) {
    const port = low + Math.floor(Math.random() * (ephemeralLow - low));
    if (await bindable(port)) return port;
  }
}

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 2048 && high >= low) return [low, high];
  } catch {
    // Not Linux: the IANA dynamic range.
  }
  return [49152, 65535];
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The gateway replicas under test: each is `src/main.ts serve` in production mode, as an
 * operator runs it, in its own OS process on a fixed port (so a replica killed and started
 * again is where the load balancer and the vendors' webhooks expect it). Their logs go to
 * files the checker reads for crashes and internal errors; their peak RSS is sampled from
 * /proc while they run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromRoot } from '../src/paths.ts';

export interface ReplicaSpec {
  name: string;
  port: number;
  env: NodeJS.ProcessEnv;
  logFile: string;
}

export class ReplicaProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  private sampler?: NodeJS.Timeout;
  peakRssMb = 0;
  starts = 0;
  /** Exits nobody asked for (a crash), with their code or signal. */
  readonly crashes: string[] = [];
  private expectingExit = false;

  constructor(readonly spec: ReplicaSpec) {}

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    this.log = createWriteStream(this.spec.logFile, { flags: 'a' });
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=192', '--import', 'tsx', fileURLToPath(fromRoot('src/main.ts')), 'serve'],
      {
        cwd: fileURLToPath(fromRoot('./')),
        env: { ...this.spec.env, PORT: String(this.spec.port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    this.starts++;
    this.expectingExit = false;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    child.once('exit', (code, signal) => {
      if (!this.expectingExit) this.crashes.push(`${this.spec.name} exited unasked (code ${code}, signal ${signal})`);
    });
    this.sampler = setInterval(() => this.sampleRss(), 500);
    this.sampler.unref();
    await this.waitReady(60_000);
  }

  /** SIGKILL: no drain, no goodbye, whatever it was doing (a write half sent, a lease held). */
  async kill(): Promise<void> {
    await this.stopWith('SIGKILL');
  }

  /** SIGTERM, the orderly stop. */
  async stop(): Promise<void> {
    await this.stopWith('SIGTERM');
  }

  private async stopWith(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.sampleRss();
    this.expectingExit = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    clearInterval(this.sampler);
    this.log?.end();
  }

  private sampleRss(): void {
    const pid = this.child?.pid;
    if (!pid || !this.running) return;
    try {
      // VmHWM is the process's own high-water mark of resident memory: no peak between samples is missed.
      const status = readFileSync(join('/proc', String(pid), 'status'), 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) this.peakRssMb = Math.max(this.peakRssMb, Math.round(Number(hwm[1]) / 1024));
    } catch {
      // The process is gone between the check and the read.
    }
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.spec.name} exited while starting; see ${this.spec.logFile}`);
      const ok = await fetch(`${this.url}/readiness`)
        .then((response) => response.status === 200)
        .catch(() => false);
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.spec.name} was not ready within ${timeoutMs} ms; see ${this.spec.logFile}`);
  }
}

/**
 * Forks the bench's processes (sandbox, gateway, baseline) with tsx as loader and gives
 * each a request/reply call over IPC. A child that dies before it is ready fails the
 * bench with its message instead of hanging it.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child<Ready> {
  process: ChildProcess;
  ready: Ready;
  call<T>(message: Record<string, unknown> & { type: string }): Promise<T>;
  stop(): Promise<void>;
}

interface ForkOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. `--expose-gc`, `--cpu-prof`. */
  nodeArgs?: string[];
  /** How long startup may take. */
  readyTimeoutMs?: number;
}

/** Run compiled (dist/bench/), this module forks its siblings compiled too. */
const COMPILED = import.meta.url.endsWith('.js');

/**
 * `script`: a sibling's source name (`./sandbox-process.ts`), or the URL of a compiled
 * script; TypeScript runs with tsx as loader (and the `source` export condition, so
 * @switchboard/sandbox resolves to its sources), JavaScript with plain node.
 */
export async function forkChild<Ready extends { type: 'ready' }>(
  script: string | URL,
  name: string,
  options: ForkOptions = {},
): Promise<Child<Ready>> {
  const url = script instanceof URL ? script : new URL(COMPILED ? script.replace(/\.ts$/, '.js') : script, import.meta.url);
  const loader = url.pathname.endsWith('.ts') ? ['--conditions=source', '--import', 'tsx'] : [];
  const child = fork(fileURLToPath(url), [], {
    env: options.env ?? process.env,
    execArgv: [...loader, ...(options.nodeArgs ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${options.readyTimeoutMs ?? 120_000} ms`)),
      options.readyTimeoutMs ?? 120_000,
    );
    child.on('message', (msg: { type: string; id?: number; value?: unknown; message?: string }) => {
      if (msg.type === 'ready') {
        clearTimeout(timer);
        resolve(msg as Ready);
      } else if (msg.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${name} failed to start: ${msg.message}`));
      } else if (msg.type === 'reply' && msg.id !== undefined) {
        pending.get(msg.id)?.(msg.value);
        pending.delete(msg.id);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    });
  });
  return {
    process: child,
    ready,
    call<T>(message: Record<string, unknown> & { type: string }) {
      const id = nextId++;
      return new Promise<T>((resolve) => {
        pending.set(id, resolve as (value: unknown) => void);
        child.send({ ...message, id });
      });
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || !child.connected) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        // Closing the channel is the child's signal to shut down cleanly (it writes its CPU profile then).
        child.disconnect();
      });
    },
  };
}

/**
 * Starts the Slack emulator for the chat sandbox tests and wraps raw HTTP calls to it.
 */
import { SANDBOX_CREDENTIALS } from '../src/credentials.ts';
import { createChatEmulator, type ChatEmulator } from '../src/chat/index.ts';
import { SandboxServer } from '../src/http.ts';
import { createWorld, type World } from '../src/world.ts';

export const CHAT_TOKEN = SANDBOX_CREDENTIALS.chat;

export interface RawResponse {
  status: number;
  headers: Headers;
  /** Slack bodies are loosely typed JSON; tests index into them freely. */
  body: any;
}

type Params = Record<string, string | number | boolean>;

export interface ChatHarness {
  url: string;
  world: World;
  server: SandboxServer;
  emulator: ChatEmulator;
  /** GET `/api/<method>?params` with the bearer token (`token: null` sends none). */
  get(method: string, params?: Params, token?: string | null): Promise<RawResponse>;
  /** POST form-encoded, as `@slack/web-api` does. */
  form(method: string, params?: Params, token?: string | null): Promise<RawResponse>;
  /** POST JSON with the given content type (default `application/json; charset=utf-8`). */
  json(method: string, body: unknown, contentType?: string): Promise<RawResponse>;
  admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RawResponse>;
  close(): Promise<void>;
}

async function read(res: Response): Promise<RawResponse> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

const auth = (token: string | null | undefined): Record<string, string> =>
  token === null ? {} : { authorization: `Bearer ${token ?? CHAT_TOKEN}` };
const strings = (params: Params) => Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));

/**
 * Prefers `startSandbox`; while the other two emulators are not in the tree yet (index.ts
 * imports all three), builds the chat server the same way startSandbox does.
 */
async function startServer(contacts: number): Promise<{ world: World; server: SandboxServer; url: string; close(): Promise<void> }> {
  try {
    const { startSandbox } = await import('../src/index.ts');
    const sandbox = await startSandbox({ systems: ['chat'], world: { size: contacts } });
    return { world: sandbox.world, server: sandbox.server('chat'), url: sandbox.urls.chat as string, close: () => sandbox.close() };
  } catch (error) {
    if (!/Cannot find module|Failed to load url|ERR_MODULE_NOT_FOUND|does not provide an export/i.test(String(error))) throw error;
    const world = createWorld({ size: contacts });
    const server = new SandboxServer(createChatEmulator(world, { token: CHAT_TOKEN }));
    const url = await server.listen();
    return { world, server, url, close: () => server.close() };
  }
}

export async function startChat(contacts = 200): Promise<ChatHarness> {
  const { world, server, url, close } = await startServer(contacts);
  return {
    url,
    world,
    server,
    emulator: server.vendor as ChatEmulator,
    async get(method, params = {}, token) {
      return read(await fetch(`${url}/api/${method}?${new URLSearchParams(strings(params))}`, { headers: auth(token) }));
    },
    async form(method, params = {}, token) {
      return read(
        await fetch(`${url}/api/${method}`, {
          method: 'POST',
          headers: { ...auth(token), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(strings(params)).toString(),
        }),
      );
    },
    async json(method, body, contentType = 'application/json; charset=utf-8') {
      return read(
        await fetch(`${url}/api/${method}`, {
          method: 'POST',
          headers: { ...auth(undefined), 'content-type': contentType },
          body: JSON.stringify(body),
        }),
      );
    },
    async admin(method, path, body) {
      return read(
        await fetch(`${url}/__sandbox/${path}`, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
    },
    close,
  };
}

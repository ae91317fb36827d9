/**
 * Registers a Web API method the way Slack serves it: `/api/<method>` over GET or POST, the
 * body parsed once, an unreadable JSON body failing the call, and the method's rate-limit
 * tier applied (when enforced) before any work is done.
 */
import type { Router, SandboxRequest, SandboxResponse } from '../http.ts';
import type { TierLimiter } from './rate-limits.ts';
import type { ChatStore } from './store.ts';
import { argsOf, fail, ratelimited, type SlackArgs } from './wire.ts';

export interface ChatDeps {
  store: ChatStore;
  limiter: TierLimiter;
}

export interface SlackCall {
  req: SandboxRequest;
  args: SlackArgs;
  store: ChatStore;
}

export type SlackMethod = (call: SlackCall) => SandboxResponse;

export function registerMethod(router: Router, deps: ChatDeps, name: string, method: SlackMethod): void {
  const handler = (req: SandboxRequest): SandboxResponse => {
    const args = argsOf(req);
    if (args.problem) return fail(args.problem, args);
    const channelRef = args.string('channel');
    const channel = channelRef === undefined ? undefined : (deps.store.resolveChannel(channelRef)?.conversation.id ?? channelRef);
    const wait = deps.limiter.check(name, channel);
    if (wait !== null) return ratelimited(wait);
    return method({ req, args, store: deps.store });
  };
  router.on('GET', `/api/${name}`, handler).on('POST', `/api/${name}`, handler);
}

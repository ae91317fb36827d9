/**
 * The nemesis's hand on the sandbox vendors: their chaos knobs and webhook settings, through
 * the admin API as an operator would use it. A vendor whose port is refused is reached
 * through a sibling's `/__sandbox/systems/<system>/…`, so a fault can always be lifted.
 */
import type { SystemName } from '@switchboard/sandbox';

export const SYSTEMS: readonly SystemName[] = ['crm', 'billing', 'chat'];

/** The knobs a nemesis patch may carry: the sandbox's, plus `rateLimitForMs` (a 429 storm from now on). */
export type KnobPatch = Record<string, string | number>;

export type WebhookPatch = Partial<{
  retryDelaysMs: number[];
  ackTimeoutMs: number;
  duplicateRate: number;
  reorderWindowMs: number;
  paused: boolean;
}>;

interface WebhooksView {
  settings: Required<WebhookPatch>;
  pending: number;
}

/** An answer that came back but said no: asking another port would not help. */
class AdminRefused extends Error {}

export class SandboxAdmin {
  constructor(private readonly urls: Partial<Record<SystemName, string>>) {}

  async knobs(system: SystemName, patch?: KnobPatch): Promise<Record<string, unknown>> {
    return (await this.call(system, patch ? 'POST' : 'GET', 'knobs', patch)) as Record<string, unknown>;
  }

  async webhooks(system: SystemName, patch?: WebhookPatch): Promise<WebhooksView> {
    return (await this.call(system, patch ? 'PATCH' : 'GET', 'webhooks', patch)) as WebhooksView;
  }

  private async call(system: SystemName, method: string, path: string, body?: unknown): Promise<unknown> {
    const own = `${this.base(system)}/__sandbox/${path}`;
    const viaSiblings = SYSTEMS.filter((s) => s !== system).map((s) => `${this.base(s)}/__sandbox/systems/${system}/${path}`);
    let lastError: unknown;
    for (const url of [own, ...viaSiblings]) {
      try {
        const response = await fetch(url, {
          method,
          headers: { 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(5000),
        });
        if (!response.ok) throw new AdminRefused(`${method} ${url}: ${response.status} ${await response.text()}`);
        return await response.json();
      } catch (error) {
        if (error instanceof AdminRefused) throw error;
        lastError = error;
      }
    }
    throw new Error(`no sandbox port answered ${method} ${path} for ${system}`, { cause: lastError });
  }

  private base(system: SystemName): string {
    const url = this.urls[system];
    if (!url) throw new Error(`sandbox system '${system}' is not running`);
    return url;
  }
}

/**
 * Where each system is reached: the vendor named by configuration, or the embedded
 * sandbox for systems with no configuration. Slack's Web API lives under `/api`, so the
 * sandbox's chat base URL carries that path as the real one does.
 */
import type { Config } from './config.ts';
import type { SystemName } from './errors.ts';
import type { UpstreamTarget } from './gateway.ts';

const SANDBOX_PATH: Record<SystemName, string> = { crm: '', billing: '', chat: '/api' };

/** The started sandbox as far as the gateway needs it: where each emulated vendor listens, and the credential it accepts. */
export interface EmbeddedVendors {
  urls: Partial<Record<SystemName, string>>;
  credentials: Readonly<Record<SystemName, string>>;
}

export function resolveUpstreams(config: Config, sandbox?: EmbeddedVendors): Record<SystemName, UpstreamTarget> {
  const configured: Record<SystemName, { baseUrl?: string; credential?: string }> = {
    crm: { baseUrl: config.crm.baseUrl, credential: config.crm.token },
    billing: { baseUrl: config.billing.baseUrl, credential: config.billing.apiKey },
    chat: { baseUrl: config.chat.baseUrl, credential: config.chat.botToken },
  };
  const out = {} as Record<SystemName, UpstreamTarget>;
  for (const system of ['crm', 'billing', 'chat'] as const) {
    const sandboxUrl = sandbox?.urls[system];
    if (config.sandboxSystems.includes(system)) {
      if (!sandbox || !sandboxUrl) throw new Error(`the ${system} sandbox is not running`);
      out[system] = { baseUrl: sandboxUrl + SANDBOX_PATH[system], credential: sandbox.credentials[system] };
    } else {
      const { baseUrl, credential } = configured[system];
      if (!baseUrl || !credential) throw new Error(`${system} has no base URL or credential`);
      out[system] = { baseUrl, credential };
    }
  }
  return out;
}

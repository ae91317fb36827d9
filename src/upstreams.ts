/**
 * Where each system is reached: the vendor named by configuration, or the embedded
 * sandbox for systems with no configuration. A sandbox base URL carries the path the real
 * one does (Slack's Web API lives under `/api`): the system's `sandboxPath`.
 */
import { systemSettings, type Config } from './config.ts';
import type { SystemName } from './errors.ts';
import type { UpstreamTarget } from './gateway.ts';
import { factsOf, SYSTEM_NAMES } from './systems/catalog.ts';

/** The started sandbox as far as the gateway needs it: where each emulated vendor listens, and the credential it accepts. */
export interface EmbeddedVendors {
  urls: Partial<Record<SystemName, string>>;
  /** By system it emulates: a system without an emulator must be configured (else "the … sandbox is not running"). */
  credentials: Readonly<Partial<Record<SystemName, string>>>;
}

export function resolveUpstreams(config: Config, sandbox?: EmbeddedVendors): Record<SystemName, UpstreamTarget> {
  const out = {} as Record<SystemName, UpstreamTarget>;
  for (const system of SYSTEM_NAMES) {
    const sandboxUrl = sandbox?.urls[system];
    if (config.sandboxSystems.includes(system)) {
      const credential = sandbox?.credentials[system];
      if (!sandboxUrl || !credential) throw new Error(`the ${system} sandbox is not running`);
      out[system] = { baseUrl: sandboxUrl + factsOf(system).sandboxPath, credential };
    } else {
      const { baseUrl, credential } = systemSettings(config, system);
      if (!baseUrl || !credential) throw new Error(`${system} has no base URL or credential`);
      out[system] = { baseUrl, credential };
    }
  }
  return out;
}

/**
 * The vendor contracts of every system, and the check of all of them against the vendors'
 * published documents (`npm run vendor:check`). Documents come in parsed; reading files is
 * the caller's business, so tests can hand in altered copies.
 */
import { billingContract } from '../systems/billing/index.ts';
import { chatContract } from '../systems/chat/index.ts';
import { crmContract } from '../systems/crm/index.ts';
import { checkContract, type CheckResult, type DocumentsSelecting } from './check.ts';
import type { ApiDocument } from './openapi.ts';
import type { Finding, SystemContract } from './types.ts';

export type { CheckResult, Finding, SystemContract };
export { checkContract, fieldImpact, routeImpact } from './check.ts';
export { documentsSelecting, selectedFields } from './impact.ts';
export { zodFieldPaths, zodFields } from './zod-fields.ts';

export const CONTRACTS: readonly SystemContract[] = [crmContract, billingContract, chatContract];

export type VendorDocuments = Partial<Record<NonNullable<SystemContract['document']>, ApiDocument>>;

export interface VendorCheck {
  findings: Finding[];
  /** Per system: what was checked against what, or why nothing was. */
  systems: (CheckResult & { contract: SystemContract; checked: boolean })[];
}

export function vendorCheck(documents: VendorDocuments, documentsSelecting?: DocumentsSelecting): VendorCheck {
  const systems = CONTRACTS.map((contract) => {
    const doc = contract.document ? documents[contract.document] : undefined;
    if (!doc) return { contract, checked: false, system: contract.system, routes: contract.routes.length, findings: [], notes: [] };
    return { contract, checked: true, ...checkContract(contract, doc, documentsSelecting) };
  });
  return { findings: systems.flatMap((system) => system.findings), systems };
}

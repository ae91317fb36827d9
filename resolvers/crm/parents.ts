/**
 * Parent values of the CRM subschema's types that are not plain HubSpot records (the
 * records themselves — CrmContact, CrmCompany, CrmDeal, CrmOwner — are the parents of
 * Contact, Company, Deal and Owner). Codegen maps the SDL types onto these.
 */
import type { CrmCompany, CrmContact, CrmDeal, CrmOwner } from '../../src/systems/crm/index.ts';
import type { Connection } from '../connection.ts';

export type ContactConnectionParent = Connection<CrmContact>;
export type CompanyConnectionParent = Connection<CrmCompany>;
export type DealConnectionParent = Connection<CrmDeal>;
export type OwnerConnectionParent = Connection<CrmOwner>;

export interface EdgeParent<T> {
  cursor: string;
  node: T;
}

/** A billing customer as the CRM subschema receives it from stitching: just its merge key. */
export interface CustomerParent {
  id: string;
  email?: string | null;
  hubspotContactId?: string | null;
}

/** A chat user as the CRM subschema receives it from stitching: just its merge key. */
export interface ChatUserParent {
  id: string;
  email?: string | null;
}

/**
 * Parent shapes of the CRM types this subschema extends: what stitching hands over as
 * keys. Used as codegen mappers, so this file must not import generated code.
 */

/** A CRM contact as `_billingContacts` receives it. */
export interface BillingContactParent {
  id: string;
  email?: string | null;
}

/** A CRM company as `_billingCompanies` receives it. */
export interface BillingCompanyParent {
  id: string;
  /** Null when the CRM could not read them: the CRM loader then reports why. */
  contactIds: readonly string[] | null;
}

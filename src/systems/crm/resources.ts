/** The CRM system's cache resources and their default TTLs. */

/** Cache resource names, which are also the TTL keys (CACHE_TTL_<RESOURCE>); those without a default below use `default`. */
export const CRM_RESOURCES = {
  contact: 'contact',
  company: 'company',
  deal: 'deal',
  owner: 'owner',
  contactByEmail: 'contactByEmail',
  ownerDirectory: 'ownerDirectory',
  listGeneration: 'listGeneration',
  contactCompanies: 'contactCompanies',
  companyContacts: 'companyContacts',
  contactDeals: 'contactDeals',
  dealContacts: 'dealContacts',
  dealCompanies: 'dealCompanies',
  companyDeals: 'companyDeals',
  contactPage: 'contactPage',
  companyPage: 'companyPage',
  dealPage: 'dealPage',
} as const;

/**
 * Default TTLs in seconds (CACHE_TTL_<RESOURCE> overrides each). Owners change rarely and are
 * read on almost every request, hence longer. A cached list page holds only ids (records are
 * cached on their own); pages go stale as records are added, so they live shorter than the
 * records. The list generation keys list pages; a write replaces it to retire every cached page.
 */
export const CRM_TTL_SECONDS: Readonly<Record<string, number>> = {
  contact: 60,
  company: 60,
  deal: 60,
  owner: 300,
  // A directory over rarely-changing records: as long as the records themselves.
  ownerDirectory: 300,
  contactPage: 30,
  companyPage: 30,
  dealPage: 30,
  listGeneration: 3600,
};

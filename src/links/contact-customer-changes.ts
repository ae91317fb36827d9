/**
 * The contact ↔ customer link's part of invalidation: a changed contact re-resolves its
 * billing customer (it may be linked by the contact's email), and a changed customer
 * re-resolves the contacts the CRM cache knows under its old and new emails (rule 2 links
 * by email). The billing module keeps its own lists (src/systems/billing/invalidate.ts).
 */
import { drop, peek } from '../changes/helpers.ts';
import type { LinkInvalidation } from '../changes/invalidate.ts';
import { BILLING_CACHE_RESOURCES } from '../systems/billing/index.ts';
import { CRM_RESOURCES } from '../systems/crm/index.ts';

export const invalidateContactCustomerLink: LinkInvalidation = async (caches, event, notes) => {
  if (event.system === 'crm' && event.entity === 'contact') {
    await drop(caches.billing, BILLING_CACHE_RESOURCES.customerByContact, [event.id]);
    return;
  }
  if (event.system !== 'billing' || event.entity !== 'customer') return;
  const emails = notes.customerEmails ?? [];
  // The contacts the customer now names were linked by the billing part; they keep their link.
  const linked = new Set(notes.linkedContacts ?? []);
  const emailContacts = await peek<string>(caches.crm, CRM_RESOURCES.contactByEmail, emails);
  const stale = emailContacts.filter((id): id is string => typeof id === 'string' && !linked.has(id));
  await drop(caches.billing, BILLING_CACHE_RESOURCES.customerByContact, stale);
};

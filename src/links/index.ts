/**
 * Cross-system rules: what joins one vendor's records to another's. The systems know only
 * themselves; these rules know two at a time. The composition root (src/gateway) wires them in.
 */
import type { LinkInvalidation } from '../changes/invalidate.ts';
import type { SystemName } from '../errors.ts';
import { invalidateContactCustomerLink } from './contact-customer-changes.ts';

export { normalizeEmail } from './email.ts';
export {
  contactLinkKey,
  HUBSPOT_CONTACT_METADATA_KEY,
  resolveContactLinks,
  type ContactKey,
  type ContactLinkReads,
  type LinkableCustomer,
} from './contact-customer.ts';
export { chatUserIdOfOwner, ownerOfChatUser } from './owner-chat-user.ts';
export { LOOK_AHEAD_COORDINATE, lookAheadHooks, startLookAhead, type LookAhead, type LookAheadRequest } from './look-ahead.ts';

/** Each link's part of invalidation, run after the changed system's own. */
export const LINK_INVALIDATIONS: readonly LinkInvalidation[] = [invalidateContactCustomerLink];

/**
 * GraphQL types of other systems that a change in a system can alter, because they link
 * to it: a contact's billing customer (Contact, Company reach billing; Customer reaches the
 * CRM), an owner's chat user (Owner ↔ ChatUser). The response cache evicts them with the
 * system's own types.
 */
export const LINKED_TYPES: Readonly<Partial<Record<SystemName, readonly string[]>>> = {
  crm: ['Customer', 'ChatUser'],
  billing: ['Contact', 'Company'],
  chat: ['Owner'],
};

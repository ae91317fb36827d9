/**
 * The link between a CRM (HubSpot) owner and a chat (Slack) user: by email, compared as
 * src/links/email.ts does. From the owner: the one active (not deactivated) Slack member with
 * the owner's address, none when there are several. From the chat user: the owner with the
 * user's address in HubSpot's owner directory.
 */
import type { ChatLoaders } from '../systems/chat/index.ts';
import type { CrmLoaders, CrmOwner } from '../systems/crm/index.ts';

/** The Slack user id linked to an owner, or null. */
export async function chatUserIdOfOwner(loaders: { readonly chat: ChatLoaders }, owner: { email?: string | null }): Promise<string | null> {
  return owner.email ? loaders.chat.userIdForOwnerEmail.load(owner.email) : null;
}

/** The CRM owner linked to a Slack user, or null. */
export async function ownerOfChatUser(loaders: { readonly crm: CrmLoaders }, user: { email?: string | null }): Promise<CrmOwner | null> {
  return user.email ? loaders.crm.ownerByEmail(user.email) : null;
}

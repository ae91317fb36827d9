/**
 * Parent values of the chat subschema's types that are not plain Slack records (the Slack
 * records themselves — SlackUser, SlackConversation, ChatMessage — are the parents of
 * ChatUser, Channel and Message). Codegen maps the SDL types onto these.
 */

/** A CRM owner as the chat subschema receives it from stitching: just its merge key. */
export interface OwnerParent {
  id: string;
  email?: string | null;
}

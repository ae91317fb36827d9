/**
 * How the gateway compares email addresses across systems: HubSpot, Stripe and Slack each
 * store the address as typed, and the links between their records (contact ↔ customer,
 * owner ↔ chat user) match them case-insensitively, ignoring surrounding blanks.
 */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

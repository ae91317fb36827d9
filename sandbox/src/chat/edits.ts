/**
 * What a write to the workspace may ask for, and how one that cannot apply fails. The store's
 * mutators take these; the admin route turns an EditError into a 4xx.
 */
import type { ChannelState } from './seed.ts';
import type { SlackBlock, SlackMessage, SlackUser } from './types.ts';

export type PostResult = { message: SlackMessage; channel: ChannelState } | { error: string };

export interface PostInput {
  channel: ChannelState;
  text: string;
  blocks?: SlackBlock[];
  threadTs?: string;
  replyBroadcast?: boolean;
  /** A person typing in the Slack app; absent means the sandbox token's bot (an API write). */
  user?: SlackUser;
}

export interface ChannelPatch {
  name?: string;
  is_archived?: boolean;
  topic?: string;
  purpose?: string;
}

/** Thrown by mutators for edits that cannot apply; the admin route turns it into a 4xx. */
export class EditError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Slack's channel-name rules: lower case, no spaces or periods, at most 80 characters. */
export function checkChannelName(name: string): string {
  const n = name.replace(/^#/, '').toLowerCase();
  if (!/^[a-z0-9_\-\u00C0-\uFFFF]{1,80}$/.test(n)) throw new EditError(400, `invalid_name_specials: '${name}'`);
  return n;
}

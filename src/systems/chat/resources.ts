/** The chat system's cache resources and the ids shared by its loaders, directory and invalidation. */

/** Cache id under `channel` that holds the channel directory; `@` never occurs in Slack ids. */
export const DIRECTORY_ID = '@directory';
/** Resource names, which are also the TTL keys (CACHE_TTL_<RESOURCE>). */
export const CHAT_RESOURCES = {
  /** Users read by id outside the user directory (users.info, users.lookupByEmail). */
  user: 'user',
  /** The user directory's shared copy (see directory.ts): one entry; its TTL is the directory's refresh interval. */
  userDirectory: 'userDirectory',
  /** Email → user id, from root lookups by email (no entry in the TTL table: uses `default`). */
  userByEmail: 'userByEmail',
  channel: 'channel',
  /** Message records and history pages (pages use ids starting with `page|`). */
  message: 'message',
} as const;

/**
 * The `message` cache id holding a channel's history generation: every cached history page
 * of the channel is keyed by it, so a write retires them all by dropping this one entry.
 */
export const historyGenerationId = (channel: string) => `gen|${channel}`;

/** Slack ids are upper-case letters and digits; anything else cannot exist upstream. */
export const SLACK_ID = /^[A-Z0-9]{2,32}$/;

/** How many per-id calls (users.info, conversations.info, users.lookupByEmail) run at once. */
export const FAN_OUT = 8;

/**
 * Default TTLs in seconds (CACHE_TTL_<RESOURCE> overrides each). Users and channels change
 * rarely and are read on almost every request, hence longer; messages change constantly.
 * `userDirectory` is not here on purpose (see DEFAULT_DIRECTORY_REFRESH_SECONDS): turning every
 * record TTL off (CACHE_TTL_DEFAULT=0 …) does not turn the directory off.
 */
export const CHAT_TTL_SECONDS: Readonly<Record<string, number>> = {
  user: 300,
  channel: 300,
  message: 15,
  userByEmail: 300,
};

/** How long a process serves its Slack user directory before re-reading it (SLACK_DIRECTORY_REFRESH_SECONDS). */
export const DEFAULT_DIRECTORY_REFRESH_SECONDS = 300;

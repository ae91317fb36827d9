/**
 * Per-request loaders for Slack.
 *
 * Users come from the process-level user directory (`./directory.ts`): one snapshot of
 * users.list, indexed by id and by email once per load or change and kept fresh from Slack's
 * user events, so a request reads no user records and builds no index. Each request takes
 * one snapshot (at its first need) and answers every user lookup from it.
 *
 * Channels still come from a directory read per request through the cross-request cache:
 * conversations.list read in full (all pages, 200 per page) and cached normalized, every
 * record under its own id (`channel:<id>`) and the directory as a list of ids under the
 * reserved id `@directory`, so it shares the record's TTL. Invalidating one channel (after
 * a write or an event) is one delete: the next directory read finds that record missing and
 * re-reads just it (conversations.info), or the whole directory when many are missing.
 *
 * - `user` answers by id from the snapshot; ids it lacks (a member who joined since, and no
 *   event told us) fall back to users.info through the cross-request cache (`user:<id>`),
 *   where unknown ids are cached as null, so a warm repeat costs nothing.
 * - `channel` answers by id from the channel directory and falls back to conversations.info
 *   the same way.
 * - `userIdByEmail` (root lookups) and `userIdForOwnerEmail` (the Owner.chatUser link) are
 *   link lookups: they yield ids, never records, from the snapshot's active members by email.
 *   The first caches email → id and asks Slack's users.lookupByEmail when the snapshot has no
 *   single match; the second is null unless exactly one active member has the address.
 * - `history` reads one conversations.history page; the page is cached as its list of
 *   message ids and each message under `<channel>:<ts>` in the `message` resource (short TTL).
 *
 * Every DataLoader keeps DataLoader's contract: results in key order, null for "no such
 * record / no link", an Error for keys that failed.
 */
import type DataLoader from 'dataloader';
import type { ResourceCache } from '../../cache/types.ts';
import { createChannelLoaders } from './channel-loaders.ts';
import type { ChatConnector, HistoryParams } from './client.ts';
import type { UserDirectory } from './directory.ts';
import { createHistoryLoader, type HistoryPage } from './history-loader.ts';
import type { SlackConversation, SlackUser } from './schemas.ts';
import { createUserLoaders } from './user-loaders.ts';

export type { HistoryPage };

export interface ChatLoaders {
  /** ChatUser by Slack user id (null: no such user). */
  user: DataLoader<string, SlackUser | null>;
  /**
   * Slack user id by email, case-insensitive, for lookups a client asks for: the one active
   * directory member with that address, else Slack's own users.lookupByEmail.
   */
  userIdByEmail: DataLoader<string, string | null>;
  /**
   * Slack user id linked to a CRM owner's email: the one active (not deactivated) directory
   * member with that address, case-insensitive; null when there is none or more than one.
   */
  userIdForOwnerEmail: DataLoader<string, string | null>;
  /** Channel by id (null: no such channel). */
  channel: DataLoader<string, SlackConversation | null>;
  /** Channel id by name, case-insensitive, with or without a leading `#` (null: none). */
  channelIdByName: DataLoader<string, string | null>;
  /** Every member of the workspace, deactivated users and bots included, in Slack's order. */
  users(): Promise<readonly SlackUser[]>;
  /** Every public and private channel the token sees, archived ones included, in Slack's order. */
  channels(): Promise<readonly SlackConversation[]>;
  /** One page of a channel's history, newest first. Throws NOT_FOUND for an unknown channel. */
  history(params: HistoryParams): Promise<HistoryPage>;
}

export interface CreateChatLoadersOptions {
  connector: ChatConnector;
  /** The cross-request cache, scoped to chat and the bot token. */
  cache: ResourceCache;
  /** The process-level Slack user directory every user lookup answers from. */
  directory: UserDirectory;
  /** This gateway request's id, sent upstream as `x-request-id`. */
  requestId?: string;
  /**
   * This request's deadline or cancellation. The directory's load is shared and runs on
   * without it; the request stops waiting for it when the signal aborts.
   */
  signal?: AbortSignal;
  /** The most messages one conversations.history call may ask for (15 for a non-Marketplace app); unset: no cap of ours. */
  historyLimit?: number;
}

export function createChatLoaders(options: CreateChatLoadersOptions): ChatLoaders {
  const { cache, directory, signal } = options;
  const connector = options.requestId ? options.connector.withRequestId(options.requestId) : options.connector;
  return {
    ...createUserLoaders({ connector, cache, directory, signal }),
    ...createChannelLoaders({ connector, cache }),
    history: createHistoryLoader({ connector, cache, maxLimit: options.historyLimit }),
  };
}

/**
 * Chat users, answered from the process-level user directory's snapshot (one per request,
 * so every lookup in it sees the same directory): by id, and by email as link lookups that
 * yield ids, never records.
 */
import DataLoader from 'dataloader';
import { inBatchSpan } from '../../observability/batch-span.ts';
import { createCachedLoader } from '../../cache/cached-loader.ts';
import type { ResourceCache } from '../../cache/types.ts';
import { normalizeEmail } from '../../links/email.ts';
import { SLACK_PAGE_LIMIT, type ChatConnector } from './client.ts';
import type { UserDirectory, UserSnapshot } from './directory.ts';
import { cacheSet, orNull, settleLimit, untilAborted } from './reads.ts';
import { CHAT_RESOURCES, FAN_OUT, SLACK_ID } from './resources.ts';
import type { SlackUser } from './schemas.ts';

export interface UserLoaders {
  user: DataLoader<string, SlackUser | null>;
  userIdByEmail: DataLoader<string, string | null>;
  userIdForOwnerEmail: DataLoader<string, string | null>;
  users(): Promise<readonly SlackUser[]>;
}

export function createUserLoaders(options: {
  connector: ChatConnector;
  cache: ResourceCache;
  directory: UserDirectory;
  signal?: AbortSignal;
}): UserLoaders {
  const { connector, cache } = options;
  let snapshotOfRequest: Promise<UserSnapshot> | undefined;
  /** One snapshot per request, so every lookup in it sees the same directory. */
  const snapshot = () => (snapshotOfRequest ??= untilAborted(options.directory.snapshot(), options.signal));

  /** Members the snapshot lacks: users.info through the cross-request cache (null cached for unknown ids). */
  const userOutsideDirectory = createCachedLoader<SlackUser>({
    cache,
    resource: CHAT_RESOURCES.user,
    maxBatchSize: SLACK_PAGE_LIMIT,
    fetch: (ids) => settleLimit(ids, FAN_OUT, (id) => orNull(connector.getUser(id))),
  });

  const user = new DataLoader<string, SlackUser | null, string>(
    (ids) =>
      inBatchSpan('chat', 'user', ids.length, async () => {
        // Ids that cannot be Slack's are nobody, and cost nothing.
        if (!ids.some((id) => SLACK_ID.test(id))) return ids.map(() => null);
        const { byId } = await snapshot();
        const absent = ids.filter((id) => SLACK_ID.test(id) && !byId.has(id));
        const fetched = new Map<string, SlackUser | null | Error>();
        if (absent.length > 0) {
          const results = await userOutsideDirectory.loadMany(absent);
          absent.forEach((id, index) => fetched.set(id, results[index]));
        }
        return ids.map((id) => (SLACK_ID.test(id) ? (byId.get(id) ?? fetched.get(id) ?? null) : null));
      }),
    // One snapshot answers any number of ids; 200 is users.list's page size.
    { maxBatchSize: SLACK_PAGE_LIMIT, cacheKeyFn: (id) => (SLACK_ID.test(id) ? id : '!invalid') },
  );

  const userIdByEmail = createCachedLoader<string>({
    cache,
    resource: CHAT_RESOURCES.userByEmail,
    maxBatchSize: SLACK_PAGE_LIMIT,
    cacheKeyFn: normalizeEmail,
    async fetch(emails) {
      const { activeByEmail } = await snapshot();
      const found = new Map<string, string | null | Error>();
      const unresolved: string[] = [];
      for (const email of emails) {
        const matches = activeByEmail.get(normalizeEmail(email)) ?? [];
        if (matches.length === 1) found.set(email, matches[0].id);
        else unresolved.push(email);
      }
      // Not in the directory (a new member no event told us of) or ambiguous there: Slack's own lookup decides.
      const looked = await settleLimit(unresolved, FAN_OUT, (email) => orNull(connector.lookupUserByEmail(email.trim())));
      const primed: [string, SlackUser][] = [];
      for (const [email, record] of looked) {
        found.set(email, record instanceof Error ? record : (record?.id ?? null));
        if (record && !(record instanceof Error)) primed.push([record.id, record]);
      }
      if (primed.length > 0) {
        await cacheSet(cache, CHAT_RESOURCES.user, primed);
        for (const [id, record] of primed) user.prime(id, record);
      }
      return found;
    },
  });

  const userIdForOwnerEmail = new DataLoader<string, string | null, string>(
    (emails) =>
      inBatchSpan('chat', 'userIdForOwnerEmail', emails.length, async () => {
        const { activeByEmail } = await snapshot();
        return emails.map((email) => {
          const matches = activeByEmail.get(normalizeEmail(email)) ?? [];
          return matches.length === 1 ? matches[0].id : null;
        });
      }),
    { cacheKeyFn: normalizeEmail, maxBatchSize: SLACK_PAGE_LIMIT },
  );

  return { user, userIdByEmail, userIdForOwnerEmail, users: async () => (await snapshot()).users };
}

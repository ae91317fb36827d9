/**
 * `users.list`, `users.info`, `users.lookupByEmail`. Users are never removed (deactivation
 * sets `deleted`), so the list is append-only and a `user:<id>` cursor stays exact while
 * members join.
 */
import type { Router } from '../http.ts';
import { type ChatDeps, registerMethod } from './method.ts';
import type { SlackUser } from './types.ts';
import { decodeCursor, encodeCursor, fail, missingArgument, ok } from './wire.ts';

/** Slack documents no hard maximum; it advises ≤ 200 and quietly caps large pages. */
const USERS_MAX_LIMIT = 1000;

function withLocale(user: SlackUser, includeLocale: boolean): SlackUser | (SlackUser & { locale: string }) {
  return includeLocale ? { ...user, locale: 'en-US' } : user;
}

export function registerUserRoutes(router: Router, deps: ChatDeps): void {
  registerMethod(router, deps, 'users.list', ({ args, store }) => {
    const requested = args.int('limit', 0);
    // limit=0 (the default) means "as many as the server will give", which is everyone here.
    const limit = requested <= 0 ? store.users.length : Math.min(requested, USERS_MAX_LIMIT);
    const from = decodeCursor(args.string('cursor'), 'user');
    if (from === false) return fail('invalid_cursor', args);
    const start = from === null ? 0 : store.userPosition(from);
    if (start === undefined) return fail('invalid_cursor', args);
    const includeLocale = args.bool('include_locale');
    const members = store.users.slice(start, start + limit).map((u) => withLocale(u, includeLocale));
    const next = store.users[start + limit];
    return ok(
      { members, cache_ts: Math.floor(Date.now() / 1000), response_metadata: { next_cursor: next ? encodeCursor('user', next.id) : '' } },
      args,
    );
  });

  registerMethod(router, deps, 'users.info', ({ args, store }) => {
    const id = args.string('user');
    if (!id) return missingArgument('user', args);
    const user = store.user(id);
    return user ? ok({ user: withLocale(user, args.bool('include_locale')) }, args) : fail('user_not_found', args);
  });

  registerMethod(router, deps, 'users.lookupByEmail', ({ args, store }) => {
    const email = args.string('email');
    if (!email) return missingArgument('email', args);
    const user = store.userByEmail(email);
    return user ? ok({ user }, args) : fail('users_not_found', args);
  });
}

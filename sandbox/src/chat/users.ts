/**
 * Slack user records as sign-ups and profile edits shape them. Pure: the store draws the ids,
 * keeps the indexes and records the change.
 */
import { avatarUrls, normalizeName, tzInfo } from './seed.ts';
import type { SlackProfile, SlackUser } from './types.ts';

export interface UserPatch {
  name?: string;
  real_name?: string;
  deleted?: boolean;
  tz?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  /** `email: null` or `''` removes the address. */
  profile?: Partial<Omit<SlackProfile, 'team' | 'bot_id' | 'api_app_id' | 'email'>> & { email?: string | null };
}

/** Identity drawn by the store (in this order: id, avatar hash, colour) and the names given at sign-up. */
export interface NewUserFields {
  id: string;
  hash: string;
  color: string;
  teamId: string;
  name: string;
  realName: string;
  tz: string;
}

/** A member who just signed up: a full profile with Slack's empty defaults, before the sign-up patch. */
export function newUser({ id, hash, color, teamId, name, realName, tz }: NewUserFields): SlackUser {
  return {
    id,
    team_id: teamId,
    name,
    deleted: false,
    color,
    real_name: realName,
    tz,
    ...tzInfo(tz, Date.now()),
    profile: {
      title: '',
      phone: '',
      skype: '',
      real_name: realName,
      real_name_normalized: normalizeName(realName),
      display_name: '',
      display_name_normalized: '',
      fields: {},
      status_text: '',
      status_emoji: '',
      status_expiration: 0,
      avatar_hash: hash,
      first_name: realName.split(' ')[0] ?? realName,
      last_name: realName.split(' ').slice(1).join(' '),
      ...avatarUrls(id, hash),
      status_text_canonical: '',
      team: teamId,
    },
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: false,
    is_app_user: false,
    updated: 0,
  };
}

/** A user with the patch applied: names kept in step, `updated` always moves forward. */
export function applyUserPatch(before: SlackUser, patch: UserPatch): SlackUser {
  const { profile: profilePatch, ...top } = patch;
  const { email, ...profileRest } = profilePatch ?? {};
  const profile: SlackProfile = { ...before.profile, ...profileRest };
  if (email) profile.email = email;
  else if (email === '' || email === null) delete profile.email;
  // Slack keeps the top-level and profile names in step, whichever one was edited.
  const realName = top.real_name ?? profilePatch?.real_name ?? before.real_name;
  profile.real_name = realName;
  profile.real_name_normalized = normalizeName(realName);
  profile.display_name_normalized = normalizeName(profile.display_name);
  const tz = top.tz ?? before.tz;
  return {
    ...before,
    ...top,
    real_name: realName,
    tz,
    ...(top.tz !== undefined ? tzInfo(tz, Date.now()) : {}),
    profile,
    updated: Math.max(Math.floor(Date.now() / 1000), before.updated + 1),
  };
}

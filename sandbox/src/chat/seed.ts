/**
 * Turns the shared world into a Slack workspace: one user per `world.chatUsers` entry, then
 * what only Slack has — channels, memberships, messages and threads — drawn from
 * `world.prng.fork('chat')` so the workspace is identical on every run and reseed.
 *
 * Channel rules the tests and connectors may rely on: channel 0 is `#general` (everyone,
 * `is_general`); channel 1 (`#random`, and every 17th after it) does not have the bot as a
 * member (`not_in_channel`); every 13th from index 4 is archived; the last channel is the
 * private legacy `G…` channel `#leadership`. Each channel has exactly
 * `world.size.messagesPerChannel` top-level messages; thread replies come on top.
 */
import type { Prng } from '../prng.ts';
import type { SeedChatUser, World } from '../world.ts';
import { formatTs, parseTs } from './ts.ts';
import type { SlackBlock, SlackConversation, SlackMessage, SlackUser } from './types.ts';

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEX = '0123456789abcdef';

export interface Workspace {
  teamId: string;
  teamName: string;
  domain: string;
  url: string;
  /** The user id of the bot the sandbox token belongs to. */
  botUserId: string;
  botName: string;
  botId: string;
  appId: string;
}

/** A channel with its messages, indexed for history paging by `ts`. */
export interface ChannelState {
  conversation: SlackConversation;
  members: Set<string>;
  /** Top-level messages (and thread broadcasts), ascending by `ts`: what history pages over. */
  timeline: SlackMessage[];
  /** Replies per parent `ts`, ascending. */
  threads: Map<string, SlackMessage[]>;
  /** Every message of the channel by `ts`, replies included. */
  byTs: Map<string, SlackMessage>;
}

export interface ChatSeed {
  workspace: Workspace;
  users: SlackUser[];
  channels: ChannelState[];
  /** The newest seeded `ts`, in microseconds: new posts go above it. */
  maxTsMicros: number;
}

const TEAM_ID = 'T0SWITCHBD';

const CHANNEL_NAMES = [
  'general',
  'random',
  'sales',
  'deals-won',
  'support',
  'eng',
  'billing',
  'customer-success',
  'marketing',
  'product',
  'ops',
  'announcements',
  'renewals',
  'onboarding',
  'finance',
  'design',
  'security',
  'partnerships',
  'leads',
  'incidents',
  'releases',
  'data',
  'growth',
  'hiring',
  'legal',
  'feedback',
  'standup',
  'churn-alerts',
  'social',
  'travel',
];

const PURPOSES: Record<string, string> = {
  general: 'This is the one channel that will always include everyone. It’s a great spot for announcements and team-wide conversations.',
  random:
    'A place for non-work-related flimflam, faffing, hodge-podge or jibber-jabber you’d prefer to keep out of more focused work-related channels.',
  sales: 'Pipeline reviews, deal strategy and forecast.',
  'deals-won': 'Every closed-won deal, as it happens.',
  support: 'Customer tickets that need a second pair of eyes.',
  billing: 'Invoices, payments and dunning.',
  leadership: 'Private: leadership team.',
};

/** Standard-time labels as Slack shows them; other zones (admin edits) go through Intl. */
const TZ_TABLE: Record<string, [string, number]> = {
  'Europe/Berlin': ['Central European Time', 3600],
  'Europe/Lisbon': ['Western European Time', 0],
  'America/Chicago': ['Central Standard Time', -21600],
  'America/Toronto': ['Eastern Standard Time', -18000],
  'Africa/Nairobi': ['East Africa Time', 10800],
  'Asia/Singapore': ['Singapore Standard Time', 28800],
};

export function tzInfo(tz: string, at: number): { tz_label: string; tz_offset: number } {
  const known = TZ_TABLE[tz];
  if (known) return { tz_label: known[0], tz_offset: known[1] };
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(at);
    const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(parts.find((p) => p.type === 'timeZoneName')?.value ?? '');
    const seconds = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 3600 + Number(offset[3]) * 60) : 0;
    const label = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    return { tz_label: label ?? tz, tz_offset: seconds };
  } catch {
    return { tz_label: tz, tz_offset: 0 };
  }
}

export function normalizeName(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

export function avatarUrls(
  userId: string,
  hash: string,
): Pick<SlackUser['profile'], 'image_24' | 'image_32' | 'image_48' | 'image_72' | 'image_192' | 'image_512'> {
  const url = (size: number) => `https://avatars.slack-edge.com/2024-01-01/${userId.toLowerCase()}_${hash}_${size}.png`;
  return { image_24: url(24), image_32: url(32), image_48: url(48), image_72: url(72), image_192: url(192), image_512: url(512) };
}

export function createChatSeed(world: World): ChatSeed {
  const rng = world.prng.fork('chat');
  const nowSec = Math.floor(world.now / 1000);
  const botSeed = world.chatUsers.find((u) => u.isBot) ?? syntheticBot(rng);
  const workspace: Workspace = {
    teamId: TEAM_ID,
    teamName: 'Switchboard Demo',
    domain: 'switchboard-demo',
    url: 'https://switchboard-demo.slack.com/',
    botUserId: botSeed.id,
    botName: botSeed.name,
    botId: `B${rng.id(10, ID_ALPHABET)}`,
    appId: `A${rng.id(10, ID_ALPHABET)}`,
  };

  const seedUsers = world.chatUsers.some((u) => u.isBot) ? world.chatUsers : [...world.chatUsers, botSeed];
  const users = seedUsers.map((u, i) => seedUser(u, i, rng, workspace, world.now));
  const humans = users.filter((u) => !u.is_bot && !u.deleted);
  const primaryOwner = humans[0]?.id ?? workspace.botUserId;
  const deletedIds = new Set(users.filter((u) => u.deleted).map((u) => u.id));

  const integrations = [
    { botId: `B${rng.id(10, ID_ALPHABET)}`, username: 'HubSpot' },
    { botId: `B${rng.id(10, ID_ALPHABET)}`, username: 'Stripe' },
  ];

  const channels: ChannelState[] = [];
  let maxTsMicros = 0;
  const count = world.size.channels;
  for (let i = 0; i < count; i++) {
    const isPrivate = i === count - 1 && count > 1;
    const base = CHANNEL_NAMES[i % CHANNEL_NAMES.length];
    const name = isPrivate ? 'leadership' : i < CHANNEL_NAMES.length ? base : `${base}-${Math.floor(i / CHANNEL_NAMES.length) + 1}`;
    const botIsMember = i % 17 !== 1;
    const created = nowSec - 730 * 86_400 + i * 3_600 + rng.int(0, 3_000);
    const members = new Set<string>();
    if (i === 0) for (const u of humans) members.add(u.id);
    else {
      members.add(primaryOwner);
      for (const u of humans) if (rng.chance(isPrivate ? 0.2 : 0.5)) members.add(u.id);
    }
    if (botIsMember) members.add(workspace.botUserId);
    const purpose = PURPOSES[name] ?? `Conversations about ${name.replace(/-/g, ' ')}.`;
    const conversation: SlackConversation = {
      id: `${isPrivate ? 'G' : 'C'}${rng.id(10, ID_ALPHABET)}`,
      name,
      // Legacy private channels keep their G id and report as groups, not channels.
      is_channel: !isPrivate,
      is_group: isPrivate,
      is_im: false,
      is_mpim: false,
      is_private: isPrivate,
      created,
      is_archived: !isPrivate && i % 13 === 4,
      is_general: i === 0,
      unlinked: 0,
      name_normalized: name,
      is_shared: false,
      is_org_shared: false,
      is_pending_ext_shared: false,
      pending_shared: [],
      parent_conversation: null,
      creator: primaryOwner,
      is_ext_shared: false,
      shared_team_ids: [TEAM_ID],
      pending_connected_team_ids: [],
      is_member: botIsMember,
      topic:
        i % 3 === 0
          ? {
              value: `Weekly focus: ${rng.pick(['Q4 pipeline', 'renewals', 'onboarding', 'launch prep'])}`,
              creator: primaryOwner,
              last_set: created + 86_400,
            }
          : { value: '', creator: '', last_set: 0 },
      purpose: { value: purpose, creator: primaryOwner, last_set: created },
      previous_names: [],
      num_members: members.size,
    };
    const state: ChannelState = { conversation, members, timeline: [], threads: new Map(), byTs: new Map() };
    const top = seedMessages(state, world, rng, workspace, deletedIds, integrations, nowSec);
    maxTsMicros = Math.max(maxTsMicros, top);
    channels.push(state);
  }
  return { workspace, users, channels, maxTsMicros };
}

function syntheticBot(rng: Prng): SeedChatUser {
  return {
    id: `U${rng.id(10, ID_ALPHABET)}`,
    name: 'switchboard-bot',
    realName: 'Switchboard Bot',
    displayName: 'Switchboard',
    email: null,
    ownerId: null,
    isBot: true,
    deleted: false,
    tz: 'Europe/Berlin',
  };
}

const TITLES = [
  'Account Executive',
  'Sales Manager',
  'Customer Success Manager',
  'Support Engineer',
  'Software Engineer',
  'Finance Lead',
  'Marketing Manager',
  'Product Designer',
  '',
];
const STATUSES: readonly [string, string][] = [
  ['In a meeting', ':calendar:'],
  ['Commuting', ':bus:'],
  ['Out sick', ':face_with_thermometer:'],
  ['Vacationing', ':palm_tree:'],
  ['Focus time', ':headphones:'],
];

function seedUser(u: SeedChatUser, index: number, rng: Prng, ws: Workspace, now: number): SlackUser {
  const space = u.realName.indexOf(' ');
  const first = space < 0 ? u.realName : u.realName.slice(0, space);
  const last = space < 0 ? '' : u.realName.slice(space + 1);
  const avatarHash = `g${rng.id(11, HEX)}`;
  const status = rng.chance(0.2) ? rng.pick(STATUSES) : (['', ''] as const);
  const isPrimary = index === 0 && !u.isBot;
  const isAdmin = !u.isBot && !u.deleted && index < 3;
  const profile: SlackUser['profile'] = {
    title: u.isBot ? '' : u.ownerId ? rng.pick(TITLES.slice(0, 3)) : rng.pick(TITLES),
    phone: !u.isBot && rng.chance(0.4) ? `+1-555-${String(rng.int(0, 9999)).padStart(4, '0')}` : '',
    skype: '',
    real_name: u.realName,
    real_name_normalized: normalizeName(u.realName),
    display_name: u.isBot ? '' : u.displayName,
    display_name_normalized: u.isBot ? '' : normalizeName(u.displayName),
    fields: {},
    status_text: status[0],
    status_emoji: status[1],
    status_expiration: 0,
    avatar_hash: avatarHash,
    ...(u.email ? { email: u.email } : {}),
    first_name: first,
    last_name: last,
    ...avatarUrls(u.id, avatarHash),
    status_text_canonical: '',
    team: ws.teamId,
    ...(u.isBot ? { bot_id: ws.botId, api_app_id: ws.appId, always_active: true } : {}),
  };
  return {
    id: u.id,
    team_id: ws.teamId,
    name: u.name,
    deleted: u.deleted,
    color: rng.id(6, HEX),
    real_name: u.realName,
    tz: u.tz,
    ...tzInfo(u.tz, now),
    profile,
    is_admin: isAdmin,
    is_owner: isPrimary,
    is_primary_owner: isPrimary,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: u.isBot,
    is_app_user: false,
    updated: Math.floor(now / 1000) - rng.int(3_600, 365 * 86_400),
  };
}

interface TextContext {
  company: string;
  deal: string;
  amount: string;
  contact: string;
  mention: string;
}

const SALES_TEXTS = [
  (c: TextContext) => `Closed ${c.deal} :tada: ${c.amount}`,
  (c: TextContext) => `Call with ${c.company} went well, sending the proposal tomorrow.`,
  (c: TextContext) => `Anyone know who the champion is at ${c.company}?`,
  (c: TextContext) => `${c.mention} can you review the pricing for ${c.deal}?`,
  (c: TextContext) => `${c.company} asked for a discount on the renewal, thoughts?`,
];
const SUPPORT_TEXTS = [
  (c: TextContext) => `Ticket from ${c.contact}: can't download last month's invoice.`,
  (c: TextContext) => `${c.company} reports the sync is slow since this morning.`,
  (c: TextContext) => `${c.mention} could you take the escalation from ${c.company}?`,
  (c: TextContext) => `Password reset request from ${c.contact}, handled.`,
];
const BILLING_TEXTS = [
  (c: TextContext) => `Invoice for ${c.company} is 30 days overdue (${c.amount}).`,
  (c: TextContext) => `Card declined for ${c.contact}, dunning email sent.`,
  (c: TextContext) => `${c.mention} please double-check the credit note for ${c.company}.`,
];
const GENERIC_TEXTS = [
  () => 'Morning all! :wave:',
  () => 'Reminder: all-hands at 4pm today.',
  (c: TextContext) => `${c.mention} can you take a look when you have a minute?`,
  () => 'Standup notes are in the doc.',
  () => 'Shipping the release this afternoon :rocket:',
  (c: TextContext) => `Great work on the ${c.company} onboarding, everyone.`,
  () => 'Lunch order going out in 10 minutes.',
];
const REPLY_TEXTS = [
  'Nice!',
  'On it.',
  "Thanks, I'll follow up.",
  '+1',
  'Can you share the doc?',
  'Done :white_check_mark:',
  "Let's sync tomorrow.",
  'Good catch.',
];

function textsFor(name: string) {
  if (/sales|deals|renewals|leads|partnerships|growth/.test(name)) return SALES_TEXTS;
  if (/support|customer|onboarding|incidents|feedback/.test(name)) return SUPPORT_TEXTS;
  if (/billing|finance|churn/.test(name)) return BILLING_TEXTS;
  return GENERIC_TEXTS;
}

/** `12500` → `12,500`, without Intl: this runs once per seeded message. */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Seeds one channel's messages; returns the newest ts in microseconds. */
function seedMessages(
  state: ChannelState,
  world: World,
  rng: Prng,
  ws: Workspace,
  deletedIds: ReadonlySet<string>,
  integrations: { botId: string; username: string }[],
  nowSec: number,
): number {
  const authors = [...state.members].filter((id) => id !== ws.botUserId && !deletedIds.has(id));
  const n = world.size.messagesPerChannel;
  if (authors.length === 0 || n <= 0) return 0;
  const botInChannel = state.members.has(ws.botUserId);
  const texts = textsFor(state.conversation.name);
  const ctx = (): TextContext => {
    const deal = world.deals.length > 0 ? rng.pick(world.deals) : null;
    const company = world.companies.length > 0 ? rng.pick(world.companies).name : 'Acme';
    const contact = world.contacts.length > 0 ? rng.pick(world.contacts).email : 'someone@example.com';
    return {
      company,
      deal: deal?.name ?? `${company} — Platform`,
      amount: `$${thousands(deal?.amount ?? 1000)}`,
      contact,
      mention: `<@${rng.pick(authors)}>`,
    };
  };

  const start = state.conversation.created + 600;
  const step = Math.max(1, Math.floor((nowSec - 3_600 - start) / n));
  const used = new Set<number>();
  const unique = (micros: number) => {
    let m = micros;
    while (used.has(m)) m++;
    used.add(m);
    return m;
  };
  let newest = 0;
  const parents: number[] = [];
  for (let k = 0; k < n; k++) {
    const micros = unique((start + k * step + rng.int(0, step - 1)) * 1_000_000 + rng.int(0, 999_999));
    const ts = formatTs(micros);
    newest = Math.max(newest, micros);
    const roll = rng.next();
    let message: SlackMessage;
    if (roll < 0.05) {
      const bot = rng.pick(integrations);
      const c = ctx();
      message = {
        type: 'message',
        subtype: 'bot_message',
        text: bot.username === 'HubSpot' ? `New deal created: ${c.deal} (${c.amount})` : `Payment received from ${c.company}: ${c.amount}`,
        ts,
        bot_id: bot.botId,
        username: bot.username,
      };
    } else if (roll < 0.1 && botInChannel) {
      const c = ctx();
      const text = `Deal update: ${c.deal} moved to contract sent`;
      message = {
        type: 'message',
        text,
        user: ws.botUserId,
        bot_id: ws.botId,
        ts,
        team: ws.teamId,
        bot_profile: botProfile(ws, nowSec),
        blocks: sectionBlocks(text, rng),
      };
    } else {
      const text = rng.pick(texts)(ctx());
      message = { type: 'message', text, user: rng.pick(authors), ts, team: ws.teamId };
      if (rng.chance(0.06)) message.blocks = sectionBlocks(text, rng);
      else if (rng.chance(0.12)) parents.push(k);
    }
    state.timeline.push(message);
    state.byTs.set(ts, message);
  }

  for (const k of parents) {
    const parent = state.timeline[k];
    const parentMicros = parseTs(parent.ts) ?? 0;
    const replies: SlackMessage[] = [];
    let at = parentMicros;
    for (let r = rng.int(1, 4); r > 0; r--) {
      at += rng.int(60, 7_200) * 1_000_000;
      const micros = unique(Math.min(at, nowSec * 1_000_000 - 1_000));
      newest = Math.max(newest, micros);
      const reply: SlackMessage = {
        type: 'message',
        text: rng.pick(REPLY_TEXTS),
        user: rng.pick(authors),
        ts: formatTs(micros),
        team: ws.teamId,
        thread_ts: parent.ts,
        parent_user_id: parent.user,
      };
      replies.push(reply);
      state.byTs.set(reply.ts, reply);
    }
    replies.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    state.threads.set(parent.ts, replies);
    const withThread = threadParent(parent, replies);
    state.byTs.set(parent.ts, withThread);
    state.timeline[k] = withThread;
  }
  return newest;
}

/** The parent's thread summary as Slack reports it in history. */
export function threadParent(parent: SlackMessage, replies: readonly SlackMessage[]): SlackMessage {
  const replyUsers: string[] = [];
  for (const r of replies) if (r.user && !replyUsers.includes(r.user)) replyUsers.push(r.user);
  return {
    ...parent,
    thread_ts: parent.ts,
    reply_count: replies.length,
    reply_users_count: replyUsers.length,
    latest_reply: replies.length > 0 ? replies[replies.length - 1].ts : parent.ts,
    ...(replyUsers.length > 0 ? { reply_users: replyUsers.slice(0, 5) } : {}),
    subscribed: false,
  };
}

export function botProfile(ws: Workspace, updated: number): SlackMessage['bot_profile'] {
  const icon = (size: number) => `https://avatars.slack-edge.com/2024-01-01/${ws.appId.toLowerCase()}_${size}.png`;
  return {
    id: ws.botId,
    deleted: false,
    name: ws.botName,
    updated,
    app_id: ws.appId,
    icons: { image_36: icon(36), image_48: icon(48), image_72: icon(72) },
    team_id: ws.teamId,
  };
}

function sectionBlocks(text: string, rng: Prng): SlackBlock[] {
  return [
    { type: 'section', block_id: rng.id(5), text: { type: 'mrkdwn', text, verbatim: false } },
    { type: 'context', block_id: rng.id(5), elements: [{ type: 'mrkdwn', text: 'Sent by Switchboard', verbatim: false }] },
  ];
}

import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { SlackUser, SlackConversation, ChatMessage } from '../connectors/chat/schemas.ts';
import type { OwnerParent } from '../../resolvers/chat/parents.ts';
import type { GatewayContext } from '../context.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An instant in time, serialized as an ISO-8601 string in UTC (e.g. `2026-11-01T12:00:00.000Z`). */
  DateTime: { input: Date; output: Date | string | number; }
};

/** A Slack channel: a public or private conversation (Slack `conversation` object). */
export type Channel = {
  __typename?: 'Channel';
  /** When the channel was created (Slack `created`, Unix seconds). */
  createdAt: Scalars['DateTime']['output'];
  /** Slack channel ID, e.g. `C012AB3CD` (Slack `id`). */
  id: Scalars['ID']['output'];
  /** True when the channel is archived and read-only (Slack `is_archived`). */
  isArchived: Scalars['Boolean']['output'];
  /**
   * True when the gateway's Slack bot is a member of the channel, which it must be to read the
   * channel's messages (Slack `is_member`); null when Slack did not say.
   */
  isMember?: Maybe<Scalars['Boolean']['output']>;
  /** True for private channels, visible to members only (Slack `is_private`). */
  isPrivate: Scalars['Boolean']['output'];
  /** How many members the channel has, when Slack reports it (Slack `num_members`). */
  memberCount?: Maybe<Scalars['Int']['output']>;
  /**
   * The channel's messages, newest first (Slack `conversations.history`); thread replies are
   * not included, only their parent messages. Null with a BAD_USER_INPUT error at this path
   * when the gateway's Slack bot is not a member of the channel (see `isMember`), so one
   * unreadable channel does not fail a whole list of channels.
   */
  messages?: Maybe<MessageConnection>;
  /** The channel name without `#`, e.g. `general`; null for direct-message conversations (Slack `name`). */
  name?: Maybe<Scalars['String']['output']>;
  /** What the channel is for, or null when none is set (Slack `purpose.value`). */
  purpose?: Maybe<Scalars['String']['output']>;
  /** The channel topic shown in its header, or null when none is set (Slack `topic.value`). */
  topic?: Maybe<Scalars['String']['output']>;
};


/** A Slack channel: a public or private conversation (Slack `conversation` object). */
export type ChannelMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  latest?: InputMaybe<Scalars['DateTime']['input']>;
  oldest?: InputMaybe<Scalars['DateTime']['input']>;
};

/** A page of channels. */
export type ChannelConnection = {
  __typename?: 'ChannelConnection';
  /** The channels on this page, each with its cursor. */
  edges: Array<ChannelEdge>;
  /** The channels on this page. */
  nodes: Array<Channel>;
  /** Where this page sits in the list. */
  pageInfo: PageInfo;
  /** How many channels match the filters in total. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

/** A channel in a list, with its cursor. */
export type ChannelEdge = {
  __typename?: 'ChannelEdge';
  /** Pass as `after` to continue after this channel. */
  cursor: Scalars['String']['output'];
  /** The channel. */
  node: Channel;
};

/** A person (or bot) in the team's Slack workspace (Slack `user` object). */
export type ChatUser = {
  __typename?: 'ChatUser';
  /** URL of the member's 192-pixel avatar (Slack `profile.image_192`, else a smaller size). */
  avatarUrl?: Maybe<Scalars['String']['output']>;
  /** True when the account is deactivated (Slack `deleted`). */
  deleted: Scalars['Boolean']['output'];
  /** The name the member chose to be shown as; null when they did not set one (Slack `profile.display_name`). */
  displayName?: Maybe<Scalars['String']['output']>;
  /** The member's email address as entered in Slack; null for bots and when the token lacks `users:read.email` (Slack `profile.email`). */
  email?: Maybe<Scalars['String']['output']>;
  /** Slack user ID, e.g. `U024BE7LH` (Slack `id`). */
  id: Scalars['ID']['output'];
  /** True for bot and app users (Slack `is_bot`). */
  isBot: Scalars['Boolean']['output'];
  /** The mention markup that notifies this member when posted in a message, e.g. `<@U024BE7LH>`. */
  mention: Scalars['String']['output'];
  /** The member's handle, unique in the workspace, without the `@` (Slack `name`). */
  name: Scalars['String']['output'];
  /** The member's full name (Slack `real_name`, else `profile.real_name`). */
  realName?: Maybe<Scalars['String']['output']>;
  /** The member's time zone as an IANA name, e.g. `Europe/Berlin` (Slack `tz`). */
  timeZone?: Maybe<Scalars['String']['output']>;
  /** Job title from the Slack profile, or null when empty (Slack `profile.title`). */
  title?: Maybe<Scalars['String']['output']>;
};

/** A page of chat members. */
export type ChatUserConnection = {
  __typename?: 'ChatUserConnection';
  /** The members on this page, each with its cursor. */
  edges: Array<ChatUserEdge>;
  /** The members on this page. */
  nodes: Array<ChatUser>;
  /** Where this page sits in the list. */
  pageInfo: PageInfo;
  /** How many members match the filters in total. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

/** A chat member in a list, with its cursor. */
export type ChatUserEdge = {
  __typename?: 'ChatUserEdge';
  /** Pass as `after` to continue after this member. */
  cursor: Scalars['String']['output'];
  /** The member. */
  node: ChatUser;
};

/** One message in a channel (Slack `message` object). */
export type Message = {
  __typename?: 'Message';
  /** The channel the message was posted in. */
  channel?: Maybe<Channel>;
  /** The message's ID: its Slack timestamp, unique within its channel (Slack `ts`). */
  id: Scalars['ID']['output'];
  /** A permanent link to the message, when Slack included one in the response (Slack `permalink`). */
  permalink?: Maybe<Scalars['String']['output']>;
  /** When the message was posted (from Slack `ts`). */
  postedAt: Scalars['DateTime']['output'];
  /** How many replies the thread under this message has; 0 when it has none (Slack `reply_count`). */
  replyCount: Scalars['Int']['output'];
  /** What kind of message this is; null for an ordinary message posted by a person (Slack `subtype`). */
  subtype?: Maybe<MessageSubtype>;
  /** Slack's subtype word exactly as sent, e.g. `bot_message`; null for an ordinary message (Slack `subtype`). */
  subtypeRaw?: Maybe<Scalars['String']['output']>;
  /** The message text in Slack's mrkdwn markup (Slack `text`). */
  text: Scalars['String']['output'];
  /** The `ts` of the thread's parent message when this message starts or belongs to a thread (Slack `thread_ts`). */
  threadTs?: Maybe<Scalars['String']['output']>;
  /** Slack's message timestamp, e.g. `1700000000.000100`; use it to reply in a thread or to link to the message (Slack `ts`). */
  ts: Scalars['String']['output'];
  /** The member who posted it; null for integration posts, which have no member (Slack `user`). */
  user?: Maybe<ChatUser>;
};

/** A page of messages, newest first. */
export type MessageConnection = {
  __typename?: 'MessageConnection';
  /** The messages on this page, each with its cursor. */
  edges: Array<MessageEdge>;
  /** The messages on this page. */
  nodes: Array<Message>;
  /** Where this page sits in the history. */
  pageInfo: PageInfo;
  /** Always null: Slack does not count a channel's messages. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

/** A message in a list, with its cursor. */
export type MessageEdge = {
  __typename?: 'MessageEdge';
  /** Pass as `after` to continue after the page this message ends. */
  cursor: Scalars['String']['output'];
  /** The message. */
  node: Message;
};

/**
 * What kind of message this is (Slack `subtype`). Slack adds subtypes over time; a value
 * this API does not know yet reads as OTHER, and `subtypeRaw` carries Slack's own word.
 */
export type MessageSubtype =
  /** Posted by an integration or bot rather than a person (Slack `bot_message`). */
  | 'BOT_MESSAGE'
  /** The channel was archived (Slack `channel_archive`). */
  | 'CHANNEL_ARCHIVE'
  /** Someone joined the channel (Slack `channel_join`). */
  | 'CHANNEL_JOIN'
  /** Someone left the channel (Slack `channel_leave`). */
  | 'CHANNEL_LEAVE'
  /** The channel was renamed (Slack `channel_name`). */
  | 'CHANNEL_NAME'
  /** The channel purpose was changed (Slack `channel_purpose`). */
  | 'CHANNEL_PURPOSE'
  /** The channel topic was changed (Slack `channel_topic`). */
  | 'CHANNEL_TOPIC'
  /** The channel was unarchived (Slack `channel_unarchive`). */
  | 'CHANNEL_UNARCHIVE'
  /** A file was shared (Slack `file_share`). */
  | 'FILE_SHARE'
  /** A notice that a message was edited (Slack `message_changed`). */
  | 'MESSAGE_CHANGED'
  /** A notice that a message was deleted (Slack `message_deleted`). */
  | 'MESSAGE_DELETED'
  /** A notice that a thread got a reply (Slack `message_replied`). */
  | 'MESSAGE_REPLIED'
  /** A `/me` action message (Slack `me_message`). */
  | 'ME_MESSAGE'
  /** A subtype this API does not know yet; see `subtypeRaw` for Slack's value. */
  | 'OTHER'
  /** A message was pinned (Slack `pinned_item`). */
  | 'PINNED_ITEM'
  /** A thread reply also sent to the channel (Slack `thread_broadcast`). */
  | 'THREAD_BROADCAST'
  /** A message was unpinned (Slack `unpinned_item`). */
  | 'UNPINNED_ITEM';

/**
 * A CRM owner: the sales rep that contacts, companies and deals are assigned to (HubSpot owner).
 * The chat system adds the rep's Slack account.
 */
export type Owner = {
  __typename?: 'Owner';
  /**
   * The owner's Slack account: the one active (not deactivated) Slack member whose profile
   * email equals the owner's email, compared case-insensitively. Null when the owner has no
   * email, when no active member has it, or when several do (an ambiguous link is never
   * guessed).
   */
  chatUser?: Maybe<ChatUser>;
  /** The owner's email address in the CRM (HubSpot owner `email`). */
  email?: Maybe<Scalars['String']['output']>;
  /** The CRM owner ID (HubSpot owner `id`). */
  id: Scalars['ID']['output'];
};

/** The key the gateway uses to find an owner's chat account. */
export type OwnerKeyInput = {
  /** The owner's email in the CRM (HubSpot owner `email`). */
  email?: InputMaybe<Scalars['String']['input']>;
  /** The CRM owner ID (HubSpot owner `id`). */
  id: Scalars['ID']['input'];
};

/** Where a page of a connection sits in the whole list, and how to get the next page. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Cursor to pass as `after` for the next page, or null when the page is empty. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** True when more items follow this page; pass `endCursor` as `after` to fetch them. */
  hasNextPage: Scalars['Boolean']['output'];
  /** True when items precede this page. Lists only page forward, so this is false unless stated otherwise. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** Cursor of the first item on this page, or null when the page is empty. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/**
 * Read access to the team chat (Slack): people, channels and the messages in them. Everything
 * here is read live from Slack through the gateway's cache; the users and channels directories
 * are cached for a few minutes, messages for seconds.
 */
export type Query = {
  __typename?: 'Query';
  /**
   * Internal merge entry point: channels by Slack channel ID, in the order given, null for IDs
   * Slack does not know. Hidden from the public schema.
   */
  _channelsByIds: Array<Maybe<Channel>>;
  /**
   * Internal merge entry point: CRM owners extended with their chat account, one per key in
   * the order given. Hidden from the public schema.
   */
  _chatOwners: Array<Maybe<Owner>>;
  /**
   * Internal merge entry point: chat members by Slack user ID, in the order given, null for IDs
   * Slack does not know. Hidden from the public schema.
   */
  _chatUsersByIds: Array<Maybe<ChatUser>>;
  /**
   * A Slack channel by channel ID (`C…` public, `G…` private). Returns null with a NOT_FOUND
   * error at this path when Slack has no such channel (or the bot cannot see it).
   */
  channel?: Maybe<Channel>;
  /**
   * The channel with this name (case-insensitive, with or without a leading `#`), or null when
   * the bot sees no such channel.
   */
  channelByName?: Maybe<Channel>;
  /**
   * A channel's messages, newest first (Slack `conversations.history`); thread replies are not
   * included, only their parent messages. NOT_FOUND when Slack has no such channel.
   */
  channelMessages: MessageConnection;
  /**
   * The public and private channels the bot can see (Slack `conversations.list`; direct
   * messages excluded), ordered by channel ID. `totalCount` counts the channels matching the
   * filters.
   */
  channels: ChannelConnection;
  /**
   * A Slack member by Slack user ID (`U…`/`W…`). Returns null with a NOT_FOUND error at this
   * path when Slack has no such user. Members who joined after the cached directory was read
   * are found too (Slack `users.info`).
   */
  chatUser?: Maybe<ChatUser>;
  /**
   * The Slack member with this email address (case-insensitive), or null when there is none.
   * Active members are matched first; when the directory has no single active match, Slack's
   * own `users.lookupByEmail` decides.
   */
  chatUserByEmail?: Maybe<ChatUser>;
  /**
   * The workspace's members (Slack `users.list`), ordered by Slack user ID so paging stays
   * stable while people join or leave. `totalCount` counts the members matching the filters.
   */
  chatUsers: ChatUserConnection;
};


/**
 * Read access to the team chat (Slack): people, channels and the messages in them. Everything
 * here is read live from Slack through the gateway's cache; the users and channels directories
 * are cached for a few minutes, messages for seconds.
 */
export type Query_ChannelsByIdsArgs = {
  ids: Array<Scalars['ID']['input']>;
};


/**
 * Read access to the team chat (Slack): people, channels and the messages in them. Everything
 * here is read live from Slack through the gateway's cache; the users and channels directories
 * are cached for a few minutes, messages for seconds.
 */
export type Query_ChatOwnersArgs = {
  keys: Array<OwnerKeyInput>;
};


/**
 * Read access to the team chat (Slack): people, channels and the messages in them. Everything
 * here is read live from Slack through the gateway's cache; the users and channels directories
 * are cached for a few minutes, messages for seconds.
 */
export type Query_ChatUsersByIdsArgs = {
  ids: Array<Scalars['ID']['input']>;
};


/**
 * Read access to the team chat (Slack): people, channels and the messages in them. Everything
 * here is read live from Slack through the gateway's cache; the users and channels directories
 * are cached for a few minutes, messages for seconds.
 */
export type QueryChannelArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Read access to the team chat (Slack): people, channels and the messages in them. Everything
 * here is read live from Slack through the gateway's cache; the users and channels directories
 * are cached for a few minutes, messages for seconds.
 */
export type QueryChannelByNameArgs = {
  name: Scalars['String']['input'];
};


/**
 * Read access to the team chat (Slack): people, channels and the messages in them. Everything
 * here is read live from Slack through the gateway's cache; the users and channels directories
 * are cached for a few minutes, messages for seconds.
 */
export type QueryChannelMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  channel: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * Read access to the team chat (Slack): people, channels and the messages in them. Everything
 * here is read live from Slack through the gateway's cache; the users and channels directories
 * are cached for a few minutes, messages for seconds.
 */
export type QueryChannelsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  includeArchived?: InputMaybe<Scalars['Boolean']['input']>;
};


/**
 * Read access to the team chat (Slack): people, channels and the messages in them. Everything
 * here is read live from Slack through the gateway's cache; the users and channels directories
 * are cached for a few minutes, messages for seconds.
 */
export type QueryChatUserArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Read access to the team chat (Slack): people, channels and the messages in them. Everything
 * here is read live from Slack through the gateway's cache; the users and channels directories
 * are cached for a few minutes, messages for seconds.
 */
export type QueryChatUserByEmailArgs = {
  email: Scalars['String']['input'];
};


/**
 * Read access to the team chat (Slack): people, channels and the messages in them. Everything
 * here is read live from Slack through the gateway's cache; the users and channels directories
 * are cached for a few minutes, messages for seconds.
 */
export type QueryChatUsersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  includeBots?: InputMaybe<Scalars['Boolean']['input']>;
  includeDeleted?: InputMaybe<Scalars['Boolean']['input']>;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Channel: ResolverTypeWrapper<SlackConversation>;
  ChannelConnection: ResolverTypeWrapper<Omit<ChannelConnection, 'edges' | 'nodes'> & { edges: Array<ResolversTypes['ChannelEdge']>, nodes: Array<ResolversTypes['Channel']> }>;
  ChannelEdge: ResolverTypeWrapper<Omit<ChannelEdge, 'node'> & { node: ResolversTypes['Channel'] }>;
  ChatUser: ResolverTypeWrapper<SlackUser>;
  ChatUserConnection: ResolverTypeWrapper<Omit<ChatUserConnection, 'edges' | 'nodes'> & { edges: Array<ResolversTypes['ChatUserEdge']>, nodes: Array<ResolversTypes['ChatUser']> }>;
  ChatUserEdge: ResolverTypeWrapper<Omit<ChatUserEdge, 'node'> & { node: ResolversTypes['ChatUser'] }>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Message: ResolverTypeWrapper<ChatMessage>;
  MessageConnection: ResolverTypeWrapper<Omit<MessageConnection, 'edges' | 'nodes'> & { edges: Array<ResolversTypes['MessageEdge']>, nodes: Array<ResolversTypes['Message']> }>;
  MessageEdge: ResolverTypeWrapper<Omit<MessageEdge, 'node'> & { node: ResolversTypes['Message'] }>;
  MessageSubtype: MessageSubtype;
  Owner: ResolverTypeWrapper<OwnerParent>;
  OwnerKeyInput: OwnerKeyInput;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Boolean: Scalars['Boolean']['output'];
  Channel: SlackConversation;
  ChannelConnection: Omit<ChannelConnection, 'edges' | 'nodes'> & { edges: Array<ResolversParentTypes['ChannelEdge']>, nodes: Array<ResolversParentTypes['Channel']> };
  ChannelEdge: Omit<ChannelEdge, 'node'> & { node: ResolversParentTypes['Channel'] };
  ChatUser: SlackUser;
  ChatUserConnection: Omit<ChatUserConnection, 'edges' | 'nodes'> & { edges: Array<ResolversParentTypes['ChatUserEdge']>, nodes: Array<ResolversParentTypes['ChatUser']> };
  ChatUserEdge: Omit<ChatUserEdge, 'node'> & { node: ResolversParentTypes['ChatUser'] };
  DateTime: Scalars['DateTime']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  Message: ChatMessage;
  MessageConnection: Omit<MessageConnection, 'edges' | 'nodes'> & { edges: Array<ResolversParentTypes['MessageEdge']>, nodes: Array<ResolversParentTypes['Message']> };
  MessageEdge: Omit<MessageEdge, 'node'> & { node: ResolversParentTypes['Message'] };
  Owner: OwnerParent;
  OwnerKeyInput: OwnerKeyInput;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  String: Scalars['String']['output'];
};

export type ChannelResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Channel'] = ResolversParentTypes['Channel']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  isArchived?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  isMember?: Resolver<Maybe<ResolversTypes['Boolean']>, ParentType, ContextType>;
  isPrivate?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  memberCount?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  messages?: Resolver<Maybe<ResolversTypes['MessageConnection']>, ParentType, ContextType, RequireFields<ChannelMessagesArgs, 'first'>>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  purpose?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  topic?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type ChannelConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['ChannelConnection'] = ResolversParentTypes['ChannelConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ChannelEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Channel']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type ChannelEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['ChannelEdge'] = ResolversParentTypes['ChannelEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Channel'], ParentType, ContextType>;
};

export type ChatUserResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['ChatUser'] = ResolversParentTypes['ChatUser']> = {
  avatarUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  deleted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  displayName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  isBot?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  mention?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  realName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  timeZone?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  title?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type ChatUserConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['ChatUserConnection'] = ResolversParentTypes['ChatUserConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ChatUserEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['ChatUser']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type ChatUserEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['ChatUserEdge'] = ResolversParentTypes['ChatUserEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['ChatUser'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MessageResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Message'] = ResolversParentTypes['Message']> = {
  channel?: Resolver<Maybe<ResolversTypes['Channel']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  permalink?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  postedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  replyCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  subtype?: Resolver<Maybe<ResolversTypes['MessageSubtype']>, ParentType, ContextType>;
  subtypeRaw?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  text?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  threadTs?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  ts?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  user?: Resolver<Maybe<ResolversTypes['ChatUser']>, ParentType, ContextType>;
};

export type MessageConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['MessageConnection'] = ResolversParentTypes['MessageConnection']> = {
  edges?: Resolver<Array<ResolversTypes['MessageEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Message']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type MessageEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['MessageEdge'] = ResolversParentTypes['MessageEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Message'], ParentType, ContextType>;
};

export type OwnerResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Owner'] = ResolversParentTypes['Owner']> = {
  chatUser?: Resolver<Maybe<ResolversTypes['ChatUser']>, ParentType, ContextType>;
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type QueryResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  _channelsByIds?: Resolver<Array<Maybe<ResolversTypes['Channel']>>, ParentType, ContextType, RequireFields<Query_ChannelsByIdsArgs, 'ids'>>;
  _chatOwners?: Resolver<Array<Maybe<ResolversTypes['Owner']>>, ParentType, ContextType, RequireFields<Query_ChatOwnersArgs, 'keys'>>;
  _chatUsersByIds?: Resolver<Array<Maybe<ResolversTypes['ChatUser']>>, ParentType, ContextType, RequireFields<Query_ChatUsersByIdsArgs, 'ids'>>;
  channel?: Resolver<Maybe<ResolversTypes['Channel']>, ParentType, ContextType, RequireFields<QueryChannelArgs, 'id'>>;
  channelByName?: Resolver<Maybe<ResolversTypes['Channel']>, ParentType, ContextType, RequireFields<QueryChannelByNameArgs, 'name'>>;
  channelMessages?: Resolver<ResolversTypes['MessageConnection'], ParentType, ContextType, RequireFields<QueryChannelMessagesArgs, 'channel' | 'first'>>;
  channels?: Resolver<ResolversTypes['ChannelConnection'], ParentType, ContextType, RequireFields<QueryChannelsArgs, 'first' | 'includeArchived'>>;
  chatUser?: Resolver<Maybe<ResolversTypes['ChatUser']>, ParentType, ContextType, RequireFields<QueryChatUserArgs, 'id'>>;
  chatUserByEmail?: Resolver<Maybe<ResolversTypes['ChatUser']>, ParentType, ContextType, RequireFields<QueryChatUserByEmailArgs, 'email'>>;
  chatUsers?: Resolver<ResolversTypes['ChatUserConnection'], ParentType, ContextType, RequireFields<QueryChatUsersArgs, 'first' | 'includeBots' | 'includeDeleted'>>;
};

export type Resolvers<ContextType = GatewayContext> = {
  Channel?: ChannelResolvers<ContextType>;
  ChannelConnection?: ChannelConnectionResolvers<ContextType>;
  ChannelEdge?: ChannelEdgeResolvers<ContextType>;
  ChatUser?: ChatUserResolvers<ContextType>;
  ChatUserConnection?: ChatUserConnectionResolvers<ContextType>;
  ChatUserEdge?: ChatUserEdgeResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Message?: MessageResolvers<ContextType>;
  MessageConnection?: MessageConnectionResolvers<ContextType>;
  MessageEdge?: MessageEdgeResolvers<ContextType>;
  Owner?: OwnerResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
};


/** The chat system (Slack Web API): `chatSystem`, its one entry for the gateway, and the types other layers read. */
import type { SystemModule } from '../system.ts';
import { chatFacts, historyPageLimit } from './facts.ts';
import { createChatConnector, type ChatConnector } from './client.ts';
import { createUserDirectory, type UserDirectory } from './directory.ts';
import { invalidateChat } from './invalidate.ts';
import { createChatLoaders, type ChatLoaders } from './loaders.ts';
import { slackProfile } from './profile.ts';
import { CHAT_RESOURCES } from './resources.ts';
import { slackWebhook } from './webhook.ts';

export { slackProfile } from './profile.ts';
export { chatContract } from './contract.ts';
export {
  createChatConnector,
  SLACK_HISTORY_MAX_LIMIT,
  SLACK_PAGE_LIMIT,
  type ChatConnector,
  type ChatConnectorOptions,
  type HistoryParams,
  type Page,
} from './client.ts';
export {
  buildUserSnapshot,
  createUserDirectory,
  USER_DIRECTORY_ENTRY,
  type UserDirectory,
  type UserDirectoryOptions,
  type UserSnapshot,
} from './directory.ts';
export { CHAT_RESOURCES, CHAT_TTL_SECONDS, DEFAULT_DIRECTORY_REFRESH_SECONDS, DIRECTORY_ID, historyGenerationId } from './resources.ts';
export { slackChange, slackEnvelope, type SlackEnvelope } from './webhook.ts';
export { renderMrkdwn } from './mrkdwn.ts';
export { createChatLoaders, type ChatLoaders, type CreateChatLoadersOptions, type HistoryPage } from './loaders.ts';
export {
  parseSlack,
  type ChatMessage,
  type SlackConversation,
  type SlackMessage,
  type SlackMessageSubtype,
  type SlackUser,
} from './schemas.ts';

export const chatSystem: SystemModule<'chat', ChatConnector, ChatLoaders, UserDirectory> = {
  name: 'chat',
  facts: chatFacts,
  profile: slackProfile,
  createConnector: createChatConnector,
  // One replica of the Slack user directory per process, read with the process-level connector and kept
  // fresh by every user change this replica hears of (with Redis: changes delivered to any replica).
  createShared({ connector, cache, ttlSeconds, logger }) {
    // Its refresh interval is also its shared entry's TTL (0: re-read on every request, never shared).
    const directory = createUserDirectory({ connector, cache, refreshSeconds: ttlSeconds[CHAT_RESOURCES.userDirectory], logger });
    return {
      shared: directory,
      applyChange: (event) => void directory.applyChange(event),
      warm: () => directory.warm(),
      close: () => directory.close(),
    };
  },
  createLoaders: ({ connector, cache, requestId, signal, shared, plan }) =>
    createChatLoaders({ connector, cache, directory: shared, requestId, signal, historyLimit: historyPageLimit(plan) }),
  invalidate: invalidateChat,
  webhook: slackWebhook,
  // No catch-up: history reads are rate-limited to 1/min for non-Marketplace apps; messages
  // are cached 15 s (60 s for those apps), so a missed message shows up by TTL.
  responseCache: { types: { ChatUser: 'user', Channel: 'channel', Message: 'message' } },
};

/** The system's writes (validation, the vendor calls, the change each publishes), for the mutations and the workflows. */
export * from './commands.ts';

/** The chat (Slack Web API) connector: vendor profile, typed client, the process-level user directory, per-request loaders. */
export { slackProfile } from './profile.ts';
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
  DEFAULT_DIRECTORY_REFRESH_SECONDS,
  USER_DIRECTORY_ENTRY,
  type UserDirectory,
  type UserDirectoryOptions,
  type UserSnapshot,
} from './directory.ts';
export {
  CHAT_RESOURCES,
  createChatLoaders,
  DIRECTORY_ID,
  type ChatLoaders,
  type CreateChatLoadersOptions,
  type HistoryPage,
} from './loaders.ts';
export {
  parseSlack,
  type ChatMessage,
  type SlackConversation,
  type SlackMessage,
  type SlackMessageSubtype,
  type SlackUser,
} from './schemas.ts';

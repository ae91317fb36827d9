/**
 * Switchboard's configuration: read from environment variables and, optionally, from a
 * JSON file named by SWITCHBOARD_CONFIG whose keys are the same variable names
 * (`{ "PORT": 4000, "HUBSPOT_TOKEN": "…" }`). The environment wins over the file, so one
 * file can serve several replicas that differ by a variable or two.
 *
 * Every problem is collected before anything is thrown, so an operator fixes them all in
 * one go; each reads "VAR_NAME: what is wrong — how to fix it". Values of secrets
 * (tokens, keys, URLs, which may carry passwords) never appear in those messages.
 *
 * Per system, after loading: both `baseUrl` and the credential are set (a credential
 * alone means the vendor's real URL), or neither is, and the system is in
 * `sandboxSystems`, to be served by the embedded sandbox.
 */
// The configuration's one entry: the parts live in src/config/ and are imported from here.
export { ConfigError, LOG_LEVELS } from './config/types.ts';
export type {
  AlertsConfig,
  AuthConfig,
  BudgetSetting,
  Config,
  EnvLike,
  LimitsConfig,
  LogLevel,
  Mode,
  ResilienceConfig,
  StoreConfig,
  SystemConfigs,
  TracingConfig,
  WebhookConfig,
  WebhookSecrets,
} from './config/types.ts';
export { DEFAULT_ALERTS, DEFAULT_CACHE_TTL_SECONDS, VENDOR_BASE_URLS } from './config/defaults.ts';
export { loadConfig } from './config/load.ts';
export { redactConfig } from './config/redact.ts';
export { systemSettings, webhookSecret, type SystemSettings } from './config/systems.ts';
export { apiKeyList, DEV_KEY_SHAPE, type ApiKeyEntry } from './config/api-keys.ts';
export { isScope, SCOPES, type Scope } from './config/scopes.ts';

/**
 * @switchboard/client: a typed client for the Switchboard gateway, and the typed documents of
 * the gateway's example operations (generated from schema.graphql by `npm run codegen:client`).
 */
export { createClient } from './client.ts';
export type { ClientOptions, OperationArgs, RequestOptions, SwitchboardClient, SwitchboardResult, VariablesOf } from './client.ts';
export type { OperationInfo, OperationKind, TypedDocument } from './document.ts';
export { describeOperation } from './document.ts';
export { ERROR_CODES, isKnownErrorCode, SwitchboardTransportError } from './errors.ts';
export type { ErrorCode, KnownErrorCode, Service, SwitchboardError } from './errors.ts';
export { KEYED_WRITE_RETRYABLE_CODES, RETRY_DEFAULTS, RETRYABLE_CODES } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export type { Subscription, SubscriptionEvent } from './sse.ts';
export type { PersistedMode } from './transport.ts';
export * from './generated/graphql.ts';

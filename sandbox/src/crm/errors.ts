/**
 * HubSpot's error bodies. Every error carries `status: 'error'`, a `message` and a fresh
 * `correlationId` (also sent as the `X-HubSpot-Correlation-Id` header, as HubSpot does), and
 * usually a `category`; batch errors add `context` with the offending ids.
 */
import { randomUUID } from 'node:crypto';
import type { SandboxResponse } from '../http.ts';

export type HubSpotCategory =
  | 'VALIDATION_ERROR'
  | 'OBJECT_NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_AUTHENTICATION'
  | 'MISSING_SCOPES'
  | 'RATE_LIMITS'
  | 'INTERNAL_ERROR'
  | (string & {});

export interface HubSpotErrorDetail {
  message: string;
  code?: string;
  subCategory?: string;
  context?: Record<string, string[]>;
  in?: string;
}

export interface HubSpotErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  category: HubSpotCategory;
  subCategory?: string;
  errors?: HubSpotErrorDetail[];
  context?: Record<string, string[]>;
  links?: Record<string, string>;
}

export interface ErrorExtras {
  subCategory?: string;
  errors?: HubSpotErrorDetail[];
  context?: Record<string, string[]>;
}

export function errorBody(category: HubSpotCategory, message: string, extras: ErrorExtras = {}): HubSpotErrorBody {
  const body: HubSpotErrorBody = { status: 'error', message, correlationId: randomUUID(), category };
  if (extras.subCategory !== undefined) body.subCategory = extras.subCategory;
  if (extras.errors !== undefined) body.errors = extras.errors;
  if (extras.context !== undefined) body.context = extras.context;
  return body;
}

export function hubspotError(status: number, category: HubSpotCategory, message: string, extras: ErrorExtras = {}): SandboxResponse {
  const body = errorBody(category, message, extras);
  return { status, headers: { 'x-hubspot-correlation-id': body.correlationId }, body };
}

export const validationError = (message: string, extras?: ErrorExtras) => hubspotError(400, 'VALIDATION_ERROR', message, extras);

export const notFoundError = (message = 'resource not found', extras?: ErrorExtras) =>
  hubspotError(404, 'OBJECT_NOT_FOUND', message, extras);

export type RatePolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';

const RATE_MESSAGES: Record<RatePolicy, string> = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  SECONDLY: 'You have reached your secondly limit.',
  DAILY: 'You have reached your daily limit.',
};

/**
 * HubSpot's 429. It documents no Retry-After: clients back off on `policyName` (the official
 * SDK waits 10 s per attempt for TEN_SECONDLY_ROLLING, 1 s for the search SECONDLY limit).
 */
export function rateLimitError(policyName: RatePolicy): SandboxResponse {
  const correlationId = randomUUID();
  return {
    status: 429,
    headers: { 'x-hubspot-correlation-id': correlationId },
    body: {
      status: 'error',
      message: RATE_MESSAGES[policyName],
      errorType: 'RATE_LIMIT',
      correlationId,
      policyName,
      requestId: randomUUID(),
    },
  };
}

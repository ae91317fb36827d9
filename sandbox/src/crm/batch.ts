/**
 * The batch envelope HubSpot wraps around batch results: `status: 'COMPLETE'` with timings,
 * and — only when some inputs failed — HTTP 207 with `numErrors` and `errors`.
 */
import type { SandboxRequest, SandboxResponse } from '../http.ts';
import { type HubSpotErrorBody, validationError } from './errors.ts';
import { isObject, parseJsonBody } from './render.ts';

export interface BatchInputs {
  inputs: unknown[];
  body: Record<string, unknown>;
}

/** Parses `{inputs: [...]}`; more than `max` inputs is a 400 VALIDATION_ERROR. */
export function batchInputs(req: SandboxRequest, max: number): BatchInputs | SandboxResponse {
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.response;
  if (!isObject(parsed.value) || !Array.isArray(parsed.value.inputs))
    return validationError('Invalid input JSON: expected an object with an inputs array');
  const inputs = parsed.value.inputs;
  if (inputs.length > max) {
    return validationError(`Too many inputs: ${inputs.length}. The maximum number of inputs per batch is ${max}.`, {
      context: { limit: [String(max)] },
    });
  }
  return { inputs, body: parsed.value };
}

/** Tells an error answer from a parsed result (which never has a `status`). */
export function isResponse<T extends object>(value: T | SandboxResponse): value is SandboxResponse {
  return 'status' in value;
}

export function batchEnvelope(startedAt: number, results: unknown[], errors: HubSpotErrorBody[], okStatus = 200): SandboxResponse {
  const body: Record<string, unknown> = {
    status: 'COMPLETE',
    results,
    startedAt: new Date(startedAt).toISOString(),
    completedAt: new Date().toISOString(),
  };
  if (errors.length === 0) return { status: okStatus, body };
  body.numErrors = errors.length;
  body.errors = errors;
  return { status: 207, body };
}

/**
 * One request, one logger: a pino child carrying the request ID, the operation name and the
 * principal ID, so every line about a request can be found under its ID. The request ID is
 * decided once per HTTP request (the client's `x-request-id` when it is a sane token, else a
 * new UUID) and the same value is sent upstream and returned in the response header.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';

const requestIds = new WeakMap<Request, string>();
const operationNames = new WeakMap<Request, string>();

/** A caller's `x-request-id` is kept (so traces join up) when it is a sane token; else a new one. */
export function requestIdFrom(request: Request): string {
  let id = requestIds.get(request);
  if (!id) {
    const given = request.headers.get('x-request-id');
    id = given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/** Records the name of the operation `request` runs, once it is known (params, then the parsed document). */
export function setOperationName(request: Request, name: string | undefined): void {
  if (name) operationNames.set(request, name);
}

export function operationNameOf(request: Request): string | undefined {
  return operationNames.get(request);
}

/** The fields every line about `request` carries (undefined ones are left out by pino). */
export function requestBindings(request: Request, principalId: string | undefined): Record<string, string | undefined> {
  return { requestId: requestIdFrom(request), operationName: operationNameOf(request), principalId };
}

/** A child of `logger` for one request; cheap (pino serialises the bindings once). */
export function requestLogger(logger: Logger, request: Request, principalId: string | undefined): Logger {
  return logger.child(requestBindings(request, principalId));
}

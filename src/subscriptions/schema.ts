/**
 * The gateway's own `Subscription` type, added to the stitched graph. Each field listens to
 * the change feed (which every mutation, webhook and catch-up goes through), filters, and
 * resolves each change by delegating to the gateway's own root query field for the record
 * (`contact`, `deal`, `invoice`, `channelMessages`), so the payload is the record as its
 * system now holds it and stitching fills linked fields from the other systems (a contact's
 * billing customer, an invoice's CRM contact, …). Delegating straight to the owning
 * subschema would skip the merge into the other systems.
 *
 * Each event is resolved in a fresh context (`renew`): a subscription lives far longer than
 * one request's loaders (which memoize) and deadline. The fresh context is the same client's
 * (request ID, principal, abort signal) and its deadline is released when the event is done.
 */
import { readFileSync } from 'node:fs';
import { delegateToSchema } from '@graphql-tools/delegate';
import { Kind, type FieldNode, type GraphQLOutputType, type GraphQLResolveInfo } from 'graphql';
import { readingSince } from '../cache/reads-begun.ts';
import type { ChangeEvent } from '../changes/types.ts';
import type { GatewayContext } from '../context.ts';
import { PASSING_CODES } from '../errors.ts';
import { filteredChanges } from './filter.ts';
import { fromRoot } from '../paths.ts';
import { sleepUnlessAborted } from '../upstream/deadline.ts';

/** schemas/live.graphql: the Subscription type over the stitched types (Contact, Deal, Invoice, Message). */
export const subscriptionTypeDefs = readFileSync(fromRoot('schemas/live.graphql'), 'utf8');

type Context = GatewayContext;

const changedKeys = (event: ChangeEvent) => Object.keys(event.previous ?? {});
/** Unknown previous values (a gateway write that did not say) count as "may have changed". */
const mayHaveChanged = (event: ChangeEvent, field: string) =>
  event.action === 'created' || event.previous === undefined || changedKeys(event).includes(field);
/** A change that leaves a record of `entity` in `system` to resolve (a deleted one has none). */
const isLiveChange = (event: ChangeEvent, system: ChangeEvent['system'], entity: string) =>
  event.system === system && event.entity === entity && event.action !== 'deleted';

/** Resolves one event in a renewed context, whose deadline is released when the event is resolved. */
async function inFreshContext<T>(context: Context, resolve: (fresh: Context) => T | Promise<T>): Promise<T> {
  const fresh = context.renew?.();
  if (!fresh) return resolve(context);
  try {
    return await resolve(fresh);
  } finally {
    fresh.dispose();
  }
}

/**
 * Waits before reading an event's record again when the failure names no moment to come back.
 * A failure that does (a vendor's `Retry-After`, an open breaker's trial) is read again then:
 * the subscriber gets the event as soon as the record can be read, not at the next step of a
 * schedule. Each wait is capped, and the event is given up after about half a minute.
 */
const EVENT_RETRY_DELAYS_MS = [250, 1_000, 3_000, 6_000];
const EVENT_RETRY_CAP_MS = 10_000;
const EVENT_RETRY_FOR_MS = 30_000;

/** The code and retry hint of a record read that failed as a whole (returned or thrown as an error). */
function passingFailure(value: unknown): { retryAfterMs?: number } | undefined {
  if (!(value instanceof Error)) return undefined;
  const { extensions, originalError } = value as { extensions?: { code?: unknown; retryAfter?: unknown }; originalError?: unknown };
  const ext = extensions?.code !== undefined ? extensions : (originalError as { extensions?: typeof extensions } | undefined)?.extensions;
  if (typeof ext?.code !== 'string' || !PASSING_CODES.has(ext.code)) return undefined;
  return typeof ext.retryAfter === 'number' ? { retryAfterMs: ext.retryAfter * 1000 } : {};
}

/**
 * Resolves an event, and again while its record read fails for a passing reason: the change
 * happened, and a null with an error would tell the subscriber nothing of it. Later events
 * wait meanwhile (a subscription delivers in order); a subscriber that leaves ends the waiting.
 */
async function resolveEvent<T>(context: Context, resolve: (fresh: Context) => T | Promise<T>): Promise<T> {
  // The change is applied at its vendor by now: a read begun before this moment (another request's, still in flight)
  // may not show it, so the event's reads join none of those — the subscriber gets the record as the change left it
  // or later, never from before it (and the feed's echo rule, which sends a record once for changes close together,
  // relies on that).
  const heardAt = Date.now();
  const giveUpAt = heardAt + EVENT_RETRY_FOR_MS;
  for (let attempt = 0; ; attempt++) {
    let value: T | undefined;
    let thrown: unknown;
    try {
      value = await readingSince(heardAt, () => inFreshContext(context, resolve));
    } catch (error) {
      thrown = error;
    }
    const failure = passingFailure(thrown ?? value);
    const waitMs = Math.min(
      EVENT_RETRY_CAP_MS,
      failure?.retryAfterMs ?? EVENT_RETRY_DELAYS_MS[Math.min(attempt, EVENT_RETRY_DELAYS_MS.length - 1)],
    );
    if (!failure || Date.now() + waitMs > giveUpAt || context.signal?.aborted) {
      if (thrown !== undefined) throw thrown;
      return value as T;
    }
    await sleepUnlessAborted(waitMs, context.signal, () => thrown ?? value);
  }
}

/** A field resolving each matching change through the gateway's `rootField(id:)` for the changed record. */
function field(rootField: string, match: (event: ChangeEvent, args: Record<string, unknown>) => boolean) {
  return {
    subscribe: (_root: unknown, args: Record<string, unknown>, context: Context) =>
      filteredChanges(context.changes, (event) => match(event, args)),
    resolve: (event: ChangeEvent, _args: unknown, context: Context, info: GraphQLResolveInfo) =>
      // Through the whole gateway schema's own root field: its stitched resolver fetches the
      // record from the owning system and merges the linked fields from the others.
      resolveEvent(context, (fresh) =>
        delegateToSchema({
          schema: info.schema,
          operation: 'query' as never,
          fieldName: rootField,
          args: { id: event.id },
          context: fresh,
          info,
        }),
      ),
  };
}

export function createSubscriptionResolvers() {
  return {
    Subscription: {
      contactChanged: field('contact', (e, args) => isLiveChange(e, 'crm', 'contact') && (args.id == null || args.id === e.id)),
      dealStageChanged: field(
        'deal',
        (e, args) =>
          isLiveChange(e, 'crm', 'deal') &&
          (e.action === 'created' || (e.action === 'updated' && mayHaveChanged(e, 'dealstage'))) &&
          (args.id == null || args.id === e.id),
      ),
      invoiceStatusChanged: field(
        'invoice',
        (e, args) =>
          isLiveChange(e, 'billing', 'invoice') &&
          mayHaveChanged(e, 'status') &&
          (args.customerId == null || args.customerId === e.related?.customerId),
      ),
      messagePosted: {
        subscribe: (_root: unknown, args: Record<string, unknown>, context: Context) =>
          filteredChanges(
            context.changes,
            (e) => e.system === 'chat' && e.entity === 'message' && e.action === 'created' && e.related?.channel === args.channel,
          ),
        resolve: (event: ChangeEvent, _args: unknown, context: Context, info: GraphQLResolveInfo) =>
          resolveEvent(context, (fresh) => resolveMessage(event, fresh, info)),
      },
    },
  };
}

/**
 * Slack has no "message by ts" read; the chat subschema answers `channelMessages`, newest
 * first, and the new message is on its first page. The delegated page is resolved with the
 * subscriber's own selection under `nodes`, then the message with the event's ts is picked.
 */
async function resolveMessage(event: ChangeEvent, context: GatewayContext, info: GraphQLResolveInfo): Promise<unknown> {
  const [channel, ts] = splitMessageId(event.id);
  const original = info.fieldNodes[0];
  const connectionType = info.schema.getType('MessageConnection') as GraphQLOutputType | undefined;
  if (!connectionType || !original?.selectionSet) return null;
  const fieldNode: FieldNode = {
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: 'channelMessages' },
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [
        {
          kind: Kind.FIELD,
          name: { kind: Kind.NAME, value: 'nodes' },
          selectionSet: {
            kind: Kind.SELECTION_SET,
            selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'ts' } }, ...original.selectionSet.selections],
          },
        },
      ],
    },
  };
  const page = (await delegateToSchema({
    schema: info.schema,
    operation: 'query' as never,
    fieldName: 'channelMessages',
    args: { channel, first: 20 },
    context,
    info: { ...info, fieldNodes: [fieldNode], returnType: connectionType },
    returnType: connectionType,
    fieldNodes: [fieldNode],
  })) as { nodes?: ({ ts?: string } | null)[] } | Error | null;
  if (!page || page instanceof Error) return page;
  return page.nodes?.find((node) => node?.ts === ts) ?? null;
}

function splitMessageId(id: string): [string, string] {
  const i = id.indexOf(':');
  return [id.slice(0, i), id.slice(i + 1)];
}

/**
 * `Query.integrationHealth` and `Subscription.integrationHealthChanged`
 * (schemas/health.graphql): the health model, for operators and GET /status. Added to the
 * stitched schema in src/stitching.ts; the model reaches the resolvers on the context, put
 * there by the health plugin (src/plugins/use-health.ts).
 */
import { readFileSync } from 'node:fs';
import { forbiddenError } from '../auth/scope-checks.ts';
import type { Principal } from '../auth/scopes.ts';
import { GatewayError } from '../errors.ts';
import { fromRoot } from '../paths.ts';
import type { BreakerState } from '../upstream/client.ts';
import type { HealthChange, HealthModel, SystemHealth } from './model.ts';

export const healthTypeDefs = readFileSync(fromRoot('schemas/health.graphql'), 'utf8');

export const INTEGRATION_HEALTH_SCOPES = ['ops:read'];

/** What the health plugin adds to every context. */
export interface HealthContext {
  principal?: Principal;
  integrationHealth?: HealthModel;
}

function modelOf(context: HealthContext, coordinate: string): HealthModel {
  // Gateway-level fields are not in any subschema, so their scopes are checked here.
  const error = forbiddenError(context.principal, coordinate, [INTEGRATION_HEALTH_SCOPES]);
  if (error) throw error;
  if (!context.integrationHealth) throw new GatewayError('INTERNAL_SERVER_ERROR', 'The health model is not available');
  return context.integrationHealth;
}

const BREAKER_ENUM: Record<BreakerState, string> = { closed: 'CLOSED', open: 'OPEN', 'half-open': 'HALF_OPEN' };

/** The model's view with the enum spellings of the schema. */
function systemOut(health: SystemHealth) {
  return {
    ...health,
    breaker: BREAKER_ENUM[health.breaker],
    lastError: health.lastError && { ...health.lastError, at: new Date(health.lastError.at) },
  };
}

/** The model's changes as a source stream; ending it (the subscriber left) unsubscribes at once. */
function changesOf(model: HealthModel): AsyncIterableIterator<HealthChange> {
  const queued: HealthChange[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const unsubscribe = model.onChange((change) => {
    queued.push(change);
    wake?.();
  });
  const end = (): IteratorResult<HealthChange> => {
    ended = true;
    unsubscribe();
    wake?.();
    return { done: true, value: undefined };
  };
  const iterator: AsyncIterableIterator<HealthChange> = {
    async next() {
      while (queued.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
      const change = queued.shift();
      return change ? { done: false, value: change } : { done: true, value: undefined };
    },
    return: async () => end(),
    async throw(error: unknown) {
      end();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

export function createHealthResolvers() {
  return {
    Query: {
      integrationHealth(_parent: unknown, _args: unknown, context: HealthContext) {
        const model = modelOf(context, 'Query.integrationHealth');
        return {
          generatedAt: new Date(),
          systems: model.systems().map(systemOut),
          webhooks: model.webhooks(),
          lastCatchUp: model.lastCatchUp(),
          alerts: model.alerts().map(({ name, system, since, message }) => ({ name, system, since, message })),
          failedWork: () =>
            model.failedWork().catch((error: unknown) => {
              throw new GatewayError('INTERNAL_SERVER_ERROR', 'The audit log is unavailable', { cause: error });
            }),
          replicas: () =>
            model.replicas().catch((error: unknown) => {
              throw new GatewayError('INTERNAL_SERVER_ERROR', 'The fleet view is unavailable: Redis cannot be read', { cause: error });
            }),
        };
      },
    },
    Subscription: {
      integrationHealthChanged: {
        subscribe: (_root: unknown, _args: unknown, context: HealthContext) =>
          changesOf(modelOf(context, 'Subscription.integrationHealthChanged')),
        resolve: (change: HealthChange, _args: unknown, context: HealthContext) => {
          const health = modelOf(context, 'Subscription.integrationHealthChanged')
            .systems()
            .find((system) => system.system === change.system);
          return { ...change, health: health && systemOut(health) };
        },
      },
    },
  };
}

/**
 * Gateway-level SDL and resolvers for what spans systems: the cross-system mutations and
 * the audit log. Added to the stitched schema in src/stitching.ts; the resolvers call the
 * workflow modules, which reach upstreams only through the context's connectors.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { forbiddenError } from '../auth/scope-checks.ts';
import type { Principal } from '../auth/scopes.ts';
import type { GatewayContext } from '../context.ts';
import { validate } from '../command.ts';
import { GatewayError } from '../errors.ts';
import type { AuditFilter, AuditOutcome, AuditRecord } from '../store/index.ts';
import type { WorkflowResult } from './definition.ts';
import { onboardCustomer, type OnboardCustomerArgs } from './onboard-customer.ts';
import { winDeal, type WinDealArgs } from './win-deal.ts';
import { fromRoot } from '../paths.ts';

/** schemas/workflows.graphql: extends the stitched Mutation and Query types. */
export const workflowTypeDefs = readFileSync(fromRoot('schemas/workflows.graphql'), 'utf8');

const OUTCOMES = [
  'succeeded',
  'failed',
  'compensated',
  'outcome_unknown',
  'replayed',
  'rejected',
] as const satisfies readonly AuditOutcome[];

const auditArgs = z.object({
  first: z.number().int().min(1, { error: 'must be between 1 and 100' }).max(100, { error: 'must be between 1 and 100' }),
  after: z
    .string()
    .regex(/^\d{1,19}$/, { error: 'is not a cursor from this log' })
    .nullish(),
  filter: z
    .object({
      operation: z.string().max(100).nullish(),
      principal: z.string().max(200).nullish(),
      outcome: z.enum(OUTCOMES).nullish(),
      idempotencyKey: z.string().max(200).nullish(),
      since: z.union([z.date(), z.string().datetime({ offset: true })]).nullish(),
    })
    .nullish(),
});

function toFilter(filter: z.output<typeof auditArgs>['filter']): AuditFilter {
  if (!filter) return {};
  return {
    operation: filter.operation ?? undefined,
    principal: filter.principal ?? undefined,
    outcome: filter.outcome ?? undefined,
    idempotencyKey: filter.idempotencyKey ?? undefined,
    since: filter.since ? new Date(filter.since) : undefined,
  };
}

/** Gateway-level fields are not in any subschema, so their scopes are checked here. */
function requireScopes(context: GatewayContext, coordinate: string, scopes: readonly string[]): void {
  const error = forbiddenError((context as { principal?: Principal }).principal, coordinate, [scopes as string[]]);
  if (error) throw error;
}

const WORKFLOW_SCOPES = ['crm:write', 'billing:write', 'chat:write'];

/** The scopes of the gateway-level fields, which no subschema's `@requiresScopes` covers (the MCP tool list reads them too). */
export const WORKFLOW_FIELD_SCOPES: Readonly<Record<string, readonly string[]>> = {
  'Mutation.winDeal': WORKFLOW_SCOPES,
  'Mutation.onboardCustomer': WORKFLOW_SCOPES,
  'Query.auditLog': ['audit:read'],
};

type Resolver<Args, Result> = (parent: unknown, args: Args, context: GatewayContext) => Promise<Result> | Result;

export function createWorkflowResolvers(): {
  Mutation: { winDeal: Resolver<WinDealArgs, WorkflowResult>; onboardCustomer: Resolver<OnboardCustomerArgs, WorkflowResult> };
  Query: { auditLog: Resolver<unknown, unknown> };
  WorkflowResult: { upstreamId: (result: WorkflowResult, args: { name: string }) => string | null };
  WorkflowStep: { upstreamIds: (step: WorkflowResult['steps'][number]) => { name: string; value: string }[] };
  AuditRecord: Record<string, (record: AuditRecord) => unknown>;
} {
  return {
    Mutation: {
      winDeal: (_parent, args, context) => {
        requireScopes(context, 'Mutation.winDeal', WORKFLOW_FIELD_SCOPES['Mutation.winDeal']);
        return winDeal(context, args);
      },
      onboardCustomer: (_parent, args, context) => {
        requireScopes(context, 'Mutation.onboardCustomer', WORKFLOW_FIELD_SCOPES['Mutation.onboardCustomer']);
        return onboardCustomer(context, args);
      },
    },
    Query: {
      async auditLog(_parent, args, context) {
        requireScopes(context, 'Query.auditLog', WORKFLOW_FIELD_SCOPES['Query.auditLog']);
        const valid = validate(auditArgs, args);
        const page = await context.writes.store.audit
          .list({ first: valid.first, after: valid.after ?? undefined, filter: toFilter(valid.filter) })
          .catch((error: unknown) => {
            throw new GatewayError('INTERNAL_SERVER_ERROR', 'The audit log is unavailable', { cause: error });
          });
        return {
          nodes: page.records,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: valid.after !== undefined && valid.after !== null,
            startCursor: page.records[0]?.id ?? null,
            endCursor: page.records.at(-1)?.id ?? null,
          },
        };
      },
    },
    WorkflowResult: {
      upstreamId: (result, { name }) => {
        for (const step of [...result.steps].reverse()) if (step.ids[name] !== undefined) return step.ids[name];
        return null;
      },
    },
    WorkflowStep: {
      upstreamIds: (step) => Object.entries(step.ids).map(([name, value]) => ({ name, value })),
    },
    AuditRecord: {
      inputs: (record) => JSON.stringify(record.inputs),
      upstream: (record) => JSON.stringify(record.upstream),
    },
  };
}

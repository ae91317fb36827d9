/**
 * One audit row per MCP tool call, reads included: an agent's every action can be traced to
 * the key it held. The row's operation is `mcp:<tool>`; its request id is the /mcp request's,
 * which the tool's GraphQL request carries too, so the write rows that request makes (winDeal,
 * createContact …) are found under the same id. Inputs are redacted by the audit log itself.
 * A failure to record is logged, never turned into a failed call: the call has happened.
 */
import type { Logger } from '../observability/logger.ts';
import type { AuditLog } from '../store/index.ts';
import type { ToolOutcome } from './execute.ts';

/** The audit row's operation for a tool (a name a caller chose is cut short). */
export function auditOperation(tool: string): string {
  return `mcp:${tool.slice(0, 96)}`;
}

export interface ToolCallRecord {
  tool: string;
  principal: string;
  requestId: string;
  arguments: unknown;
  idempotencyKey?: string;
  startedAt: Date;
  outcome: Pick<ToolOutcome, 'outcome' | 'errorCode'>;
}

export async function auditToolCall(audit: AuditLog, logger: Logger, call: ToolCallRecord): Promise<void> {
  await audit
    .append({
      startedAt: call.startedAt,
      finishedAt: new Date(),
      principal: call.principal,
      operation: auditOperation(call.tool),
      idempotencyKey: call.idempotencyKey ?? null,
      requestId: call.requestId,
      inputs: call.arguments ?? {},
      upstream: [],
      outcome: call.outcome.outcome,
      errorCode: call.outcome.errorCode,
    })
    .catch((error: unknown) => {
      logger.error({ err: error, tool: call.tool, requestId: call.requestId }, 'could not record the audit row of an MCP tool call');
    });
}

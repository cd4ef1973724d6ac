/**
 * What `nudge` and `status` need beyond executions.ts: signal one execution with per-execution
 * errors (a closed one is an answer, not a failure), and describe a run, or a workflow ID's latest
 * run, with its run ID, chain and close status (raw RPCs, strongly consistent).
 */
import { randomUUID } from 'node:crypto';
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import type { RunState, RunStatus } from '../core/nudge.js';
import { grpcCode, grpcDetails, translateGrpcError } from './grpc-errors.js';
import { versioningFromProto } from './executions.js';
import type { TemporalHandle } from './connection.js';

import { SAFE_DEPLOY_IDENTITY } from '../core/plan.js';

export { SAFE_DEPLOY_IDENTITY };

const Status = proto.temporal.api.enums.v1.WorkflowExecutionStatus;

/** gRPC codes that concern one execution; anything else (unreachable, credentials) ends the run. */
const NOT_FOUND = 5;
const PER_EXECUTION_CODES = new Set([3 /* INVALID_ARGUMENT */, 8 /* RESOURCE_EXHAUSTED */, 9 /* FAILED_PRECONDITION */]);


export function runStatusFromProto(s: temporal.api.enums.v1.WorkflowExecutionStatus | null | undefined): RunStatus {
  switch (s ?? Status.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED) {
    case Status.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED:
      return 'UNKNOWN';
    case Status.WORKFLOW_EXECUTION_STATUS_RUNNING:
      return 'RUNNING';
    case Status.WORKFLOW_EXECUTION_STATUS_COMPLETED:
      return 'COMPLETED';
    case Status.WORKFLOW_EXECUTION_STATUS_FAILED:
      return 'FAILED';
    case Status.WORKFLOW_EXECUTION_STATUS_CANCELED:
      return 'CANCELED';
    case Status.WORKFLOW_EXECUTION_STATUS_TERMINATED:
      return 'TERMINATED';
    case Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
      return 'CONTINUED_AS_NEW';
    case Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
      return 'TIMED_OUT';
  }
  return 'UNKNOWN';
}

/**
 * Describes one run, or the workflow ID's latest run when `runId` is omitted. Undefined when the
 * server does not know it (deleted, or past retention).
 */
export async function describeRun(t: TemporalHandle, workflowId: string, runId?: string): Promise<RunState | undefined> {
  let res: temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse;
  try {
    res = await t.connection.workflowService.describeWorkflowExecution({ namespace: t.namespace, execution: { workflowId, runId: runId ?? '' } });
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND && !/namespace/i.test(grpcDetails(err))) return undefined;
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `describe ${workflowId}` });
  }
  const info = res.workflowExecutionInfo;
  return {
    runId: info?.execution?.runId || runId || '',
    ...(info?.firstRunId && { firstRunId: info.firstRunId }),
    workflowType: info?.type?.name ?? 'unknown',
    status: runStatusFromProto(info?.status),
    ...versioningFromProto(info?.versioningInfo),
  };
}

export type SignalOutcome = { ok: true } | { ok: false; closed: boolean; message: string };

/**
 * Signals one run (or the latest run of the ID when `runId` is omitted). A closed or missing
 * execution, and a refusal that concerns only this execution, come back as a result; an
 * unreachable server or refused credentials throw (typed), since every other signal would fail too.
 */
export async function signalExecution(
  t: TemporalHandle,
  ref: { workflowId: string; runId?: string },
  signalName: string,
  identity: string = SAFE_DEPLOY_IDENTITY,
): Promise<SignalOutcome> {
  try {
    await t.connection.workflowService.signalWorkflowExecution({
      namespace: t.namespace,
      workflowExecution: { workflowId: ref.workflowId, runId: ref.runId ?? '' },
      signalName,
      identity,
      requestId: randomUUID(),
    });
    return { ok: true };
  } catch (err) {
    const code = grpcCode(err);
    const message = grpcDetails(err);
    if (code === NOT_FOUND && !/namespace/i.test(message)) return { ok: false, closed: true, message };
    if (code !== undefined && PER_EXECUTION_CODES.has(code)) return { ok: false, closed: false, message };
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `signal ${ref.workflowId}` });
  }
}

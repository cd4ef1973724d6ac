/**
 * What watch reads about one execution: its versioning state, whether its workflow task is being
 * retried (DescribeWorkflowExecution's pending task, strongly consistent), the server's
 * TemporalReportedProblems search attribute, and the workflow task outcomes in its history.
 */
import { randomUUID } from 'node:crypto';
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { formatVersion } from '../core/history-facts.js';
import type { TaskOutcome, WatchedExecution } from '../core/watch.js';
import type { VersioningOverride } from '../core/versioning.js';
import { overrideToProto, versioningFromProto } from './executions.js';
import { grpcCode, translateGrpcError } from './grpc-errors.js';
import type { TemporalHandle } from './connection.js';

const Status = proto.temporal.api.enums.v1.WorkflowExecutionStatus;
const Cause = proto.temporal.api.enums.v1.WorkflowTaskFailedCause;
type Int64 = NonNullable<temporal.api.workflowservice.v1.IResetWorkflowExecutionRequest['workflowTaskFinishEventId']>;
export const REPORTED_PROBLEMS = 'TemporalReportedProblems';

function keywordList(p: temporal.api.common.v1.IPayload | null | undefined): string[] {
  if (!p?.data) return [];
  try {
    const v = JSON.parse(Buffer.from(p.data).toString('utf8')) as unknown;
    return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
  } catch {
    return [];
  }
}

/** Undefined when it is not running any more (or gone). */
export async function describeWatched(t: TemporalHandle, ref: { workflowId: string; runId: string }): Promise<WatchedExecution | undefined> {
  let res: temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse;
  try {
    res = await t.connection.workflowService.describeWorkflowExecution({ namespace: t.namespace, execution: ref });
  } catch (err) {
    if (grpcCode(err) === 5) return undefined;
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `describe ${ref.workflowId}` });
  }
  const info = res.workflowExecutionInfo;
  if (info?.status !== Status.WORKFLOW_EXECUTION_STATUS_RUNNING) return undefined;
  return {
    workflowId: ref.workflowId,
    runId: ref.runId,
    workflowType: info?.type?.name ?? 'unknown',
    ...versioningFromProto(info?.versioningInfo),
    taskAttempt: res.pendingWorkflowTask?.attempt ?? 0,
    reportedProblems: keywordList(info?.searchAttributes?.indexedFields?.[REPORTED_PROBLEMS]),
  };
}

/** An event's time as an ISO string. */
export function eventTimeIso(e: temporal.api.history.v1.IHistoryEvent): string | undefined {
  const s = e.eventTime?.seconds;
  return s === undefined || s === null ? undefined : new Date(Number(s) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6)).toISOString();
}

/** Every workflow task outcome in the history, oldest first. */
export function taskOutcomes(events: readonly temporal.api.history.v1.IHistoryEvent[]): TaskOutcome[] {
  const out: TaskOutcome[] = [];
  for (const e of events) {
    const eventId = Number(e.eventId ?? 0);
    const time = eventTimeIso(e);
    if (e.workflowTaskCompletedEventAttributes) {
      const a = e.workflowTaskCompletedEventAttributes;
      const version = formatVersion(a.deploymentVersion) ?? (a.workerDeploymentVersion || undefined);
      out.push({ eventId, kind: 'completed', ...(version && { version }), ...(time && { time }) });
    } else if (e.workflowTaskFailedEventAttributes) {
      const a = e.workflowTaskFailedEventAttributes;
      const cause = a.cause ? Cause[a.cause] : undefined;
      out.push({ eventId, kind: 'failed', ...(cause && { cause }), ...(a.failure?.message && { message: a.failure.message }), ...(time && { time }) });
    } else if (e.workflowTaskTimedOutEventAttributes) {
      out.push({ eventId, kind: 'timed-out', ...(time && { time }) });
    }
  }
  return out;
}

export async function fetchEvents(t: TemporalHandle, ref: { workflowId: string; runId: string }): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  try {
    do {
      const res = await t.connection.workflowService.getWorkflowExecutionHistory({ namespace: t.namespace, execution: ref, nextPageToken, maximumPageSize: 1000 });
      events.push(...(res.history?.events ?? []));
      nextPageToken = res.nextPageToken?.length ? res.nextPageToken : undefined;
    } while (nextPageToken);
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `fetch the history of ${ref.workflowId}` });
  }
  return events;
}

/** Resets the run to just after `eventId` (a WorkflowTaskCompleted), the new run carrying `override`. Returns the new run ID. */
export async function resetExecution(
  t: TemporalHandle,
  ref: { workflowId: string; runId: string },
  eventId: number,
  options: { reason: string; identity: string; override?: VersioningOverride },
): Promise<string> {
  try {
    const res: temporal.api.workflowservice.v1.IResetWorkflowExecutionResponse = await t.connection.workflowService.resetWorkflowExecution({
      namespace: t.namespace,
      workflowExecution: ref,
      reason: options.reason,
      // protobufjs encodes a plain number for an int64 field; the type only names Long.
      workflowTaskFinishEventId: eventId as unknown as Int64,
      requestId: randomUUID(),
      identity: options.identity,
      ...(options.override && {
        postResetOperations: [
          { updateWorkflowOptions: { workflowExecutionOptions: { versioningOverride: overrideToProto(options.override) }, updateMask: { paths: ['versioning_override'] } } },
        ],
      }),
    });
    return res.runId ?? '';
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `reset ${ref.workflowId} to event ${eventId}` });
  }
}

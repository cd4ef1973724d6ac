/**
 * Per-execution versioning state and overrides: DescribeWorkflowExecution (strongly consistent),
 * UpdateWorkflowExecutionOptions for one execution, batch operations for many.
 */
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { formatVersion } from '../core/history-facts.js';
import { parseVersion, type ExecutionVersioning, type VersioningBehavior, type VersioningOverride } from '../core/versioning.js';
import { BatchLimitError } from '../errors.js';
import { grpcCode, grpcDetails, translateGrpcError } from './grpc-errors.js';
import type { TemporalHandle } from './connection.js';
import { sleep } from '../util/rate.js';

const NOT_FOUND = 5;
const RESOURCE_EXHAUSTED = 8;

const Behavior = proto.temporal.api.enums.v1.VersioningBehavior;
const PinnedBehavior = proto.temporal.api.workflow.v1.VersioningOverride.PinnedOverrideBehavior;
const BatchState = proto.temporal.api.enums.v1.BatchOperationState;

export interface ExecutionRef {
  workflowId: string;
  runId: string;
}

export interface ExecutionNow extends ExecutionVersioning {
  workflowType: string;
  running: boolean;
  /** The number of events now; compared with a receipt's last event ID. */
  historyLength: number;
  taskQueue?: string;
  /** Set while the execution is moving to another version (its next task has not completed there yet). */
  transitioningTo?: string;
}

export function behaviorFromProto(b: temporal.api.enums.v1.VersioningBehavior | null | undefined): VersioningBehavior {
  switch (b ?? Behavior.VERSIONING_BEHAVIOR_UNSPECIFIED) {
    case Behavior.VERSIONING_BEHAVIOR_UNSPECIFIED:
      return 'UNVERSIONED';
    case Behavior.VERSIONING_BEHAVIOR_PINNED:
      return 'PINNED';
    case Behavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE:
      return 'AUTO_UPGRADE';
  }
  return 'UNVERSIONED';
}

export function overrideFromProto(o: temporal.api.workflow.v1.IVersioningOverride | null | undefined): VersioningOverride | undefined {
  if (!o) return undefined;
  if (o.autoUpgrade) return { kind: 'auto_upgrade' };
  const pinnedVersion = formatVersion(o.pinned?.version);
  if (pinnedVersion) return { kind: 'pinned', version: pinnedVersion };
  // Servers before the `pinned` field used `behavior` + `pinnedVersion`.
  if (o.behavior === Behavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE) return { kind: 'auto_upgrade' };
  if (o.behavior === Behavior.VERSIONING_BEHAVIOR_PINNED && o.pinnedVersion) return { kind: 'pinned', version: o.pinnedVersion };
  return undefined;
}

/** `undefined` clears the override. */
export function overrideToProto(o: VersioningOverride | undefined): temporal.api.workflow.v1.IVersioningOverride | undefined {
  if (!o) return undefined;
  switch (o.kind) {
    case 'auto_upgrade':
      return { autoUpgrade: true };
    case 'pinned':
      return { pinned: { behavior: PinnedBehavior.PINNED_OVERRIDE_BEHAVIOR_PINNED, version: parseVersion(o.version) } };
  }
}

/** An execution's versioning state as DescribeWorkflowExecution reports it; absent fields are left out. */
export function versioningFromProto(
  vi: temporal.api.workflow.v1.IWorkflowExecutionVersioningInfo | null | undefined,
): ExecutionVersioning & { transitioningTo?: string } {
  const version = formatVersion(vi?.deploymentVersion) ?? (vi?.version || undefined);
  const override = overrideFromProto(vi?.versioningOverride);
  const transitioningTo = formatVersion(vi?.versionTransition?.deploymentVersion) ?? (vi?.versionTransition?.version || undefined);
  return {
    behavior: behaviorFromProto(vi?.behavior),
    ...(version && { version }),
    ...(override && { override }),
    ...(transitioningTo && { transitioningTo }),
  };
}

export async function describeExecution(t: TemporalHandle, ref: ExecutionRef): Promise<ExecutionNow> {
  let res: temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse;
  try {
    res = await t.connection.workflowService.describeWorkflowExecution({ namespace: t.namespace, execution: ref });
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `describe ${ref.workflowId}` });
  }
  const info = res.workflowExecutionInfo;
  return {
    workflowType: info?.type?.name ?? 'unknown',
    running: info?.status === proto.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    historyLength: Number(info?.historyLength ?? 0),
    taskQueue: info?.taskQueue ?? undefined,
    ...versioningFromProto(info?.versioningInfo),
  };
}

/** The same, or `undefined` when the execution no longer exists (deleted, or past retention). */
export async function describeExecutionIfExists(t: TemporalHandle, ref: ExecutionRef): Promise<ExecutionNow | undefined> {
  try {
    return await describeExecution(t, ref);
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND && !/namespace/i.test(String((err as Error).message))) return undefined;
    throw err;
  }
}

export async function setOverride(t: TemporalHandle, ref: ExecutionRef, override: VersioningOverride | undefined, identity: string): Promise<void> {
  try {
    await t.connection.workflowService.updateWorkflowExecutionOptions({
      namespace: t.namespace,
      identity,
      workflowExecution: ref,
      workflowExecutionOptions: { versioningOverride: overrideToProto(override) },
      updateMask: { paths: ['versioning_override'] },
    });
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `set the versioning override of ${ref.workflowId}` });
  }
}

export interface BatchProgress {
  jobId: string;
  state: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'UNSPECIFIED';
  total: number;
  complete: number;
  failure: number;
  reason?: string;
}

export interface BatchOverrideRequest {
  jobId: string;
  reason: string;
  identity: string;
  executions: ExecutionRef[];
  /** `undefined` clears overrides. */
  override: VersioningOverride | undefined;
  maxOperationsPerSecond?: number;
}

type BatchOperation = Pick<temporal.api.workflowservice.v1.IStartBatchOperationRequest, 'updateWorkflowOptionsOperation'>;

/** A batch over an explicit list of executions (never a query: what we replayed is what we change). */
async function startBatch(
  t: TemporalHandle,
  req: { jobId: string; reason: string; executions: ExecutionRef[]; maxOperationsPerSecond?: number },
  operation: BatchOperation,
): Promise<void> {
  try {
    await t.connection.workflowService.startBatchOperation({
      namespace: t.namespace,
      jobId: req.jobId,
      reason: req.reason,
      executions: req.executions.map(({ workflowId, runId }) => ({ workflowId, runId })),
      maxOperationsPerSecond: req.maxOperationsPerSecond,
      ...operation,
    });
  } catch (err) {
    if (grpcCode(err) === RESOURCE_EXHAUSTED) {
      throw new BatchLimitError(`Temporal at ${t.address} refused batch ${req.jobId}: ${grpcDetails(err)}`, 'wait for the running batch operation to finish (`temporal batch list`), or send one by one (--direct-max)', { cause: err });
    }
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `start batch ${req.jobId}` });
  }
}

export async function startBatchOverride(t: TemporalHandle, req: BatchOverrideRequest): Promise<void> {
  await startBatch(t, req, {
    updateWorkflowOptionsOperation: {
      identity: req.identity,
      workflowExecutionOptions: { versioningOverride: overrideToProto(req.override) },
      updateMask: { paths: ['versioning_override'] },
    },
  });
}

/** Stops a batch job (the executions it already changed stay changed). */
export async function stopBatch(t: TemporalHandle, jobId: string, reason: string, identity: string): Promise<void> {
  try {
    await t.connection.workflowService.stopBatchOperation({ namespace: t.namespace, jobId, reason, identity });
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `stop batch ${jobId}` });
  }
}

export async function describeBatch(t: TemporalHandle, jobId: string): Promise<BatchProgress> {
  let res: temporal.api.workflowservice.v1.IDescribeBatchOperationResponse;
  try {
    res = await t.connection.workflowService.describeBatchOperation({ namespace: t.namespace, jobId });
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `describe batch ${jobId}` });
  }
  const state = ((): BatchProgress['state'] => {
    switch (res.state ?? BatchState.BATCH_OPERATION_STATE_UNSPECIFIED) {
      case BatchState.BATCH_OPERATION_STATE_UNSPECIFIED:
        return 'UNSPECIFIED';
      case BatchState.BATCH_OPERATION_STATE_RUNNING:
        return 'RUNNING';
      case BatchState.BATCH_OPERATION_STATE_COMPLETED:
        return 'COMPLETED';
      case BatchState.BATCH_OPERATION_STATE_FAILED:
        return 'FAILED';
    }
    return 'UNSPECIFIED';
  })();
  return {
    jobId,
    state,
    total: Number(res.totalOperationCount ?? 0),
    complete: Number(res.completeOperationCount ?? 0),
    failure: Number(res.failureOperationCount ?? 0),
    reason: res.reason ?? undefined,
  };
}

/** A batch job's state, or `undefined` if the server has no such job (it was never started). */
export async function describeBatchIfExists(t: TemporalHandle, jobId: string): Promise<BatchProgress | undefined> {
  try {
    return await describeBatch(t, jobId);
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND) return undefined;
    throw err;
  }
}

/**
 * Polls a batch until it leaves RUNNING, the timeout passes, or `signal` aborts (then it returns
 * the last state seen); `onProgress` sees every poll. Only "not found yet" is waited out (the job's
 * record appears moments after StartBatchOperation); any other failure is thrown at once: each RPC
 * has its own deadline, so a lost server ends the wait within that bound.
 */
export async function waitForBatch(
  t: TemporalHandle,
  jobId: string,
  options: {
    timeoutMs: number;
    intervalMs?: number;
    onProgress?: (p: BatchProgress) => void;
    signal?: AbortSignal;
    /** Also return (still RUNNING) once its counts have not moved for this long. */
    stallMs?: number;
  },
): Promise<BatchProgress> {
  const deadline = Date.now() + options.timeoutMs;
  let last: BatchProgress = { jobId, state: 'UNSPECIFIED', total: 0, complete: 0, failure: 0 };
  let movedAt = Date.now();
  for (;;) {
    let progress: BatchProgress | undefined;
    try {
      progress = await describeBatch(t, jobId);
    } catch (err) {
      if (grpcCode(err) !== NOT_FOUND || Date.now() >= deadline) throw err;
    }
    if (progress) {
      if (progress.complete + progress.failure !== last.complete + last.failure) movedAt = Date.now();
      last = progress;
      options.onProgress?.(progress);
      const settled = progress.state === 'COMPLETED' || progress.state === 'FAILED';
      if (settled || Date.now() >= deadline) return progress;
      if (options.stallMs !== undefined && Date.now() - movedAt >= options.stallMs) return progress;
    }
    if (options.signal?.aborted) return last;
    await sleep(options.intervalMs ?? 500, options.signal);
  }
}

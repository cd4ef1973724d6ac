/**
 * What a history says about its execution: type, run, last event, the version its workflow tasks
 * ran on. Pure: works on the structural shape of a History proto, so core never imports the SDK.
 */

interface LongLike {
  toString(): string;
}
interface DeploymentVersionLike {
  deploymentName?: string | null;
  buildId?: string | null;
}
export interface HistoryEventLike {
  eventId?: LongLike | number | string | null;
  workflowExecutionStartedEventAttributes?: {
    workflowType?: { name?: string | null } | null;
    originalExecutionRunId?: string | null;
    firstExecutionRunId?: string | null;
    workflowId?: string | null;
    taskQueue?: { name?: string | null } | null;
  } | null;
  workflowExecutionOptionsUpdatedEventAttributes?: {
    versioningOverride?: unknown;
    unsetVersioningOverride?: boolean | null;
    identity?: string | null;
  } | null;
  workflowTaskCompletedEventAttributes?: {
    deploymentVersion?: DeploymentVersionLike | null;
    workerDeploymentName?: string | null;
    workerDeploymentVersion?: string | null;
    sdkMetadata?: { sdkName?: string | null } | null;
  } | null;
}
export interface HistoryLike {
  events?: HistoryEventLike[] | null;
}

export interface HistoryFacts {
  workflowType: string;
  /** From the started event when the server recorded it (recent servers do); else undefined. */
  workflowId?: string;
  runId: string;
  taskQueue?: string;
  lastEventId: string;
  eventCount: number;
  /** `deployment:buildId` of the last workflow task completed on a versioned worker. */
  version?: string;
  /** Identity of whoever last set the versioning override (undefined if never set, or since cleared). */
  overrideSetBy?: string;
  /** The SDK whose worker completed the first workflow task (`temporal-python`, `temporal-typescript`). */
  sdkName?: string;
}

/** The canonical `deployment:buildId` string (':' since server 1.28). */
export function formatVersion(v: DeploymentVersionLike | null | undefined): string | undefined {
  if (!v?.buildId) return undefined;
  return v.deploymentName ? `${v.deploymentName}:${v.buildId}` : v.buildId;
}

export function historyFacts(history: HistoryLike): HistoryFacts {
  const events = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error('history does not start with WorkflowExecutionStarted');
  let version: string | undefined;
  for (let i = events.length - 1; i >= 0 && version === undefined; i--) {
    const completed = events[i]?.workflowTaskCompletedEventAttributes;
    if (!completed) continue;
    version =
      formatVersion(completed.deploymentVersion) ??
      (completed.workerDeploymentVersion ? completed.workerDeploymentVersion : undefined);
  }
  let sdkName: string | undefined;
  for (const e of events) {
    sdkName = e.workflowTaskCompletedEventAttributes?.sdkMetadata?.sdkName || undefined;
    if (sdkName) break;
  }
  let overrideSetBy: string | undefined;
  for (const e of events) {
    const options = e.workflowExecutionOptionsUpdatedEventAttributes;
    if (!options) continue;
    if (options.unsetVersioningOverride) overrideSetBy = undefined;
    else if (options.versioningOverride) overrideSetBy = options.identity ?? '';
  }
  const last = events[events.length - 1];
  return {
    workflowType: started.workflowType?.name ?? 'unknown',
    workflowId: started.workflowId || undefined,
    runId: started.originalExecutionRunId || started.firstExecutionRunId || 'unknown',
    taskQueue: started.taskQueue?.name ?? undefined,
    lastEventId: String(last?.eventId ?? events.length),
    eventCount: events.length,
    version,
    ...(overrideSetBy !== undefined && { overrideSetBy }),
    ...(sdkName !== undefined && { sdkName }),
  };
}

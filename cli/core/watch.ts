/**
 * After the rollout: what to do about an execution whose workflow tasks fail on the candidate.
 * Pure. A replay proves the candidate reproduces the history so far, not what it does next (a
 * timer pending when it was replayed fires later), so the net decides from the history as it is
 * now:
 *
 *   no workflow task completed by the candidate   pin back to the version that wrote the history:
 *                                                 its workers are still draining and replay it
 *                                                 (while it is moving to the candidate, server
 *                                                 1.31 ignores a new override: see pinBackMethod)
 *   the candidate completed a task                cannot go back: report the reset point (the last
 *                                                 task completed before the candidate took over)
 */
import { parseVersion, type VersioningBehavior, type VersioningOverride } from './versioning.js';

export const WATCH_SCHEMA_VERSION = 1;

/** One workflow task outcome in a history, oldest first. */
export interface TaskOutcome {
  eventId: number;
  kind: 'completed' | 'failed' | 'timed-out';
  /** `deployment:buildId` of the worker that completed it (completed tasks only). */
  version?: string;
  /** WorkflowTaskFailedCause name, e.g. WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR. */
  cause?: string;
  message?: string;
  time?: string;
}

export type FailureKind = 'nde' | 'other';

/**
 * The TypeScript SDK reports a command mismatch as [TMPRL1100] and a state-machine conflict (a
 * TimerFired for a timer the code asked to cancel) as "Fatal error in workflow machines", both
 * with the generic WORKER_UNHANDLED_FAILURE cause: the message is what tells them apart.
 */
export function classifyFailure(cause: string | undefined, message: string | undefined): FailureKind {
  if (cause === 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR') return 'nde';
  if (/TMPRL1100|nondetermin|non-determin|Fatal error in workflow machines/i.test(message ?? '')) return 'nde';
  return 'other';
}

/** An execution as DescribeWorkflowExecution shows it during the watch. */
export interface WatchedExecution {
  workflowId: string;
  runId: string;
  workflowType: string;
  behavior: VersioningBehavior;
  version?: string;
  transitioningTo?: string;
  override?: VersioningOverride;
  /** The pending workflow task's attempt: above 1 means the previous attempt failed. */
  taskAttempt: number;
  /** The server's TemporalReportedProblems values, where it set them. */
  reportedProblems: string[];
}

/** On the candidate now, or moving to it (its first task there has not completed). */
export function onCandidate(e: Pick<WatchedExecution, 'version' | 'transitioningTo'>, candidateVersion: string): boolean {
  return e.version === candidateVersion || e.transitioningTo === candidateVersion;
}

/** Its workflow tasks are failing: the pending task is a retry, or the server flagged it. */
export function tasksFailing(e: Pick<WatchedExecution, 'taskAttempt' | 'reportedProblems'>): boolean {
  return e.taskAttempt > 1 || e.reportedProblems.some((p) => p.startsWith('category=WorkflowTask'));
}

export interface Failure {
  kind: FailureKind;
  cause?: string;
  message: string;
  /** The WorkflowTaskFailed / TimedOut event, when the history has one. */
  eventId?: number;
  attempt: number;
}

export type WatchDecision =
  /** `lastTaskEventId`: its last completed task, all of whose work the old build did. */
  | { action: 'pin-back'; to: string; lastTaskEventId: number; failure: Failure; reason: string }
  | { action: 'reset-report'; resetEventId?: number; from?: string; failure: Failure; reason: string };

export function lastFailure(tasks: readonly TaskOutcome[], attempt: number): Failure {
  const last = [...tasks].reverse().find((t) => t.kind !== 'completed');
  if (!last) return { kind: 'other', message: 'workflow task retried with no failure recorded in the history', attempt };
  const message = last.kind === 'timed-out' ? 'workflow task timed out' : (last.message ?? 'workflow task failed');
  return { kind: classifyFailure(last.cause, last.message), ...(last.cause && { cause: last.cause }), message, eventId: last.eventId, attempt };
}

/**
 * The reset point: the last task completed on another version before the candidate's first
 * completed task; undefined when the candidate wrote the history from the start.
 */
export function resetPoint(tasks: readonly TaskOutcome[], candidateVersion: string): TaskOutcome | undefined {
  const firstOnCandidate = tasks.findIndex((t) => t.kind === 'completed' && t.version === candidateVersion);
  const before = firstOnCandidate < 0 ? tasks : tasks.slice(0, firstOnCandidate);
  return [...before].reverse().find((t) => t.kind === 'completed' && t.version !== undefined && t.version !== candidateVersion);
}

export function decideWatch(input: { execution: WatchedExecution; tasks: readonly TaskOutcome[]; candidateVersion: string }): WatchDecision {
  const { execution, tasks, candidateVersion } = input;
  const failure = lastFailure(tasks, execution.taskAttempt);
  const ranCandidate = tasks.some((t) => t.kind === 'completed' && t.version === candidateVersion);
  const point = resetPoint(tasks, candidateVersion);
  if (!ranCandidate && point?.version) {
    return {
      action: 'pin-back',
      to: point.version,
      lastTaskEventId: point.eventId,
      failure,
      reason: `no workflow task completed on ${candidateVersion}: pinned back to ${point.version}, which wrote its history`,
    };
  }
  if (!point) {
    return { action: 'reset-report', failure, reason: `its whole history ran on ${candidateVersion}: there is no earlier version to go back to` };
  }
  return {
    action: 'reset-report',
    resetEventId: point.eventId,
    ...(point.version && { from: point.version }),
    failure,
    reason: `${candidateVersion} already completed a workflow task: it cannot go back without a reset to event ${point.eventId} (the last task ${point.version} completed)`,
  };
}

/**
 * How a pin-back is done. While an execution is moving to the candidate (its pending task went
 * there, nothing completed yet), servers 1.31.2 and 1.32.2 treat it as AUTO_UPGRADE on the candidate
 * whatever its override says (GetEffectiveVersioningBehavior / GetEffectiveDeployment read the
 * transition first), so UpdateWorkflowExecutionOptions neither cancels the transition nor moves
 * the task: seen on the dev server, the pinned override is recorded and every retry still goes to
 * the candidate. So such an execution is reset to its last completed task, all of it the old
 * build's work, with the pinned override applied atomically to the new run (what
 * `temporal workflow reset with-workflow-update-options` does); signals after that point are
 * reapplied. One not (or no longer) moving gets the override alone.
 */
export function pinBackMethod(e: Pick<WatchedExecution, 'transitioningTo'>, candidateVersion: string): 'override' | 'reset-to-last-task' {
  return e.transitioningTo === candidateVersion ? 'reset-to-last-task' : 'override';
}

export interface ResetCommandContext {
  address: string;
  namespace: string;
}

/** The `temporal workflow reset` that takes it back to the reset point, pinned to the version that wrote it. */
export function resetCommand(e: { workflowId: string; runId: string }, decision: { resetEventId?: number; from?: string }, candidateVersion: string, ctx: ResetCommandContext): string | undefined {
  if (decision.resetEventId === undefined) return undefined;
  const q = (s: string) => (/^[A-Za-z0-9_.:/@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const parts = [
    'temporal workflow reset',
    `--workflow-id ${q(e.workflowId)}`,
    `--run-id ${q(e.runId)}`,
    `--event-id ${decision.resetEventId}`,
    `--reason ${q(`safe-deploy watch: tasks fail on ${candidateVersion}`)}`,
    `--address ${q(ctx.address)}`,
    `--namespace ${q(ctx.namespace)}`,
  ];
  if (decision.from) {
    const { deploymentName, buildId } = parseVersion(decision.from);
    // Without a pinned override the new run would go straight back to the candidate (current).
    parts.push('with-workflow-update-options', '--versioning-override-behavior pinned', `--versioning-override-deployment-name ${q(deploymentName)}`, `--versioning-override-build-id ${q(buildId)}`);
  }
  return parts.join(' ');
}

/** What a pinned override on a long-running type means later, said in the report. */
export function longRunningNote(version: string): string {
  return `a pinned override follows it across continue-as-new: every later run stays on ${version}, and needs its workers, until the override is removed. Remove it (\`temporal workflow update-options --versioning-override-behavior unspecified\`) once a candidate that replays it is current: the next deploy's plan then upgrades or nudges it. \`safe-deploy overrides clear --not-needed\` removes it by itself once ${version} is current again (after a rollback)`;
}

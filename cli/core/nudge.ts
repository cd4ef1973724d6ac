/**
 * `safe-deploy nudge` as data: which running executions are stuck pinned to an old version, and,
 * after they were signalled, whether each moved (continued-as-new onto the current version), is
 * still pinned (a straggler) or closed. Pure: the pipeline feeds it what the server reported.
 */
import { effectiveBehavior, type ExecutionVersioning } from './versioning.js';

export const NUDGE_SCHEMA_VERSION = 1;

/** `would_signal` only in a dry run. */
export type NudgeOutcome = 'moved' | 'straggler' | 'closed' | 'would_signal';

export type RunStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TERMINATED' | 'CONTINUED_AS_NEW' | 'TIMED_OUT' | 'UNKNOWN';

/** What DescribeWorkflowExecution says about one run. */
export interface RunState extends ExecutionVersioning {
  runId: string;
  /** The first run of its continue-as-new chain: tells a new run of ours from an unrelated reuse of the ID. */
  firstRunId?: string;
  workflowType: string;
  status: RunStatus;
  transitioningTo?: string;
}

export interface Routing {
  currentVersion: string;
  rampingVersion?: string;
}

/** The version a pinned execution is held on: its pinned override's, else the one it runs on. */
export function pinnedVersionOf(e: ExecutionVersioning): string | undefined {
  return e.override?.kind === 'pinned' ? e.override.version : e.version;
}

/**
 * Running, effectively PINNED (declared without an override, or a pinned override), on a version
 * that is neither current nor ramping: the executions a rollout leaves behind. Unversioned ones
 * have no version to leave.
 */
export function isNudgeCandidate(run: Pick<RunState, 'status' | 'behavior' | 'override' | 'version'>, routing: Routing): boolean {
  if (run.status !== 'RUNNING' || effectiveBehavior(run) !== 'PINNED') return false;
  const pinned = pinnedVersionOf(run);
  return pinned !== undefined && pinned !== routing.currentVersion && pinned !== routing.rampingVersion;
}

/** Where a nudged execution is now, from its workflow ID's latest run. */
export type Observation =
  /** On a version new work goes to: in a new run (continued-as-new), or in place (`newRunId` unset). */
  | { kind: 'moved'; newRunId?: string; newVersion: string }
  /** Ended without reaching a new version. */
  | { kind: 'closed'; status: RunStatus }
  /** Still running off the new version; `runId` is the run to signal again. */
  | { kind: 'waiting'; runId: string };

/** True when `latest` belongs to the same continue-as-new chain as `original` (as far as we can tell). */
export function sameChain(original: Pick<RunState, 'runId' | 'firstRunId'>, latest: Pick<RunState, 'runId' | 'firstRunId'>): boolean {
  if (latest.runId === original.runId) return true;
  if (!original.firstRunId || !latest.firstRunId) return true;
  return original.firstRunId === latest.firstRunId;
}

function targetReached(run: Pick<RunState, 'version' | 'transitioningTo'>, routing: Routing): string | undefined {
  const targets = [routing.currentVersion, routing.rampingVersion].filter((v): v is string => Boolean(v));
  if (run.version && targets.includes(run.version)) return run.version;
  if (run.transitioningTo && targets.includes(run.transitioningTo)) return run.transitioningTo;
  return undefined;
}

/**
 * Classifies a nudged execution from its workflow ID's latest run. `latest` undefined: the ID is
 * gone (deleted, or past retention). A latest run from another chain (the ID was reused after ours
 * closed) must not be passed here: describe the original run instead.
 */
export function observe(originalRunId: string, latest: RunState | undefined, routing: Routing): Observation {
  if (!latest) return { kind: 'closed', status: 'UNKNOWN' };
  const reached = targetReached(latest, routing);
  if (latest.runId !== originalRunId) {
    if (reached) return { kind: 'moved', newRunId: latest.runId, newVersion: reached };
    // A new run still pinned (it continued-as-new for another reason): keep waking it.
    if (latest.status === 'RUNNING') return { kind: 'waiting', runId: latest.runId };
    return { kind: 'closed', status: latest.status };
  }
  if (latest.status === 'RUNNING') {
    // Same run on the new version: someone changed its override, and it moved in place.
    if (reached) return { kind: 'moved', newVersion: reached };
    return { kind: 'waiting', runId: latest.runId };
  }
  return { kind: 'closed', status: latest.status };
}

export interface NudgeResult {
  workflowId: string;
  runId: string;
  workflowType: string;
  fromVersion: string;
  outcome: NudgeOutcome;
  newRunId?: string;
  newVersion?: string;
  /** For `closed`: how the chain ended (COMPLETED, TERMINATED, ...). */
  closeStatus?: RunStatus;
  /** How many times it was signalled (first signal plus re-signals). */
  signalsSent?: number;
  /** The last signal error, when signalling failed. */
  error?: string;
}

/**
 * How long after its latest signal an execution that has not moved is signalled again: soon at
 * first (a signal that arrived before the server marked the version change is simply missed), then
 * backing off, so an execution that ignores the signal does not fill its history with them.
 */
export function resignalDelayMs(signalsSent: number, options: { firstMs?: number; maxMs?: number } = {}): number {
  const first = options.firstMs ?? 2000;
  const max = options.maxMs ?? 30_000;
  return Math.min(max, first * 2 ** Math.max(0, signalsSent - 1));
}

/** The final outcome once confirmation ended: whatever is still waiting is a straggler. */
export function finalOutcome(o: Observation): Pick<NudgeResult, 'outcome' | 'newRunId' | 'newVersion' | 'closeStatus'> {
  switch (o.kind) {
    case 'moved':
      return { outcome: 'moved', ...(o.newRunId && { newRunId: o.newRunId }), newVersion: o.newVersion };
    case 'closed':
      return { outcome: 'closed', closeStatus: o.status };
    case 'waiting':
      return { outcome: 'straggler' };
  }
}

export interface NudgeSummary {
  moved: number;
  stragglers: number;
  closed: number;
  /** Executions signalled at least once (0 in a dry run). */
  nudged: number;
}

/** Counts one more result into `summary`: a summary is kept as results come, not from a list. */
export function addToSummary(summary: NudgeSummary, r: Pick<NudgeResult, 'outcome' | 'signalsSent'>): void {
  if ((r.signalsSent ?? 0) > 0) summary.nudged++;
  switch (r.outcome) {
    case 'moved':
      summary.moved++;
      break;
    case 'straggler':
      summary.stragglers++;
      break;
    case 'closed':
      summary.closed++;
      break;
    case 'would_signal':
      break;
  }
}

export function emptyNudgeSummary(): NudgeSummary {
  return { moved: 0, stragglers: 0, closed: 0, nudged: 0 };
}

export function summarizeNudge(results: Iterable<Pick<NudgeResult, 'outcome' | 'signalsSent'>>): NudgeSummary {
  const summary = emptyNudgeSummary();
  for (const r of results) addToSummary(summary, r);
  return summary;
}

/**
 * The report's executions in report order (stragglers first). They can be many: the pipeline keeps
 * them on disk and each iteration reads them again, so a reporter may go through them twice.
 */
export interface NudgeResults extends AsyncIterable<NudgeResult> {
  readonly count: number;
  /** Lets go of what holds them (the pipeline's files); iterating after this is an error. */
  close(): Promise<void>;
}

/** Results already in memory (a test's, a small run's), in report order. */
export function nudgeResultsOf(results: readonly NudgeResult[]): NudgeResults {
  const sorted = sortNudgeResults(results);
  return {
    count: sorted.length,
    async *[Symbol.asyncIterator]() {
      yield* sorted;
    },
    close: async () => undefined,
  };
}

export interface NudgeReport {
  schemaVersion: typeof NUDGE_SCHEMA_VERSION;
  deployment: string;
  currentVersion: string;
  signal: string;
  dryRun: boolean;
  results: NudgeResults;
  summary: NudgeSummary;
  /** Interrupted while confirming: unconfirmed executions are reported as stragglers. */
  interrupted?: boolean;
}

/** The report's order of outcomes: what needs attention first. */
export const NUDGE_OUTCOME_ORDER: readonly NudgeOutcome[] = ['straggler', 'closed', 'moved', 'would_signal'];

/** Within one outcome: by workflow type, then workflow ID. */
export function compareNudgeResults(a: NudgeResult, b: NudgeResult): number {
  return (a.workflowType < b.workflowType ? -1 : a.workflowType > b.workflowType ? 1 : 0) || (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0);
}

/** Stragglers first (what needs attention), then by workflow type and ID. */
export function sortNudgeResults(results: readonly NudgeResult[]): NudgeResult[] {
  const rank = (o: NudgeOutcome) => NUDGE_OUTCOME_ORDER.indexOf(o);
  return [...results].sort((a, b) => rank(a.outcome) - rank(b.outcome) || compareNudgeResults(a, b));
}

/** Gate: with --require-drained, any straggler fails the run. */
export function nudgeGatePassed(report: Pick<NudgeReport, 'summary'>, requireDrained: boolean): boolean {
  return !requireDrained || report.summary.stragglers === 0;
}

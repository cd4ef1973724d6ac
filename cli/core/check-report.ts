/**
 * The result of `safe-deploy check` as data: what was replayed, against which candidate, with
 * which verdicts. Reporters render it; nothing here does I/O.
 */
import { ExitCode } from '../errors.js';
import { isIncompatible, type ReplayOutcome, type Verdict } from './verdict.js';

export const CHECK_SCHEMA_VERSION = 1;

/** `hit`: the bundle came from the bundle cache; `miss`: bundled now (and cached); `off`: no cache. */
export type BundleCacheUse = 'hit' | 'miss' | 'off';

/** The SDK that bundled and replayed the candidate, and where it came from. */
export interface SdkInfo {
  language: 'typescript' | 'python';
  /** The version of the SDK's worker package: @temporalio/worker, or Python's `temporalio`. */
  version: string;
  /** `project`: the user's own, found from the workflows path or the working directory (Python: their interpreter's). */
  origin: 'project' | 'safe-deploy';
  /** The folder of the worker package; for Python, the interpreter. */
  path: string;
  /** Python only: the interpreter's version (`3.11.7`). */
  runtime?: string;
}

export interface CandidateInfo {
  /** The workflows path or bundle file the candidate was made from. */
  source: string;
  bundleHash: string;
  /** The Build ID the candidate will ship as, when given. */
  buildId?: string;
  /** Whether the bundle came from the bundle cache. Optional: a report without it is still schema 1. */
  bundleCache?: BundleCacheUse;
  /** Which SDK replayed. Optional: a report without it is still schema 1. */
  sdk?: SdkInfo;
  /** A mixed deployment's candidates (TypeScript and Python): every SDK that replayed; `sdk` is the first. */
  sdks?: SdkInfo[];
}

export interface CheckResult extends ReplayOutcome {
  workflowId: string;
  runId: string;
  workflowType: string;
  /** `deployment:buildId` the execution runs on, or `unversioned`. */
  version: string;
  /** Last event ID of the replayed history: with runId, what the verdict is a receipt for. */
  lastEventId: string;
  /** A file path, or `server` for live executions. */
  origin: string;
  /** Identity that set the execution's versioning override, as its history records it. */
  overrideSetBy?: string;
}

export interface GroupSummary {
  workflowType: string;
  version: string;
  total: number;
  compatible: number;
  nondeterministic: number;
  missingWorkflowType: number;
  replayErrors: number;
}

export interface CheckSummary {
  /** Executions replayed (each has a verdict). */
  total: number;
  compatible: number;
  /** Nondeterministic or a workflow type the candidate lacks. */
  incompatible: number;
  /** Replays that failed for another reason (codec, workflow threw): unproven either way. */
  errors: number;
  /**
   * Selected but never replayed: files that would not load, executions whose history could not be
   * fetched, and the part of the selection not reached (interrupted, server lost). Optional only so
   * reports written before it still read as schema 1; every report this version writes has it.
   */
  notChecked?: number;
}

/** One selected file or execution that has no verdict, and why. */
export interface UncheckedItem {
  /** `unloadable`: a history file that could not be read or parsed; `unfetchable`: a live execution whose history the server did not return. */
  reason: 'unloadable' | 'unfetchable';
  /** The file path, or `server`. */
  origin: string;
  workflowId?: string;
  runId?: string;
  message: string;
  hint?: string;
}

export interface CheckReport {
  schemaVersion: typeof CHECK_SCHEMA_VERSION;
  candidate: CandidateInfo;
  /** Where executions came from: `histories` (files) or `server` with the query used. */
  selection: { source: 'histories'; paths: string[] } | { source: 'server'; address: string; namespace: string; query: string };
  shard?: { index: number; count: number };
  summary: CheckSummary;
  groups: GroupSummary[];
  results: CheckResult[];
  /** Selected files / executions with no verdict (listed in every report). */
  unchecked?: UncheckedItem[];
  /** The run was interrupted: `results` holds what finished; `notChecked` how many were never reached. */
  interrupted?: { notChecked: number };
  /** The server went away part-way: `results` holds what finished; `notChecked` how many were never reached. */
  serverLost?: { notChecked: number; message: string; hint?: string };
  /** `--fail-on-empty`: a selection with no running executions fails the gate. */
  failOnEmpty?: boolean;
  durationMs: number;
}

/**
 * `passed`: every selected execution or file was replayed, and cleanly. `failed`: something is
 * incompatible or failed to replay. `incomplete`: nothing failed, but not everything was checked.
 * `nothing-to-check`: the selection exists and had no running executions.
 */
export type CheckVerdict = 'passed' | 'failed' | 'incomplete' | 'nothing-to-check';

export function summarize(results: readonly CheckResult[], notChecked = 0): CheckSummary {
  const summary: CheckSummary = { total: results.length, compatible: 0, incompatible: 0, errors: 0, notChecked };
  for (const r of results) {
    if (r.verdict === 'compatible') summary.compatible++;
    else if (isIncompatible(r.verdict)) summary.incompatible++;
    else summary.errors++;
  }
  return summary;
}

/** How many of the selection were never reached: the run stopped before them. */
export function notReached(report: Pick<CheckReport, 'interrupted' | 'serverLost'>): number {
  return (report.interrupted?.notChecked ?? 0) + (report.serverLost?.notChecked ?? 0);
}

/** Everything selected that has no verdict: the unchecked items plus the part never reached. */
export function notCheckedCount(report: Pick<CheckReport, 'unchecked' | 'interrupted' | 'serverLost'>): number {
  return (report.unchecked?.length ?? 0) + notReached(report);
}

function countInto(group: GroupSummary, verdict: Verdict): void {
  group.total++;
  switch (verdict) {
    case 'compatible':
      group.compatible++;
      return;
    case 'nondeterministic':
      group.nondeterministic++;
      return;
    case 'missing-workflow-type':
      group.missingWorkflowType++;
      return;
    case 'replay-error':
      group.replayErrors++;
      return;
  }
}

/** One row per workflow type x version, sorted by type then version. */
export function groupResults(results: readonly CheckResult[]): GroupSummary[] {
  const groups = new Map<string, GroupSummary>();
  for (const r of results) {
    const key = `${r.workflowType}\u0000${r.version}`;
    let g = groups.get(key);
    if (!g) {
      g = { workflowType: r.workflowType, version: r.version, total: 0, compatible: 0, nondeterministic: 0, missingWorkflowType: 0, replayErrors: 0 };
      groups.set(key, g);
    }
    countInto(g, r.verdict);
  }
  return [...groups.values()].sort((a, b) => a.workflowType.localeCompare(b.workflowType) || a.version.localeCompare(b.version));
}

export type VerdictInput = Pick<CheckReport, 'summary' | 'unchecked' | 'interrupted' | 'serverLost'>;

/** The one rule every report follows: `passed` only when everything selected was checked and replayed cleanly. */
export function checkVerdict(report: VerdictInput): CheckVerdict {
  const { summary } = report;
  if (summary.incompatible > 0 || summary.errors > 0) return 'failed';
  if (notCheckedCount(report) > 0 || report.interrupted || report.serverLost) return 'incomplete';
  if (summary.total === 0) return 'nothing-to-check';
  return 'passed';
}

/** Whether the gate lets the change through: passed, or nothing to check unless `failOnEmpty`. */
export function gatePasses(report: VerdictInput & Pick<CheckReport, 'failOnEmpty'>): boolean {
  const verdict = checkVerdict(report);
  return verdict === 'passed' || (verdict === 'nothing-to-check' && !report.failOnEmpty);
}

/**
 * The exit code that agrees with the report. What stopped the run comes first (3 server lost,
 * 130 interrupted), then what could not be checked (3 unfetchable, 2 unloadable), then the gate.
 */
export function checkExitCode(report: VerdictInput & Pick<CheckReport, 'failOnEmpty'>): ExitCode {
  if (report.serverLost) return ExitCode.infrastructure;
  if (report.interrupted) return ExitCode.interrupted;
  if (report.unchecked?.some((u) => u.reason === 'unfetchable')) return ExitCode.infrastructure;
  if (report.unchecked?.some((u) => u.reason === 'unloadable')) return ExitCode.usage;
  return gatePasses(report) ? ExitCode.ok : ExitCode.gateFailed;
}

/** Stable order for reports: failures first, then by type, version, workflow ID. */
export function sortResults(results: readonly CheckResult[]): CheckResult[] {
  const rank = (v: Verdict): number => (v === 'compatible' ? 2 : isIncompatible(v) ? 0 : 1);
  return [...results].sort(
    (a, b) =>
      rank(a.verdict) - rank(b.verdict) ||
      a.workflowType.localeCompare(b.workflowType) ||
      a.version.localeCompare(b.version) ||
      a.workflowId.localeCompare(b.workflowId),
  );
}

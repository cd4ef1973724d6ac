/**
 * The result of `safe-deploy check` as data: what was replayed, against which candidate, with
 * which verdicts. Reporters render it; nothing here does I/O.
 */
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
  total: number;
  compatible: number;
  /** Nondeterministic or a workflow type the candidate lacks. */
  incompatible: number;
  /** Replays that failed for another reason (codec, workflow threw): unproven either way. */
  errors: number;
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
  /** The run was interrupted: `results` holds what finished; `notChecked` how many were left. */
  interrupted?: { notChecked: number };
  durationMs: number;
}

export type CheckVerdict = 'passed' | 'failed';

export function summarize(results: readonly CheckResult[]): CheckSummary {
  const summary: CheckSummary = { total: results.length, compatible: 0, incompatible: 0, errors: 0 };
  for (const r of results) {
    if (r.verdict === 'compatible') summary.compatible++;
    else if (isIncompatible(r.verdict)) summary.incompatible++;
    else summary.errors++;
  }
  return summary;
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

/** The gate: passes only when every execution was checked and proven compatible. */
export function checkVerdict(report: Pick<CheckReport, 'summary' | 'interrupted'>): CheckVerdict {
  const { summary } = report;
  return summary.incompatible === 0 && summary.errors === 0 && !report.interrupted ? 'passed' : 'failed';
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

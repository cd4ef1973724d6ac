/**
 * select -> fetch -> replay -> classify, as one streamed pass. Returns the report as data; the
 * command decides how to show it. Used by `check` and by everything built on a check (plan, deploy).
 */
import {
  CHECK_SCHEMA_VERSION,
  groupResults,
  summarize,
  type CheckReport,
  type CheckResult,
} from '../core/check-report.js';
import { buildVisibilityQuery, type SelectionOptions } from '../core/selection.js';
import { inShard, type Shard } from '../core/shard.js';
import { InputError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { listHistoryFiles, loadHistoryFile } from '../temporal/history-files.js';
import { countExecutions, fetchHistories, listExecutions, type FetchStats } from '../temporal/histories.js';
import { loadCandidates, replayCandidates, type CandidatesOptions } from '../temporal/candidates.js';
import type { ReplayItem } from '../temporal/replayer.js';

export type CheckSelection =
  | { kind: 'histories'; paths: string[] }
  | { kind: 'server'; temporal: TemporalHandle; selection: SelectionOptions; limit?: number };

export interface CheckInput {
  selection: CheckSelection;
  candidate: CandidatesOptions & { buildId?: string };
  /** Histories downloaded at once. */
  concurrency?: number;
  /** Replay workers. */
  parallel?: number;
  shard?: Shard;
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (progress: CheckProgress) => void;
}

export interface CheckProgress {
  checked: number;
  /** Known when the selection could be counted up front. */
  total?: number;
  incompatible: number;
  phase: 'bundling' | 'replaying';
}

export interface InputProblem {
  origin: string;
  message: string;
  hint?: string;
}

export interface CheckRun {
  report: CheckReport;
  /** Files that could not be loaded; they are not in `report.results`. */
  inputProblems: InputProblem[];
  fetchStats: FetchStats;
}

export async function runCheck(input: CheckInput): Promise<CheckRun> {
  const started = Date.now();
  const progress: CheckProgress = { checked: 0, incompatible: 0, phase: 'bundling' };
  input.onProgress?.({ ...progress });
  const candidates = await loadCandidates({ ...input.candidate, prewarmThreads: input.parallel ?? 1 });
  const candidate = candidates.info;
  const inputProblems: InputProblem[] = [];
  const fetchStats: FetchStats = { downloaded: 0, fromCache: 0 };

  let items: AsyncIterable<ReplayItem>;
  let selection: CheckReport['selection'];
  let listed = 0;
  if (input.selection.kind === 'histories') {
    const files = (await listHistoryFiles(input.selection.paths)).filter((f) => inShard(f, '', input.shard));
    progress.total = files.length;
    selection = { source: 'histories', paths: input.selection.paths };
    items = loadFiles(files, inputProblems, () => listed++);
  } else {
    const { temporal, selection: options, limit } = input.selection;
    const query = buildVisibilityQuery(options);
    if (!input.shard) {
      const count = await countExecutions(temporal, query);
      progress.total = limit !== undefined ? Math.min(limit, count) : count;
    }
    selection = { source: 'server', address: temporal.address, namespace: temporal.namespace, query };
    const executions = counting(listExecutions(temporal, query, { limit, shard: input.shard, signal: input.signal }), () => listed++);
    items = fetchHistories(temporal, executions, {
      concurrency: input.concurrency,
      cacheDir: input.cacheDir,
      signal: input.signal,
      stats: fetchStats,
    });
  }

  progress.phase = 'replaying';
  input.onProgress?.({ ...progress });
  const results: CheckResult[] = [];
  for await (const r of replayCandidates(candidates, items, { parallel: input.parallel, signal: input.signal })) {
    results.push({
      workflowId: r.item.workflowId,
      runId: r.item.facts.runId,
      workflowType: r.item.facts.workflowType,
      version: r.item.facts.version ?? 'unversioned',
      lastEventId: r.item.facts.lastEventId,
      origin: r.item.origin,
      ...(r.item.facts.overrideSetBy !== undefined && { overrideSetBy: r.item.facts.overrideSetBy }),
      verdict: r.verdict,
      ...(r.eventId !== undefined && { eventId: r.eventId }),
      ...(r.historyHad !== undefined && { historyHad: r.historyHad }),
      ...(r.codeDid !== undefined && { codeDid: r.codeDid }),
      ...(r.message !== undefined && { message: r.message }),
    });
    progress.checked++;
    if (r.verdict !== 'compatible') progress.incompatible++;
    input.onProgress?.({ ...progress });
  }

  const interrupted = Boolean(input.signal?.aborted);
  const expected = progress.total ?? listed;
  const report: CheckReport = {
    schemaVersion: CHECK_SCHEMA_VERSION,
    candidate: {
      source: candidate.source,
      bundleHash: candidate.bundleHash,
      bundleCache: candidate.bundleCache,
      ...(candidate.sdk && { sdk: candidate.sdk }),
      ...(candidate.sdks && { sdks: candidate.sdks }),
      ...(input.candidate.buildId && { buildId: input.candidate.buildId }),
    },
    selection,
    ...(input.shard && { shard: input.shard }),
    summary: summarize(results),
    groups: groupResults(results),
    results,
    ...(interrupted && { interrupted: { notChecked: Math.max(0, expected - results.length - inputProblems.length) } }),
    durationMs: Date.now() - started,
  };
  return { report, inputProblems, fetchStats };
}

/** Loads files lazily; a file that cannot be loaded is recorded and skipped, never fatal mid-run. */
async function* loadFiles(files: string[], problems: InputProblem[], onListed: () => void): AsyncGenerator<ReplayItem> {
  for (const file of files) {
    onListed();
    try {
      yield await loadHistoryFile(file);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push({ origin: file, message: err.message, hint: err.hint });
    }
  }
}

async function* counting<T>(source: AsyncIterable<T>, onItem: () => void): AsyncGenerator<T> {
  for await (const item of source) {
    onItem();
    yield item;
  }
}

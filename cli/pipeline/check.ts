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
  type UncheckedItem,
} from '../core/check-report.js';
import { buildVisibilityQuery, DEFAULT_DOWNLOAD_CONCURRENCY, type SelectionOptions } from '../core/selection.js';
import { inShard, type Shard } from '../core/shard.js';
import { InputError, TemporalError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeDeployment, unknownDeploymentError } from '../temporal/deployments.js';
import { listHistoryFiles, loadHistoryFile, readHistoryFile } from '../temporal/history-files.js';
import { explainFromHistory } from '../core/divergence.js';
import { countExecutions, fetchHistories, fetchHistory, listExecutions, type FetchStats } from '../temporal/histories.js';
import { mapConcurrent } from '../util/concurrency.js';
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
  /**
   * The server went away part-way: return the report of what was checked (with `serverLost`)
   * instead of throwing. Only `check` asks for it; plan and deploy must not act on half a check.
   */
  partialOnServerLoss?: boolean;
  /** A selection with no running executions fails the gate (recorded in the report). */
  failOnEmpty?: boolean;
  /**
   * The deployment may not exist yet (its first deploy: no worker of it has polled, so nothing runs
   * on it): then there is nothing to check, where otherwise an unknown deployment is a usage error.
   */
  newDeployment?: boolean;
}

export interface CheckProgress {
  checked: number;
  /** Known when the selection could be counted up front. */
  total?: number;
  incompatible: number;
  phase: 'bundling' | 'replaying';
}

export interface CheckRun {
  report: CheckReport;
  fetchStats: FetchStats;
}

export async function runCheck(input: CheckInput): Promise<CheckRun> {
  const started = Date.now();
  const progress: CheckProgress = { checked: 0, incompatible: 0, phase: 'bundling' };
  input.onProgress?.({ ...progress });
  // A misspelled deployment matches no executions; unchecked, it would read as "0 of 0 passed".
  // Asked before bundling, so the mistake is reported at once.
  if (input.selection.kind === 'server') {
    const { temporal, selection: options } = input.selection;
    if (options.deployment && !input.newDeployment && !(await describeDeployment(temporal, options.deployment))) throw unknownDeploymentError(temporal, options.deployment);
  }
  // Counted first, so that no more replay threads start (while the candidate bundles) than there are histories.
  const { files, total } = await whatToCheck(input);
  if (total !== undefined) progress.total = total;
  const candidates = await loadCandidates({ ...input.candidate, prewarmThreads: Math.min(input.parallel ?? 1, total ?? Infinity) });
  const candidate = candidates.info;
  const unchecked: UncheckedItem[] = [];
  const fetchStats: FetchStats = { downloaded: 0, fromCache: 0 };

  let items: AsyncIterable<ReplayItem>;
  let selection: CheckReport['selection'];
  let listed = 0;
  if (input.selection.kind === 'histories') {
    selection = { source: 'histories', paths: input.selection.paths };
    items = loadFiles(files, unchecked, () => listed++);
  } else {
    const { temporal, selection: options, limit } = input.selection;
    const query = buildVisibilityQuery(options);
    selection = { source: 'server', address: temporal.address, namespace: temporal.namespace, query };
    const executions = counting(listExecutions(temporal, query, { limit, shard: input.shard, signal: input.signal }), () => listed++);
    items = fetchHistories(temporal, executions, {
      concurrency: input.concurrency,
      cacheDir: input.cacheDir,
      signal: input.signal,
      stats: fetchStats,
      onUnfetchable: (e, err) =>
        unchecked.push({ reason: 'unfetchable', origin: 'server', workflowId: e.workflowId, runId: e.runId, message: err.message, ...(err.hint && { hint: err.hint }) }),
    });
  }

  progress.phase = 'replaying';
  input.onProgress?.({ ...progress });
  const results: CheckResult[] = [];
  let serverLost: TemporalError | undefined;
  try {
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
  } catch (err) {
    if (!(err instanceof TemporalError) || !input.partialOnServerLoss || input.selection.kind !== 'server') throw err;
    serverLost = err;
  }

  if (!serverLost) await explainDivergences(input, results);

  const interrupted = Boolean(input.signal?.aborted) && !serverLost;
  const expected = progress.total ?? listed;
  const left = Math.max(0, expected - results.length - unchecked.length);
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
    summary: summarize(results, unchecked.length + (interrupted || serverLost ? left : 0)),
    groups: groupResults(results),
    results,
    unchecked,
    ...(interrupted && { interrupted: { notChecked: left } }),
    ...(serverLost && { serverLost: { notChecked: left, message: serverLost.message, ...(serverLost.hint && { hint: serverLost.hint }) } }),
    ...(input.failOnEmpty && { failOnEmpty: true }),
    durationMs: Date.now() - started,
  };
  return { report, fetchStats };
}

/** The history files (of this shard), and how many histories there are when that is known up front (not for a server shard). */
async function whatToCheck(input: CheckInput): Promise<{ files: string[]; total?: number }> {
  const selection = input.selection;
  if (selection.kind === 'histories') {
    const files = (await listHistoryFiles(selection.paths)).filter((f) => inShard(f, '', input.shard));
    return { files, total: files.length };
  }
  if (input.shard) return { files: [] };
  const count = await countExecutions(selection.temporal, buildVisibilityQuery(selection.selection));
  return { files: [], total: selection.limit !== undefined ? Math.min(selection.limit, count) : count };
}

/** Nondeterministic results explained from their histories; more would only slow a run that already failed. */
export const MAX_EXPLAINED = 200;

/**
 * Fills in where each nondeterministic execution diverged (event ID, what the history had there,
 * what the code did) by reading its history again: replay keeps no history once replayed, so
 * memory stays flat; only failures, and at most MAX_EXPLAINED of them, are read twice.
 */
async function explainDivergences(input: CheckInput, results: CheckResult[]): Promise<void> {
  const failing = results.filter((r) => r.verdict === 'nondeterministic').slice(0, MAX_EXPLAINED);
  const selection = input.selection;
  const history = async (r: CheckResult) => {
    if (selection.kind === 'histories') return readHistoryFile(r.origin);
    return fetchHistory(selection.temporal, { workflowId: r.workflowId, runId: r.runId, historyLength: Number(r.lastEventId) }, { cacheDir: input.cacheDir });
  };
  const explained = mapConcurrent(
    failing,
    async (r) => {
      try {
        Object.assign(r, explainFromHistory(r, await history(r)));
      } catch {
        // The verdict stands; only its explanation is missing (the execution closed, say).
      }
    },
    input.concurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY,
  );
  for await (const _ of explained) {
    // drain
  }
}

/** Loads files lazily; a file that cannot be loaded is recorded and skipped, never fatal mid-run. */
async function* loadFiles(files: string[], unchecked: UncheckedItem[], onListed: () => void): AsyncGenerator<ReplayItem> {
  for (const file of files) {
    onListed();
    try {
      yield await loadHistoryFile(file);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      unchecked.push({ reason: 'unloadable', origin: file, message: err.message, ...(err.hint && { hint: err.hint }) });
    }
  }
}

async function* counting<T>(source: AsyncIterable<T>, onItem: () => void): AsyncGenerator<T> {
  for await (const item of source) {
    onItem();
    yield item;
  }
}

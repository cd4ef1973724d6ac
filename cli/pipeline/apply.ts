/**
 * Carries out a plan's override changes, race-safe and resumable:
 *  - just before acting, each execution is described again (strongly consistent); one whose
 *    history grew past its receipt is replayed again and decided again: never changed on a stale verdict;
 *  - overrides go out as batch operations over explicit execution lists, then every execution is
 *    read back, because a batch does not say which executions it failed on;
 *  - every step is appended to the journal, so a re-run skips what is settled and never sends twice.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { decide, SAFE_DEPLOY_IDENTITY, type Action, type Plan, type PlannedExecution } from '../core/plan.js';
import { isSettled, journalKey, latestEntries, parseJournal, type JournalEntry, type JournalStatus } from '../core/journal.js';
import { effectiveBehavior, type ExecutionVersioning, type VersioningOverride } from '../core/versioning.js';
import { historyFacts } from '../core/history-facts.js';
import { UsageError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeExecution, setOverride, startBatchOverride, waitForBatch, type BatchProgress, type ExecutionNow } from '../temporal/executions.js';
import { fetchHistory } from '../temporal/histories.js';
import { loadCandidates, replayCandidates, type Candidates, type CandidatesOptions } from '../temporal/candidates.js';
import { mapConcurrent } from '../util/concurrency.js';
import { groupBy } from '../util/group-by.js';

export type ApplyPhase = 'protect' | 'upgrade' | 'all';

export function phaseActions(phase: ApplyPhase): Action[] {
  switch (phase) {
    case 'protect':
      return ['protect-clear-override', 'protect-pin'];
    case 'upgrade':
      return ['upgrade'];
    case 'all':
      return ['protect-clear-override', 'protect-pin', 'upgrade'];
  }
}

export interface ApplyInput {
  temporal: TemporalHandle;
  plan: Plan;
  phase: ApplyPhase;
  journalPath: string;
  /** Needed to replay again an execution whose history grew; without it such executions are not changed. */
  candidate?: CandidatesOptions;
  dryRun?: boolean;
  chunkSize?: number;
  rps?: number;
  batchTimeoutMs?: number;
  signal?: AbortSignal;
  onEntry?: (e: JournalEntry) => void;
  onBatchProgress?: (p: BatchProgress) => void;
}

export interface ApplyResult {
  /** Entries written by this run. */
  entries: JournalEntry[];
  counts: Record<JournalStatus, number>;
  /** Executions a real run would change (dry run only). */
  wouldChange: PlannedExecution[];
  interrupted: boolean;
}

/** Two runs of apply (protect, then upgrade) reported as one. */
export function mergeApplyResults(a: ApplyResult, b: ApplyResult): ApplyResult {
  const counts = { ...a.counts };
  for (const status of Object.keys(counts) as JournalStatus[]) counts[status] += b.counts[status];
  return { entries: [...a.entries, ...b.entries], counts, wouldChange: [...a.wouldChange, ...b.wouldChange], interrupted: b.interrupted };
}

export function overrideMatches(current: VersioningOverride | undefined, target: VersioningOverride | undefined): boolean {
  if (!target) return current === undefined;
  if (!current) return false;
  switch (target.kind) {
    case 'auto_upgrade':
      return current.kind === 'auto_upgrade';
    case 'pinned':
      return current.kind === 'pinned' && current.version === target.version;
  }
}

function sameState(a: ExecutionVersioning, b: ExecutionVersioning): boolean {
  return effectiveBehavior(a) === effectiveBehavior(b) && a.version === b.version && overrideMatches(a.override, b.override);
}

function overrideKey(o: VersioningOverride | undefined): string {
  if (!o) return 'clear';
  switch (o.kind) {
    case 'auto_upgrade':
      return 'auto_upgrade';
    case 'pinned':
      return `pinned:${o.version}`;
  }
}

export async function readJournal(path: string): Promise<JournalEntry[]> {
  return existsSync(path) ? parseJournal(readFileSync(path, 'utf8')) : [];
}

export async function runApply(input: ApplyInput): Promise<ApplyResult> {
  const { temporal, plan } = input;
  const entries: JournalEntry[] = [];
  const counts: Record<JournalStatus, number> = { started: 0, done: 0, already: 0, skipped: 0, replanned: 0, failed: 0 };
  const record = (e: PlannedExecution, status: JournalStatus, extra: { jobId?: string; detail?: string } = {}): void => {
    const entry: JournalEntry = { at: new Date().toISOString(), workflowId: e.workflowId, runId: e.runId, action: e.action, status, ...extra };
    entries.push(entry);
    counts[status]++;
    if (!input.dryRun) appendFileSync(input.journalPath, JSON.stringify(entry) + '\n');
    input.onEntry?.(entry);
  };

  const settled = latestEntries(await readJournal(input.journalPath));
  const actions = phaseActions(input.phase);
  const todo = plan.executions.filter((e) => actions.includes(e.action) && !isSettledIn(settled, e));

  let candidate: Candidates | undefined;
  const recheck = async (e: PlannedExecution, now: ExecutionNow): Promise<{ proceed: boolean; detail?: string }> => {
    const grew = now.historyLength > Number(e.receipt.lastEventId);
    if (!grew && sameState(now, e.state)) return { proceed: true };
    let verdict = e.receipt.verdict;
    let overrideSetBy: string | undefined;
    if (grew) {
      if (!input.candidate) return { proceed: false, detail: `history grew from ${e.receipt.lastEventId} to ${now.historyLength} events; no candidate given to replay it again` };
      candidate ??= await loadCandidates(input.candidate);
      if (candidate.info.bundleHash !== plan.candidate.bundleHash) {
        throw new UsageError(
          `the candidate given (${candidate.info.bundleHash}) is not the one the plan was made with (${plan.candidate.bundleHash})`,
          'pass the same --workflows / --bundle as for `safe-deploy plan`, or make a new plan',
        );
      }
      const history = await fetchHistory(temporal, { workflowId: e.workflowId, runId: e.runId, historyLength: now.historyLength });
      const facts = historyFacts(history);
      overrideSetBy = facts.overrideSetBy;
      for await (const r of replayCandidates(candidate, [{ workflowId: e.workflowId, history, facts, origin: 'server' }])) verdict = r.verdict;
    }
    const decision = decide({ workflowType: e.workflowType, state: now, verdict, overrideSetBy, candidateVersion: plan.candidate.version, policy: plan.policy });
    const why = grew ? `history grew from ${e.receipt.lastEventId} to ${now.historyLength} events, replayed again: ${verdict}` : 'its versioning state changed since the plan';
    if (decision.action !== e.action) return { proceed: false, detail: `${why}; now ${decision.action}: ${decision.reason}` };
    return { proceed: true, detail: why };
  };

  // Verify every execution just before acting on it.
  const ready: PlannedExecution[] = [];
  for await (const outcome of mapConcurrent(
    todo,
    async (e) => {
      const now = await describeExecution(temporal, { workflowId: e.workflowId, runId: e.runId });
      if (!now.running) return { e, status: 'skipped' as const, detail: 'no longer running' };
      if (overrideMatches(now.override, e.targetOverride)) return { e, status: 'already' as const, detail: `override already ${overrideKey(now.override)}` };
      const check = await recheck(e, now);
      return check.proceed ? { e, status: 'ready' as const, detail: check.detail } : { e, status: 'replanned' as const, detail: check.detail };
    },
    16,
    input.signal,
  )) {
    if (outcome.status === 'ready') ready.push(outcome.e);
    else record(outcome.e, outcome.status, { detail: outcome.detail });
  }
  if (input.dryRun) return { entries, counts, wouldChange: ready, interrupted: Boolean(input.signal?.aborted) };

  const groups = groupBy(ready, (e) => overrideKey(e.targetOverride));
  const chunkSize = input.chunkSize ?? 500;
  let batchNumber = 0;
  for (const [target, group] of groups) {
    for (let i = 0; i < group.length; i += chunkSize) {
      if (input.signal?.aborted) return { entries, counts, wouldChange: [], interrupted: true };
      const chunk = group.slice(i, i + chunkSize);
      const first = chunk[0] as PlannedExecution;
      const jobId = `safe-deploy-${plan.candidate.buildId}-${first.action}-${Date.now()}-${batchNumber++}`.replace(/[^A-Za-z0-9_.-]/g, '_');
      for (const e of chunk) record(e, 'started', { jobId, detail: target });
      await sendOverrides(input, chunk, jobId, first.action);
      // Read back every execution: the batch API does not list the ones it failed on.
      for await (const { e, now } of mapConcurrent(chunk, async (e) => ({ e, now: await describeExecution(temporal, { workflowId: e.workflowId, runId: e.runId }) }), 16)) {
        if (overrideMatches(now.override, e.targetOverride)) record(e, 'done', { jobId });
        else record(e, 'failed', { jobId, detail: `override is ${overrideKey(now.override)} after the batch, wanted ${target}` });
      }
    }
  }
  return { entries, counts, wouldChange: [], interrupted: false };
}

function isSettledIn(latest: Map<string, JournalEntry>, e: PlannedExecution): boolean {
  const entry = latest.get(journalKey(e));
  return entry !== undefined && isSettled(entry.status);
}

async function sendOverrides(input: ApplyInput, chunk: PlannedExecution[], jobId: string, action: Action): Promise<void> {
  const { temporal, plan } = input;
  const first = chunk[0] as PlannedExecution;
  const reason = `safe-deploy ${action} for candidate ${plan.candidate.version} (${plan.candidate.bundleHash})`;
  if (first.targetOverride === undefined && action === 'protect-clear-override' && chunk.length === 1) {
    // A single clear needs no batch job.
    await setOverride(temporal, { workflowId: first.workflowId, runId: first.runId }, undefined, SAFE_DEPLOY_IDENTITY);
    return;
  }
  await startBatchOverride(temporal, {
    jobId,
    reason,
    identity: SAFE_DEPLOY_IDENTITY,
    executions: chunk.map((e) => ({ workflowId: e.workflowId, runId: e.runId })),
    override: first.targetOverride,
    maxOperationsPerSecond: input.rps,
  });
  const progress = await waitForBatch(temporal, jobId, { timeoutMs: input.batchTimeoutMs ?? 300_000, onProgress: input.onBatchProgress });
  if (progress.state === 'RUNNING') {
    // Not fatal: the read-back below records what did and did not change; a re-run finishes it.
    input.onBatchProgress?.(progress);
  }
}

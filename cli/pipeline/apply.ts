/**
 * Carries out a plan's override changes, race-safe and resumable:
 *  - one writer per plan (a lock next to the journal); a batch job a previous run left `started`
 *    is described and waited for before anything is sent again;
 *  - each execution is described again just before its change is sent (per chunk, or one by one
 *    when few); one whose history grew past its receipt is replayed again and decided again;
 *  - upgrades are sent only while the candidate is the current version;
 *  - after sending, every execution is read back; for an upgrade, its history too: any event that
 *    arrived between the receipt and our override's WorkflowExecutionOptionsUpdated event is
 *    replayed at once, and if the candidate does not replay it the override is set back to PINNED
 *    (journaled `reverted`). Never an auto_upgrade override on a stale verdict.
 *  - every step is appended to the journal, so a re-run skips what is settled and never sends twice.
 *  - the plan is read a chunk at a time and the entries are not kept (the report reads them back
 *    from the journal; a dry run's, from its DryRunRecords files): memory is that of a chunk,
 *    whatever the plan's size. A re-run keeps one small record per execution the journal names.
 */
import { appendFileSync, existsSync, statSync } from 'node:fs';
import { decide, SAFE_DEPLOY_IDENTITY, wouldChangeOf, type Action, type PlannedExecution, type PlanSource } from '../core/plan.js';
import { emptyCounts, isSettled, journalKey, type JournalEntry, type JournalStatus, type JournalStep } from '../core/journal.js';
import { effectiveBehavior, type ExecutionVersioning, type VersioningOverride } from '../core/versioning.js';
import { historyFacts, type HistoryLike } from '../core/history-facts.js';
import { lastAutoUpgradeOverride, setsAutoUpgradeBy } from '../core/override-events.js';
import type { Verdict } from '../core/verdict.js';
import { BatchLimitError, InterruptedError, SafeDeployError, UsageError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeDeployment } from '../temporal/deployments.js';
import {
  describeBatchIfExists,
  describeExecutionIfExists,
  setOverride,
  startBatchOverride,
  stopBatch,
  waitForBatch,
  type BatchProgress,
  type ExecutionNow,
} from '../temporal/executions.js';
import { eventsNewestFirst, fetchHistory } from '../temporal/histories.js';
import { loadCandidates, replayCandidates, type Candidates, type CandidatesOptions } from '../temporal/candidates.js';
import { chunked } from '../util/chunked.js';
import { mapConcurrent } from '../util/concurrency.js';
import { groupBy } from '../util/group-by.js';
import { RateLimiter } from '../util/rate.js';
import { DryRunRecords } from './dry-run-records.js';
import { acquireJournalLock, openJournal } from './journal-file.js';

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

/**
 * Chunks of up to this many changes go out one by one (UpdateWorkflowExecutionOptions), each right
 * after its re-check; by default all do. At 10,000 on the local server: one by one 131/s, batch
 * jobs 49/s (server 1.31 runs them at its worker.batcherRPS, 50/s by default, whatever the request
 * asks); and the window between re-check and change is one round trip.
 */
export const DEFAULT_DIRECT_MAX = Number.POSITIVE_INFINITY;

/** One-by-one changes in flight at once (each: describe, update, describe, history). */
const DIRECT_CONCURRENCY = 8;

/** A previous run's batch whose counts have not moved for this long is stopped, not waited for. */
const BATCH_STALL_MS = 30_000;

/** How long the read-back waits for our override's event to reach the history (see confirmUpgrade). */
const OVERRIDE_EVENT_WAIT_MS = 30_000;

export interface ApplyInput {
  temporal: TemporalHandle;
  /** Read a chunk at a time: apply never holds the whole plan. */
  plan: PlanSource;
  phase: ApplyPhase;
  journalPath: string;
  /** Needed to replay again an execution whose history grew; without it such executions are not changed. */
  candidate?: CandidatesOptions;
  dryRun?: boolean;
  /** Where a dry run keeps what it finds (made when absent, returned in the result). */
  dryRunRecords?: DryRunRecords;
  chunkSize?: number;
  /** Chunks of at most this many changes are sent per execution instead of as a batch job. */
  directMax?: number;
  rps?: number;
  batchTimeoutMs?: number;
  /** A previous run's batch still RUNNING with no progress for this long is stopped (default 30 s). */
  batchStallMs?: number;
  signal?: AbortSignal;
  onEntry?: (e: JournalEntry) => void;
  onBatchProgress?: (p: BatchProgress) => void;
  onNote?: (message: string) => void;
}

export interface ApplyResult {
  /**
   * Where this run's entries begin in the journal (a byte offset): a real run keeps none of them
   * in memory, the report reads them back from there.
   */
  journalFrom?: number;
  /**
   * A dry run's entries and the executions a real run would change (it journals nothing), on
   * disk; the caller disposes of them after the report.
   */
  dryRunRecords?: DryRunRecords;
  counts: Record<JournalStatus, number>;
  /** Executions of this phase still to do when the run stopped (0 when it finished). */
  notDone: number;
  interrupted: boolean;
  /** Why the run stopped part-way (the partial result is still reported). */
  error?: { message: string; hint?: string; exitCode: number };
  notes: string[];
}

/** Two runs of apply (protect, then upgrade) reported as one. */
export function mergeApplyResults(a: ApplyResult, b: ApplyResult): ApplyResult {
  const counts = { ...a.counts };
  for (const status of Object.keys(counts) as JournalStatus[]) counts[status] += b.counts[status];
  return {
    ...((a.journalFrom ?? b.journalFrom) !== undefined && { journalFrom: a.journalFrom ?? b.journalFrom }),
    ...((b.dryRunRecords ?? a.dryRunRecords) && { dryRunRecords: b.dryRunRecords ?? a.dryRunRecords }),
    counts,
    notDone: a.notDone + b.notDone,
    interrupted: b.interrupted,
    ...((b.error ?? a.error) && { error: b.error ?? a.error }),
    notes: [...a.notes, ...b.notes],
  };
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

/** An execution verified just before its change: `replayedThrough` is the last event the candidate replayed. */
interface Ready {
  e: PlannedExecution;
  replayedThrough: number;
  /** It had the override before this run sent anything (a previous run's batch, or someone else). */
  already?: boolean;
}

type Verified = { status: 'ready'; ready: Ready; detail?: string } | { status: Exclude<JournalStatus, 'started' | 'done' | 'failed' | 'reverted'>; detail: string; now?: ExecutionNow };

export async function runApply(input: ApplyInput): Promise<ApplyResult> {
  const { temporal } = input;
  const plan = input.plan.header;
  const records = input.dryRun ? (input.dryRunRecords ?? DryRunRecords.create()) : undefined;
  const result: ApplyResult = { ...(records && { dryRunRecords: records }), counts: emptyCounts(), notDone: 0, interrupted: false, notes: [] };
  const note = (m: string): void => {
    result.notes.push(m);
    input.onNote?.(m);
  };
  const record = (e: PlannedExecution, status: JournalStatus, extra: { jobId?: string; detail?: string } = {}): void => {
    const entry: JournalEntry = { at: new Date().toISOString(), workflowId: e.workflowId, runId: e.runId, action: e.action, status, ...extra };
    result.counts[status]++;
    // A dry run's entries come at the pace of its describes: queued, not waited for.
    if (records) records.entries.write(entry);
    else appendFileSync(input.journalPath, JSON.stringify(entry) + '\n');
    input.onEntry?.(entry);
  };

  const lock = input.dryRun ? undefined : acquireJournalLock(input.journalPath);
  if (lock?.takeover) note(lock.takeover);
  // Each execution of the phase left to do is settled once (its outcome journaled); counted, not kept.
  let settled = 0;
  const settle = (e: PlannedExecution, status: JournalStatus, extra: { jobId?: string; detail?: string } = {}): void => {
    record(e, status, extra);
    if (status !== 'started') settled++;
  };
  const actions = phaseActions(input.phase);
  const canReplay = Boolean(input.candidate);
  let latest = new Map<string, JournalStep>();
  /** The phase's executions the journal does not call settled, in plan order, read from the plan as they are needed. */
  async function* todo(): AsyncGenerator<PlannedExecution> {
    for await (const e of input.plan.executions()) {
      if (!actions.includes(e.action)) continue;
      const last = latest.get(journalKey(e));
      if (last === undefined || !isSettled(last.status, canReplay)) yield e;
    }
  }
  let todoSeen = 0;
  let todoComplete = false;
  // A batch's read-back runs beside the next chunk; never left running when this returns.
  let readingBack: Promise<void> = Promise.resolve();
  try {
    const journal = await openJournal(input.journalPath, { readOnly: input.dryRun });
    journal.notes.forEach(note);
    latest = journal.steps;
    // After the repair of a torn line: this run's entries start here.
    if (!input.dryRun) result.journalFrom = existsSync(input.journalPath) ? statSync(input.journalPath).size : 0;

    const previousJobs = new Set<string>();
    for (const last of latest.values()) if (last.status === 'started' && last.jobId && actions.includes(last.action)) previousJobs.add(last.jobId);
    await settlePreviousBatches(input, previousJobs, note);

    let candidate: Candidates | undefined;
    const getCandidate = async (): Promise<Candidates | undefined> => {
      if (!input.candidate) return undefined;
      candidate ??= await loadCandidates(input.candidate);
      if (candidate.info.bundleHash !== plan.candidate.bundleHash) {
        throw new UsageError(
          `the candidate given (${candidate.info.bundleHash}) is not the one the plan was made with (${plan.candidate.bundleHash})`,
          'pass the same --workflows / --bundle as for `safe-deploy plan`, or make a new plan',
        );
      }
      return candidate;
    };
    const replay = async (e: PlannedExecution, history: HistoryLike): Promise<Verdict | undefined> => {
      const c = await getCandidate();
      if (!c) return undefined;
      let verdict: Verdict | undefined;
      const facts = historyFacts(history);
      for await (const r of replayCandidates(c, [{ workflowId: e.workflowId, history: history as never, facts, origin: 'server' }])) verdict = r.verdict;
      return verdict;
    };
    // Loaded before anything is sent (a wrong candidate is refused first), and so ready for the
    // read-back to replay at once; not when the journal leaves nothing to do.
    const upgrades = actions.includes('upgrade') && (input.plan.tally.actions.upgrade ?? 0) > 0;

    const verify = async (e: PlannedExecution): Promise<Verified> => {
      const now = await describeExecutionIfExists(temporal, { workflowId: e.workflowId, runId: e.runId });
      if (!now) return { status: 'skipped', detail: 'no longer exists on the server' };
      if (!now.running) return { status: 'skipped', detail: 'no longer running' };
      if (overrideMatches(now.override, e.targetOverride)) return { status: 'already', detail: `override already ${overrideKey(now.override)}`, now };
      const receiptEnd = Number(e.receipt.lastEventId);
      const grew = now.historyLength > receiptEnd;
      if (!grew && sameState(now, e.state)) return { status: 'ready', ready: { e, replayedThrough: receiptEnd } };
      let verdict = e.receipt.verdict;
      let overrideSetBy: string | undefined;
      if (grew) {
        if (!input.candidate) {
          return {
            status: 'replanned',
            detail: `history grew from ${e.receipt.lastEventId} to ${now.historyLength} events; no candidate given to replay it again (run apply again with --workflows or --bundle to reconsider it)`,
          };
        }
        const history = await fetchHistory(temporal, { workflowId: e.workflowId, runId: e.runId, historyLength: now.historyLength });
        overrideSetBy = historyFacts(history).overrideSetBy;
        verdict = (await replay(e, history)) ?? verdict;
        now.historyLength = Math.max(now.historyLength, history.events?.length ?? 0);
      }
      const decision = decide({ workflowType: e.workflowType, state: now, verdict, overrideSetBy, candidateVersion: plan.candidate.version, policy: plan.policy });
      const why = grew ? `history grew from ${e.receipt.lastEventId} to ${now.historyLength} events, replayed again: ${verdict}` : 'its versioning state changed since the plan';
      if (decision.action !== e.action) return { status: 'replanned', detail: `${why}; now ${decision.action}: ${decision.reason}` };
      return { status: 'ready', ready: { e, replayedThrough: now.historyLength }, detail: why };
    };

    /**
     * The event ID of our latest auto_upgrade override, read newest first and only back to event
     * `after`: an override this run just set comes after every event the replay saw, so one small
     * page finds it in a history of any length. (An older override of ours further back is not this one.)
     */
    const ourOverrideEvent = async (e: PlannedExecution, after: number): Promise<number | undefined> => {
      for await (const event of eventsNewestFirst(temporal, { workflowId: e.workflowId, runId: e.runId })) {
        const eventId = Number(String(event.eventId ?? 0));
        if (eventId <= after) return undefined;
        if (setsAutoUpgradeBy(event, SAFE_DEPLOY_IDENTITY)) return eventId;
      }
      return undefined;
    };
    const wholeHistory = (e: PlannedExecution) => fetchHistory(temporal, { workflowId: e.workflowId, runId: e.runId, historyLength: 0 });

    /** The invariant, read back from the history: every event before our override was replayed on the candidate. */
    const confirmUpgrade = async (r: Ready, jobId?: string): Promise<void> => {
      const { e } = r;
      const ok = r.already ? 'already' : 'done';
      // An override found in place may have been set by an earlier run anywhere in the history.
      const after = r.already ? 0 : r.replayedThrough;
      // The server writes an options update that arrives during a workflow task after that task's
      // events: until the task completes, our override is in effect but not yet in the history.
      const waitUntil = Date.now() + OVERRIDE_EVENT_WAIT_MS;
      let eventId = await ourOverrideEvent(e, after);
      while (eventId === undefined && !r.already && Date.now() < waitUntil && !input.signal?.aborted) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        eventId = await ourOverrideEvent(e, after);
      }
      if (eventId === undefined && r.already) return settle(e, ok);
      // Event IDs run 1, 2, 3...: the event before ours is eventId - 1.
      if (eventId !== undefined && eventId - 1 <= r.replayedThrough) return settle(e, ok, { ...(jobId && { jobId }) });
      const history = await wholeHistory(e);
      const set = lastAutoUpgradeOverride(history, SAFE_DEPLOY_IDENTITY);
      if (eventId === undefined || !set) {
        // Cannot tell what ran before it: the safe side is to take it back.
        return revert(r, jobId, `our override is still not in the history after ${OVERRIDE_EVENT_WAIT_MS / 1000}s (a workflow task in flight)`, { events: history.events ?? [] });
      }
      const arrived = `events ${r.replayedThrough + 1}-${set.lastEventBefore} arrived between the replay and our override (event ${set.eventId})`;
      const prefix = { events: (history.events ?? []).slice(0, set.index) };
      const verdict = await replay(e, prefix);
      if (verdict) {
        const decision = decide({ workflowType: e.workflowType, state: e.state, verdict, candidateVersion: plan.candidate.version, policy: plan.policy });
        if (decision.action === 'upgrade') return settle(e, ok, { ...(jobId && { jobId }), detail: `${arrived}; replayed them at once: ${verdict}` });
      }
      const why = verdict ? `the candidate does not replay them: ${verdict}` : 'no candidate given to replay them';
      return revert(r, jobId, `${arrived}; ${why}`, prefix);
    };

    /** Our auto_upgrade override, taken back: PINNED on the build it ran on. */
    const revert = async ({ e }: Ready, jobId: string | undefined, why: string, before: HistoryLike): Promise<void> => {
      const now = await describeExecutionIfExists(temporal, { workflowId: e.workflowId, runId: e.runId });
      const version = historyFacts(before).version ?? now?.version ?? e.state.version;
      if (!version) return settle(e, 'failed', { detail: `${why}; no version known to pin it back to: set its override by hand` });
      await setOverride(temporal, { workflowId: e.workflowId, runId: e.runId }, { kind: 'pinned', version }, SAFE_DEPLOY_IDENTITY);
      settle(e, 'reverted', { ...(jobId && { jobId }), detail: `${why}: set back to PINNED on ${version}` });
    };

    const readBack = async (r: Ready, target: string, jobId?: string): Promise<void> => {
      const now = await describeExecutionIfExists(temporal, { workflowId: r.e.workflowId, runId: r.e.runId });
      if (!now) return settle(r.e, 'skipped', { ...(jobId && { jobId }), detail: 'no longer exists on the server' });
      if (!overrideMatches(now.override, r.e.targetOverride)) {
        return settle(r.e, 'failed', { ...(jobId && { jobId }), detail: `override is ${overrideKey(now.override)} after the change, wanted ${target}` });
      }
      if (r.e.action === 'upgrade') return confirmUpgrade(r, jobId);
      settle(r.e, 'done', { ...(jobId && { jobId }) });
    };

    const candidateMustBeCurrent = async (): Promise<void> => {
      const d = await describeDeployment(temporal, plan.deployment);
      if (d?.currentVersion === plan.candidate.version) return;
      throw new UsageError(
        `${plan.candidate.version} is not the current version of ${plan.deployment} (current: ${d?.currentVersion ?? 'none'}${d?.rampingVersion ? `, ramping: ${d.rampingVersion}` : ''}): an auto_upgrade override now would run the executions on the old code past the history the candidate replayed`,
        'pass --promote (or --wait-for-current if something else promotes it), or run `apply --phase upgrade` once the candidate is current',
      );
    };

    // Our own pace for one-by-one changes; a batch job runs at the server's pace (worker.batcherRPS).
    const limiter = input.rps ? new RateLimiter(input.rps) : undefined;
    /** Each one re-checked and changed at once: the window between the two is one round trip. */
    const sendOneByOne = async (executions: PlannedExecution[], onVerified: (e: PlannedExecution, v: Verified) => Ready | undefined): Promise<void> => {
      let current: Promise<void> | undefined;
      for await (const _ of mapConcurrent(
        executions,
        async (e) => {
          if (limiter && !(await limiter.take(input.signal))) return;
          const v = await verify(e);
          const ready = onVerified(e, v);
          if (!ready) return;
          if (v.status === 'ready') {
            if (e.action === 'upgrade') await (current ??= candidateMustBeCurrent());
            record(e, 'started', { detail: `${overrideKey(e.targetOverride)} (direct)` });
            await setOverride(temporal, { workflowId: e.workflowId, runId: e.runId }, e.targetOverride, SAFE_DEPLOY_IDENTITY);
          }
          await readBack(ready, overrideKey(e.targetOverride));
        },
        DIRECT_CONCURRENCY,
        input.signal,
      ));
    };
    /** Starts a batch job; false when the namespace already runs as many as its server allows. */
    const startBatch = async (executions: PlannedExecution[], jobId: string, action: Action): Promise<boolean> => {
      try {
        await startBatchOverride(temporal, {
          jobId,
          reason: `safe-deploy ${action} for candidate ${plan.candidate.version} (${plan.candidate.bundleHash})`,
          identity: SAFE_DEPLOY_IDENTITY,
          executions: executions.map((e) => ({ workflowId: e.workflowId, runId: e.runId })),
          override: (executions[0] as PlannedExecution).targetOverride,
          maxOperationsPerSecond: input.rps,
        });
        return true;
      } catch (err) {
        if (err instanceof BatchLimitError) return false;
        throw err;
      }
    };

    const chunkSize = input.chunkSize ?? 500;
    const directMax = input.directMax ?? DEFAULT_DIRECT_MAX;
    let batchNumber = 0;
    for await (const chunk of chunked(todo(), chunkSize)) {
      if (todoSeen === 0 && upgrades && !input.dryRun) await getCandidate();
      todoSeen += chunk.length;
      if (input.signal?.aborted) throw new InterruptedError('interrupted');
      const onVerified = (e: PlannedExecution, v: Verified): Ready | undefined => {
        if (v.status === 'ready') return v.ready;
        if (v.status === 'already' && e.action === 'upgrade') return { e, replayedThrough: Number(e.receipt.lastEventId), already: true };
        settle(e, v.status, { detail: v.detail });
        return undefined;
      };

      if (input.dryRun) {
        for await (const { e, v } of mapConcurrent(chunk, async (e) => ({ e, v: await verify(e) }), 16, input.signal)) {
          if (v.status === 'ready') await records?.wouldChange.append(wouldChangeOf(e));
          else record(e, v.status, { detail: v.detail });
        }
        continue;
      }

      if (chunk.length <= directMax) {
        await sendOneByOne(chunk, onVerified);
        continue;
      }

      // Many: the chunk is re-checked just before its batch is sent.
      const ready: Ready[] = [];
      const alreadyUpgraded: Ready[] = [];
      for await (const { e, v } of mapConcurrent(chunk, async (e) => ({ e, v: await verify(e) }), 16, input.signal)) {
        const r = onVerified(e, v);
        if (r) (v.status === 'ready' ? ready : alreadyUpgraded).push(r);
      }
      for (const r of alreadyUpgraded) await confirmUpgrade(r);
      const groups = groupBy(ready, (r) => overrideKey(r.e.targetOverride));
      for (const [target, group] of groups) {
        if (input.signal?.aborted) throw new InterruptedError('interrupted');
        const first = group[0]?.e as PlannedExecution;
        if (first.action === 'upgrade') await candidateMustBeCurrent();
        const jobId = `safe-deploy-${plan.candidate.buildId}-${first.action}-${Date.now()}-${batchNumber++}`.replace(/[^A-Za-z0-9_.-]/g, '_');
        const executions = group.map((r) => r.e);
        // Journaled before it is sent: a run killed in between finds the job (or learns it never started).
        for (const r of group) record(r.e, 'started', { jobId, detail: target });
        if (!(await startBatch(executions, jobId, first.action))) {
          note(`batch ${jobId} refused: the namespace already runs as many batch operations as its server allows; its ${group.length} change(s) go one by one instead`);
          await sendOneByOne(executions, onVerified);
          continue;
        }
        // Not fatal if it is still running at the timeout: the read-back records what did and did not change; a re-run finishes it.
        await waitForBatch(temporal, jobId, { timeoutMs: input.batchTimeoutMs ?? 300_000, onProgress: input.onBatchProgress, signal: input.signal });
        // Read back every execution (the batch API does not list the ones it failed on), while the
        // next chunk is re-checked and sent: one read-back at a time, in order.
        const previous = readingBack;
        readingBack = (async () => {
          await previous;
          // No abort signal: what a sent batch changed is always read back (and reverted if need be).
          for await (const _ of mapConcurrent(group, (r) => readBack(r, target, jobId), 8));
        })();
        readingBack.catch(() => undefined); // awaited below; this only keeps an early throw elsewhere from leaving it unhandled
      }
    }
    todoComplete = true;
    await readingBack;
    if (input.signal?.aborted) throw new InterruptedError('interrupted');
  } catch (err) {
    if (!(err instanceof SafeDeployError)) {
      if (!input.dryRunRecords) records?.dispose(); // no result to hand them over in
      throw err;
    }
    if (err instanceof InterruptedError || input.signal?.aborted) result.interrupted = true;
    else result.error = { message: err.message, ...(err.hint && { hint: err.hint }), exitCode: err.exitCode };
  } finally {
    await readingBack.catch(() => undefined);
    lock?.release();
    await records?.close();
  }
  if (!input.dryRun) result.notDone = (todoComplete ? todoSeen : await countOrSeen(todo(), todoSeen)) - settled;
  return result;
}

/** How many a source yields, read to its end; when it cannot be read to the end, at least `seen`. */
async function countOrSeen(source: AsyncIterable<unknown>, seen: number): Promise<number> {
  let n = 0;
  try {
    for await (const _ of source) n++;
  } catch {
    return seen;
  }
  return Math.max(n, seen);
}

/**
 * Batch jobs a previous run sent and journaled as `started`: each is described and, while it
 * runs, waited for; the executions are then read back as usual (and so get their outcome).
 */
async function settlePreviousBatches(input: ApplyInput, jobIds: Set<string>, note: (m: string) => void): Promise<void> {
  for (const jobId of jobIds) {
    const seen = await describeBatchIfExists(input.temporal, jobId);
    if (!seen) {
      note(`batch ${jobId} of a previous run never started on the server; its executions are checked and sent again`);
      continue;
    }
    const timeoutMs = input.batchTimeoutMs ?? 300_000;
    const started = Date.now();
    const p = seen.state === 'RUNNING' ? await waitForBatch(input.temporal, jobId, { timeoutMs, signal: input.signal, stallMs: input.batchStallMs ?? BATCH_STALL_MS }) : seen;
    if (p.state === 'RUNNING' && !input.signal?.aborted && Date.now() - started < timeoutMs) {
      // Stuck (seen after the server was frozen: the batcher's task lost until its timeout, minutes
      // later). Ours, so stopped: what it changed reads back as already done, the rest is sent again.
      await stopBatch(input.temporal, jobId, 'safe-deploy: a later run found it stalled and sends its changes itself', SAFE_DEPLOY_IDENTITY);
      note(`batch ${jobId} of a previous run made no progress for ${Math.round((input.batchStallMs ?? BATCH_STALL_MS) / 1000)} s (${p.complete}/${p.total}): stopped; its executions are checked and sent again`);
      continue;
    }
    note(`batch ${jobId} of a previous run: ${p.state} ${p.complete}/${p.total}${p.failure ? `, ${p.failure} failed` : ''}; its executions are read back`);
    if (p.state === 'RUNNING' && !input.signal?.aborted) {
      throw new UsageError(`batch ${jobId} of a previous run is still running`, 'run apply again once it has finished (see `temporal batch describe`)');
    }
  }
}

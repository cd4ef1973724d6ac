/**
 * The last pipeline step: for a window after the rollout, look for running executions of the
 * deployment whose workflow tasks fail on the candidate, and act (cli/core/watch.ts decides):
 * pin back those whose history the old build wrote, report the others with their reset point
 * (and reset them only with --reset). Every round re-reads the server; every change is journaled
 * before and after it is made, so a re-run resumes and never pins or resets twice.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseJournal } from '../core/journal.js';
import { SAFE_DEPLOY_IDENTITY } from '../core/plan.js';
import { buildVisibilityQuery } from '../core/selection.js';
import { DEFAULT_DESCRIBE_CONCURRENCY } from '../core/status.js';
import {
  decideWatch,
  longRunningNote,
  onCandidate,
  pinBackMethod,
  resetCommand,
  tasksFailing,
  WATCH_SCHEMA_VERSION,
  type Failure,
  type WatchedExecution,
} from '../core/watch.js';
import type { VersioningOverride } from '../core/versioning.js';
import { UsageError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeDeployment } from '../temporal/deployments.js';
import { setOverride } from '../temporal/executions.js';
import { listExecutions } from '../temporal/histories.js';
import { describeWatched, fetchEvents, REPORTED_PROBLEMS, resetExecution, taskOutcomes } from '../temporal/task-health.js';
import { mapConcurrent } from '../util/concurrency.js';
import { DigestSet } from '../util/digest-set.js';
import { acquireLock } from '../util/lock-file.js';
import { rateLimiter, sleep } from '../util/rate.js';

export type WatchAction = 'pin-back' | 'reset';
export type WatchJournalStatus = 'started' | 'done' | 'confirmed' | 'failed';

export interface WatchJournalEntry {
  at: string;
  workflowId: string;
  runId: string;
  action: WatchAction;
  status: WatchJournalStatus;
  /** pin-back by override: the version pinned to; pin-back by reset, and reset: the new run ID. */
  target?: string;
  detail?: string;
}

export type WatchItemStatus =
  /** Pinned back and its next workflow task completed on the old version. */
  | 'pinned-back'
  /** Pinned back; no task completed there yet when the window closed. */
  | 'pinned-unconfirmed'
  /** Reported with its reset point; nothing changed. */
  | 'reset-needed'
  /** Reset (--reset) to its reset point, the new run pinned to the old version. */
  | 'reset'
  /** --dry-run: what a real run would do. */
  | 'would-pin-back'
  | 'would-reset'
  /** The change was refused or did not take. */
  | 'failed';

export interface WatchItem {
  workflowId: string;
  runId: string;
  workflowType: string;
  failure: Failure;
  status: WatchItemStatus;
  reason: string;
  /** pin-back: the version it went back to. */
  pinnedTo?: string;
  /** pin-back: a pinned override, or (while it is moving to the candidate) a reset to its last task with one. */
  method?: 'override' | 'reset-to-last-task';
  /** The version that completed its last task before the candidate took over. */
  from?: string;
  resetEventId?: number;
  resetCommand?: string;
  newRunId?: string;
  reportedByServer: boolean;
  /** Set for a pinned-back long-running type. */
  longRunningNote?: string;
  detail?: string;
}

export interface WatchReport {
  schemaVersion: typeof WATCH_SCHEMA_VERSION;
  deployment: string;
  candidate: string;
  windowMs: number;
  startedAt: string;
  endedAt: string;
  rounds: number;
  /** Distinct running executions described during the window. */
  scanned: number;
  /** Executions the server flagged with TemporalReportedProblems during the window. */
  reportedByServer: number;
  items: WatchItem[];
  counts: { failing: number; pinnedBack: number; unconfirmed: number; resetNeeded: number; reset: number; failed: number };
  verdict: 'clean' | 'broke' | 'interrupted';
  dryRun: boolean;
  journalFile?: string;
}

export interface WatchInput {
  temporal: TemporalHandle;
  deployment: string;
  /** Default: the deployment's current version. */
  candidateBuildId?: string;
  windowMs: number;
  intervalMs?: number;
  /** Requests per second to the server (describe, history, override). */
  rps?: number;
  /** Executions described at once while scanning (default DEFAULT_DESCRIBE_CONCURRENCY), within `rps`. */
  concurrency?: number;
  /** How long to wait, after the window, for pinned-back executions to complete a task. */
  confirmTimeoutMs?: number;
  longRunningTypes?: string[];
  reset?: boolean;
  dryRun?: boolean;
  journalPath: string;
  signal?: AbortSignal;
  onStep?: (message: string) => void;
}

const key = (e: { workflowId: string; runId: string }) => `${e.workflowId}\u0000${e.runId}`;

export function readWatchJournal(path: string): WatchJournalEntry[] {
  return existsSync(path) ? parseJournal<WatchJournalEntry>(readFileSync(path, 'utf8')) : [];
}

export async function runWatch(input: WatchInput): Promise<WatchReport> {
  const { temporal: t, deployment } = input;
  const state = await describeDeployment(t, deployment);
  if (!state) throw new UsageError(`Worker Deployment "${deployment}" not found`, 'check --deployment and --namespace');
  const candidate = input.candidateBuildId ? `${deployment}:${input.candidateBuildId}` : state.currentVersion;
  if (!candidate) throw new UsageError(`Worker Deployment "${deployment}" has no current version`, 'pass --candidate-build-id');
  const release = input.dryRun ? () => undefined : acquireLock(input.journalPath);
  try {
    return await watchWindow(input, candidate);
  } finally {
    release();
  }
}

async function watchWindow(input: WatchInput, candidate: string): Promise<WatchReport> {
  const { temporal: t } = input;
  const started = Date.now();
  const limit = rateLimiter(input.rps ?? 20);
  const items = new Map<string, WatchItem>();
  const scanned = new DigestSet();
  const flagged = new DigestSet();
  /** Pinned back, waiting for a task to complete on the old version (in `runId`: the new run after a reset). */
  const confirming = new Map<string, { item: WatchItem; runId: string; afterEventId: number }>();
  const journal = readWatchJournal(input.journalPath);
  const record = (e: Omit<WatchJournalEntry, 'at'>): void => {
    if (!input.dryRun) appendFileSync(input.journalPath, JSON.stringify({ at: new Date().toISOString(), ...e }) + '\n');
  };
  const done = new Map<string, WatchJournalEntry>();
  for (const e of journal) if (e.status !== 'started') done.set(`${key(e)}\u0000${e.action}`, e);

  const query = buildVisibilityQuery({ deployment: input.deployment });
  const problemsQuery = `${query} AND ${REPORTED_PROBLEMS} IN ("category=WorkflowTaskFailed", "category=WorkflowTaskTimedOut")`;
  let rounds = 0;

  const confirm = async (): Promise<void> => {
    for (const [k, c] of confirming) {
      await limit();
      const tasks = taskOutcomes(await fetchEvents(t, { workflowId: c.item.workflowId, runId: c.runId }));
      if (tasks.some((x) => x.kind === 'completed' && x.eventId > c.afterEventId && x.version === c.item.pinnedTo)) {
        c.item.status = 'pinned-back';
        record({ workflowId: c.item.workflowId, runId: c.item.runId, action: 'pin-back', status: 'confirmed', target: c.item.pinnedTo });
        input.onStep?.(`${c.item.workflowId}: its next workflow task completed on ${c.item.pinnedTo}`);
        confirming.delete(k);
      }
    }
  };

  const handle = async (e: WatchedExecution): Promise<void> => {
    const k = key(e);
    if (items.has(k)) return;
    await limit();
    const events = await fetchEvents(t, e);
    const tasks = taskOutcomes(events);
    const decision = decideWatch({ execution: e, tasks, candidateVersion: candidate });
    const base = { workflowId: e.workflowId, runId: e.runId, workflowType: e.workflowType, failure: decision.failure, reason: decision.reason, reportedByServer: e.reportedProblems.length > 0 };
    const lastEventId = Number(events.at(-1)?.eventId ?? 0);
    if (decision.action === 'pin-back') {
      const method = pinBackMethod(e, candidate);
      const item: WatchItem = { ...base, status: 'would-pin-back', pinnedTo: decision.to, method, from: decision.to };
      if (method === 'reset-to-last-task') item.resetEventId = decision.lastTaskEventId;
      if ((input.longRunningTypes ?? []).includes(e.workflowType)) item.longRunningNote = longRunningNote(decision.to);
      items.set(k, item);
      input.onStep?.(`${e.workflowId}: ${decision.failure.kind === 'nde' ? 'non-determinism error' : 'workflow task failure'} on ${candidate}; ${input.dryRun ? 'would pin' : 'pinning'} it back to ${decision.to}${method === 'reset-to-last-task' ? ` (reset to its last task, event ${decision.lastTaskEventId})` : ''}`);
      if (input.dryRun) return;
      const already = done.get(`${k}\u0000pin-back`);
      let runId = e.runId;
      let afterEventId = lastEventId;
      if (already && already.status !== 'failed') {
        if (method === 'reset-to-last-task' && already.target) runId = already.target;
      } else {
        record({ workflowId: e.workflowId, runId: e.runId, action: 'pin-back', status: 'started', target: decision.to, detail: decision.failure.message.slice(0, 300) });
        await limit();
        try {
          const pinned: VersioningOverride = { kind: 'pinned', version: decision.to };
          if (method === 'reset-to-last-task') {
            runId = await resetExecution(t, e, decision.lastTaskEventId, { reason: `safe-deploy watch: pin back to ${decision.to}, tasks fail on ${candidate}`, identity: SAFE_DEPLOY_IDENTITY, override: pinned });
            item.newRunId = runId;
            afterEventId = decision.lastTaskEventId;
          } else {
            await setOverride(t, e, pinned, SAFE_DEPLOY_IDENTITY);
          }
        } catch (err) {
          item.status = 'failed';
          item.detail = (err as Error).message;
          record({ workflowId: e.workflowId, runId: e.runId, action: 'pin-back', status: 'failed', target: decision.to, detail: item.detail });
          return;
        }
        record({ workflowId: e.workflowId, runId: e.runId, action: 'pin-back', status: 'done', target: method === 'reset-to-last-task' ? runId : decision.to, detail: method });
      }
      item.status = 'pinned-unconfirmed';
      confirming.set(k, { item, runId, afterEventId });
      return;
    }
    const command = resetCommand(e, decision, candidate, { address: t.address, namespace: t.namespace });
    const item: WatchItem = {
      ...base,
      status: 'reset-needed',
      ...(decision.from && { from: decision.from }),
      ...(decision.resetEventId !== undefined && { resetEventId: decision.resetEventId }),
      ...(command && { resetCommand: command }),
    };
    items.set(k, item);
    input.onStep?.(`${e.workflowId}: workflow tasks fail on ${candidate}, which already ran it: reset point event ${decision.resetEventId ?? 'none'}`);
    if (!input.reset || decision.resetEventId === undefined) return;
    if (input.dryRun) {
      item.status = 'would-reset';
      return;
    }
    const already = done.get(`${k}\u0000reset`);
    if (already?.status === 'done') {
      item.status = 'reset';
      if (already.target) item.newRunId = already.target;
      return;
    }
    record({ workflowId: e.workflowId, runId: e.runId, action: 'reset', status: 'started', detail: `event ${decision.resetEventId}` });
    await limit();
    try {
      item.newRunId = await resetExecution(t, e, decision.resetEventId, {
        reason: `safe-deploy watch: workflow tasks fail on ${candidate}`,
        identity: SAFE_DEPLOY_IDENTITY,
        ...(decision.from && { override: { kind: 'pinned', version: decision.from } }),
      });
      item.status = 'reset';
      record({ workflowId: e.workflowId, runId: e.runId, action: 'reset', status: 'done', target: item.newRunId });
    } catch (err) {
      item.status = 'failed';
      item.detail = (err as Error).message;
      record({ workflowId: e.workflowId, runId: e.runId, action: 'reset', status: 'failed', detail: item.detail });
    }
  };

  const round = async (): Promise<void> => {
    rounds++;
    // The server's own flag first (cheap, but set only after several failed attempts; few, so
    // held), then every running execution's pending task (the ground truth), streamed from the
    // listing into the describes: a round holds `concurrency` executions, not the deployment's.
    const problems = new Map<string, { workflowId: string; runId: string }>();
    try {
      for await (const e of listExecutions(t, problemsQuery, { signal: input.signal })) {
        problems.set(key(e), e);
        flagged.add(key(e));
      }
    } catch {
      // A server without the attribute refuses the query: the scan below still finds them.
    }
    async function* everyOne(): AsyncGenerator<{ workflowId: string; runId: string }> {
      yield* problems.values();
      for await (const e of listExecutions(t, query, { signal: input.signal })) if (!problems.has(key(e))) yield e;
    }
    const scan = async (ref: { workflowId: string; runId: string }): Promise<void> => {
      if (items.has(key(ref))) return;
      await limit();
      const e = await describeWatched(t, ref);
      if (!e) return;
      scanned.add(key(ref));
      if (e.reportedProblems.length) flagged.add(key(ref));
      if (onCandidate(e, candidate) && tasksFailing(e)) await handle(e);
    };
    for await (const _ of mapConcurrent(everyOne(), scan, input.concurrency ?? DEFAULT_DESCRIBE_CONCURRENCY, input.signal)) {
      // scanned
    }
    await confirm();
  };

  const windowEnd = started + input.windowMs;
  for (;;) {
    await round();
    if (input.signal?.aborted || Date.now() >= windowEnd) break;
    await sleep(Math.min(input.intervalMs ?? 5_000, Math.max(0, windowEnd - Date.now())), input.signal);
  }
  // Give pinned-back executions their retry: the server backs off between failed attempts.
  const confirmEnd = Date.now() + (input.confirmTimeoutMs ?? 60_000);
  while (confirming.size > 0 && !input.signal?.aborted && Date.now() < confirmEnd) {
    await sleep(1_000, input.signal);
    await confirm();
  }

  const list = [...items.values()];
  const count = (...s: WatchItemStatus[]) => list.filter((i) => s.includes(i.status)).length;
  return {
    schemaVersion: WATCH_SCHEMA_VERSION,
    deployment: input.deployment,
    candidate,
    windowMs: input.windowMs,
    startedAt: new Date(started).toISOString(),
    endedAt: new Date().toISOString(),
    rounds,
    scanned: scanned.size,
    reportedByServer: flagged.size,
    items: list,
    counts: {
      failing: list.length,
      pinnedBack: count('pinned-back', 'would-pin-back'),
      unconfirmed: count('pinned-unconfirmed'),
      resetNeeded: count('reset-needed', 'would-reset'),
      reset: count('reset'),
      failed: count('failed'),
    },
    verdict: input.signal?.aborted ? 'interrupted' : list.length > 0 ? 'broke' : 'clean',
    dryRun: Boolean(input.dryRun),
    ...(!input.dryRun && { journalFile: input.journalPath }),
  };
}

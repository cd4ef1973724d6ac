/**
 * describe deployment -> list its running executions -> describe each, keep those pinned to an old
 * version -> signal them (rate-limited) -> confirm each moved, signalling again those that have not
 * (a signal can arrive before the server marks the version change) until the confirm timeout.
 * Returns the report as data; the command shows it.
 */
import {
  finalOutcome,
  isNudgeCandidate,
  NUDGE_SCHEMA_VERSION,
  observe,
  pinnedVersionOf,
  resignalDelayMs,
  sameChain,
  summarizeNudge,
  type NudgeReport,
  type NudgeResult,
  type Observation,
  type Routing,
  type RunState,
} from '../core/nudge.js';
import { buildVisibilityQuery } from '../core/selection.js';
import { DEFAULT_DESCRIBE_CONCURRENCY } from '../core/status.js';
import { InterruptedError, UsageError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeDeployment, unknownDeploymentError } from '../temporal/deployments.js';
import { listExecutions } from '../temporal/histories.js';
import { describeRun, SAFE_DEPLOY_IDENTITY, signalExecution } from '../temporal/signals.js';
import { mapConcurrent } from '../util/concurrency.js';
import { RateLimiter, sleep } from '../util/rate.js';

export interface NudgeInput {
  temporal: TemporalHandle;
  deployment: string;
  workflowTypes?: string[];
  signalName: string;
  /** Signals per second, first signals and re-signals together. */
  rps: number;
  /** How long to wait for the signalled executions to move, after the first signals went out. */
  confirmTimeoutMs: number;
  dryRun: boolean;
  concurrency?: number;
  /** Between confirmation rounds (default 1 s). */
  pollIntervalMs?: number;
  /** Before listing again when the first listing found nothing (visibility lags; default 2 s). */
  relistDelayMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: NudgeProgress) => void;
}

export type NudgeProgress =
  | { phase: 'listing'; described: number; candidates: number }
  | { phase: 'signalling'; sent: number; total: number }
  | { phase: 'confirming'; moved: number; closed: number; waiting: number; remainingMs: number };

interface Candidate extends RunState {
  workflowId: string;
}

interface Tracked {
  candidate: Candidate;
  fromVersion: string;
  signalsSent: number;
  lastSignalAt: number;
  error?: string;
  observation?: Observation;
}

async function drain(items: AsyncIterable<unknown>, onEach?: () => void): Promise<void> {
  for await (const _ of items) onEach?.();
}

export async function resolveRouting(t: TemporalHandle, name: string): Promise<Routing> {
  const deployment = await describeDeployment(t, name);
  if (!deployment) throw unknownDeploymentError(t, name);
  if (!deployment.currentVersion) {
    throw new UsageError(
      `Worker Deployment "${name}" has no current version: there is nothing to move executions onto`,
      'make a version current first (`temporal worker deployment set-current-version`), then nudge',
    );
  }
  return { currentVersion: deployment.currentVersion, ...(deployment.rampingVersion && { rampingVersion: deployment.rampingVersion }) };
}

async function findCandidates(input: NudgeInput, routing: Routing): Promise<Candidate[]> {
  const t = input.temporal;
  const query = buildVisibilityQuery({ deployment: input.deployment, workflowTypes: input.workflowTypes });
  let described = 0;
  const candidates: Candidate[] = [];
  const runs = mapConcurrent(
    listExecutions(t, query, { signal: input.signal }),
    async (e) => ({ workflowId: e.workflowId, run: await describeRun(t, e.workflowId, e.runId) }),
    input.concurrency ?? DEFAULT_DESCRIBE_CONCURRENCY,
    input.signal,
  );
  for await (const { workflowId, run } of runs) {
    described++;
    // Visibility lags: the describe, not the listing, decides.
    if (run && isNudgeCandidate(run, routing)) candidates.push({ ...run, workflowId });
    input.onProgress?.({ phase: 'listing', described, candidates: candidates.length });
  }
  return candidates;
}

/** The latest run of the candidate's workflow ID, or its own run if the ID now belongs to another chain. */
async function latestOf(t: TemporalHandle, c: Candidate): Promise<RunState | undefined> {
  const latest = await describeRun(t, c.workflowId);
  if (!latest || sameChain(c, latest)) return latest;
  return describeRun(t, c.workflowId, c.runId);
}

export async function runNudge(input: NudgeInput): Promise<NudgeReport> {
  const t = input.temporal;
  const routing = await resolveRouting(t, input.deployment);
  const aborted = (): boolean => Boolean(input.signal?.aborted);

  let candidates = await findCandidates(input, routing);
  if (candidates.length === 0 && !aborted()) {
    // Visibility is eventually consistent: look once more before concluding there is nothing to do.
    await sleep(input.relistDelayMs ?? 2000, input.signal);
    if (!aborted()) candidates = await findCandidates(input, routing);
  }
  if (aborted()) throw new InterruptedError('interrupted before anything was signalled', 'run it again');

  const report = (results: NudgeResult[], interrupted: boolean): NudgeReport => ({
    schemaVersion: NUDGE_SCHEMA_VERSION,
    deployment: input.deployment,
    currentVersion: routing.currentVersion,
    signal: input.signalName,
    dryRun: input.dryRun,
    results,
    summary: summarizeNudge(results),
    ...(interrupted && { interrupted: true }),
  });
  const base = (c: Candidate): Pick<NudgeResult, 'workflowId' | 'runId' | 'workflowType' | 'fromVersion'> => ({
    workflowId: c.workflowId,
    runId: c.runId,
    workflowType: c.workflowType,
    fromVersion: pinnedVersionOf(c) ?? 'unversioned',
  });

  if (input.dryRun) return report(candidates.map((c) => ({ ...base(c), outcome: 'would_signal' })), false);

  const limiter = new RateLimiter(input.rps);
  const concurrency = input.concurrency ?? DEFAULT_DESCRIBE_CONCURRENCY;
  const tracked: Tracked[] = candidates.map((c) => ({ candidate: c, fromVersion: base(c).fromVersion, signalsSent: 0, lastSignalAt: 0 }));

  const send = async (x: Tracked, runId: string): Promise<void> => {
    if (!(await limiter.take(input.signal))) return;
    const r = await signalExecution(t, { workflowId: x.candidate.workflowId, runId }, input.signalName, SAFE_DEPLOY_IDENTITY);
    x.lastSignalAt = Date.now();
    if (r.ok) {
      x.signalsSent++;
      delete x.error;
    } else if (!r.closed) x.error = r.message;
    // A closed one is classified by the next describe (it may have moved on its own).
  };

  let sent = 0;
  await drain(mapConcurrent(tracked, (x) => send(x, x.candidate.runId), concurrency, input.signal), () =>
    input.onProgress?.({ phase: 'signalling', sent: ++sent, total: tracked.length }),
  );

  const deadline = Date.now() + input.confirmTimeoutMs;
  for (;;) {
    const open = tracked.filter((x) => !x.observation || x.observation.kind === 'waiting');
    await drain(
      mapConcurrent(
        open,
        async (x) => void (x.observation = observe(x.candidate.runId, await latestOf(t, x.candidate), routing)),
        concurrency,
        input.signal,
      ),
    );
    const waiting = tracked.filter((x) => x.observation?.kind === 'waiting');
    input.onProgress?.({
      phase: 'confirming',
      moved: tracked.filter((x) => x.observation?.kind === 'moved').length,
      closed: tracked.filter((x) => x.observation?.kind === 'closed').length,
      waiting: waiting.length,
      remainingMs: Math.max(0, deadline - Date.now()),
    });
    if (waiting.length === 0 || Date.now() >= deadline || aborted()) break;

    // Wake again the ones that have not moved (their latest run: it may have continued-as-new, still pinned).
    const due = waiting.filter((x) => Date.now() - x.lastSignalAt >= resignalDelayMs(x.signalsSent));
    await drain(mapConcurrent(due, (x) => send(x, x.observation?.kind === 'waiting' ? x.observation.runId : x.candidate.runId), concurrency, input.signal));
    await sleep(Math.min(input.pollIntervalMs ?? 1000, Math.max(0, deadline - Date.now())), input.signal);
  }

  const results = tracked.map((x): NudgeResult => ({
    ...base(x.candidate),
    ...finalOutcome(x.observation ?? { kind: 'waiting', runId: x.candidate.runId }),
    signalsSent: x.signalsSent,
    ...(x.error && { error: x.error }),
  }));
  return report(results, aborted());
}

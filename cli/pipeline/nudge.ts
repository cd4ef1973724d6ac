/**
 * describe deployment -> list its running executions -> describe each and signal (rate-limited) at
 * once those pinned to an old version -> confirm each moved, signalling again those that have not
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
import { SpillDir } from '../util/spill-file.js';
import { NudgeResultStore } from './nudge-results.js';

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
  /** Found and signalled in one pass: `signalled` counts those whose first signal was delivered (none in a dry run). */
  | { phase: 'listing'; described: number; candidates: number; signalled: number }
  | { phase: 'confirming'; moved: number; closed: number; waiting: number; remainingMs: number };

/**
 * One pinned execution, as nudge carries it from pass to pass on disk: the original run, how it
 * was signalled, and the run to signal again (its latest, when it continued-as-new still pinned).
 */
interface Tracked {
  workflowId: string;
  runId: string;
  firstRunId?: string;
  workflowType: string;
  fromVersion: string;
  signalsSent: number;
  lastSignalAt: number;
  /** Set once a describe found a later run of the chain still pinned. */
  latestRunId?: string;
  error?: string;
}

async function drain(items: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of items);
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

function tracked(workflowId: string, run: RunState): Tracked {
  return {
    workflowId,
    runId: run.runId,
    ...(run.firstRunId && { firstRunId: run.firstRunId }),
    workflowType: run.workflowType,
    fromVersion: pinnedVersionOf(run) ?? 'unversioned',
    signalsSent: 0,
    lastSignalAt: 0,
  };
}

/**
 * Lists and describes the deployment's running executions and hands each pinned one to `onCandidate`
 * as soon as its describe returns, so signalling overlaps the listing instead of waiting for it.
 */
async function findCandidates(
  input: NudgeInput,
  routing: Routing,
  onCandidate: (x: Tracked) => Promise<void>,
  onDescribed: () => void,
): Promise<void> {
  const t = input.temporal;
  const query = buildVisibilityQuery({ deployment: input.deployment, workflowTypes: input.workflowTypes });
  const found = mapConcurrent(
    listExecutions(t, query, { signal: input.signal }),
    async (e) => {
      const run = await describeRun(t, e.workflowId, e.runId);
      // Visibility lags: the describe, not the listing, decides.
      if (run && isNudgeCandidate(run, routing)) await onCandidate(tracked(e.workflowId, run));
      onDescribed();
    },
    input.concurrency ?? DEFAULT_DESCRIBE_CONCURRENCY,
    input.signal,
  );
  await drain(found);
}

/** The latest run of the candidate's workflow ID, or its own run if the ID now belongs to another chain. */
async function latestOf(t: TemporalHandle, c: Tracked): Promise<RunState | undefined> {
  const latest = await describeRun(t, c.workflowId);
  if (!latest || sameChain(c, latest)) return latest;
  return describeRun(t, c.workflowId, c.runId);
}

function resultOf(x: Tracked, o: Observation): NudgeResult {
  return {
    workflowId: x.workflowId,
    runId: x.runId,
    workflowType: x.workflowType,
    fromVersion: x.fromVersion,
    ...finalOutcome(o),
    signalsSent: x.signalsSent,
    ...(x.error && { error: x.error }),
  };
}

/**
 * Every execution is carried on disk (cli/util/spill-file.ts): found and signalled in one pass,
 * then each confirmation round reads the executions still waiting and writes those that still are,
 * so memory stays that of `concurrency` executions however many are pinned. The report's results
 * are read back from disk: close them when done (the command does, after reporting).
 */
export async function runNudge(input: NudgeInput): Promise<NudgeReport> {
  const t = input.temporal;
  const routing = await resolveRouting(t, input.deployment);
  const aborted = (): boolean => Boolean(input.signal?.aborted);
  const spill = SpillDir.create('safe-deploy-nudge-');
  try {
    return await nudgeWith(input, routing, spill, aborted);
  } catch (err) {
    spill.dispose();
    throw err;
  }
}

async function nudgeWith(input: NudgeInput, routing: Routing, spill: SpillDir, aborted: () => boolean): Promise<NudgeReport> {
  const t = input.temporal;
  const store = new NudgeResultStore(spill);
  const report = async (interrupted: boolean): Promise<NudgeReport> => ({
    schemaVersion: NUDGE_SCHEMA_VERSION,
    deployment: input.deployment,
    currentVersion: routing.currentVersion,
    signal: input.signalName,
    dryRun: input.dryRun,
    results: await store.finish(),
    summary: store.summary,
    ...(interrupted && { interrupted: true }),
  });

  const limiter = new RateLimiter(input.rps);
  const concurrency = input.concurrency ?? DEFAULT_DESCRIBE_CONCURRENCY;
  const send = async (x: Tracked): Promise<void> => {
    // Interrupted: carried on unsignalled, and reported as a straggler that was never signalled.
    if (!(await limiter.take(input.signal))) return;
    const r = await signalExecution(t, { workflowId: x.workflowId, runId: x.latestRunId ?? x.runId }, input.signalName, SAFE_DEPLOY_IDENTITY);
    x.lastSignalAt = Date.now();
    if (r.ok) {
      x.signalsSent++;
      delete x.error;
    } else if (!r.closed) x.error = r.message;
    // A closed one is classified by the next describe (it may have moved on its own).
  };

  // Found and first signalled in one pass: each pinned execution is signalled as soon as its
  // describe returns, then carried to the confirmation rounds (or, in a dry run, reported as is).
  let waiting = spill.file<Tracked>('waiting-0');
  let described = 0;
  let found = 0;
  let signalled = 0;
  const find = (): Promise<void> =>
    findCandidates(
      input,
      routing,
      async (x) => {
        found++;
        if (input.dryRun) {
          await store.add({ workflowId: x.workflowId, runId: x.runId, workflowType: x.workflowType, fromVersion: x.fromVersion, outcome: 'would_signal' });
        } else {
          await send(x);
          if (x.signalsSent > 0) signalled++;
          await waiting.append(x);
        }
      },
      () => input.onProgress?.({ phase: 'listing', described: ++described, candidates: found, signalled }),
    );
  await find();
  if (found === 0 && !aborted()) {
    // Visibility is eventually consistent: look once more before concluding there is nothing to do.
    await sleep(input.relistDelayMs ?? 2000, input.signal);
    if (!aborted()) await find();
  }
  await waiting.close();
  if (aborted() && found === 0) throw new InterruptedError('interrupted before anything was signalled', 'run it again');
  if (input.dryRun) {
    await waiting.remove();
    return report(aborted());
  }

  const deadline = Date.now() + input.confirmTimeoutMs;
  for (let round = 1; !aborted(); round++) {
    // Describe each one still waiting: settled ones go to the report, the rest to the next round,
    // signalled again first when they are due (a signal can arrive before the version change).
    const next = spill.file<Tracked>(`waiting-${round}`);
    await drain(
      mapConcurrent(waiting.read(), async (x) => {
        if (!aborted()) {
          const o = observe(x.runId, await latestOf(t, x), routing);
          if (o.kind !== 'waiting') return store.add(resultOf(x, o));
          if (o.runId !== x.runId) x.latestRunId = o.runId;
          if (Date.now() < deadline && Date.now() - x.lastSignalAt >= resignalDelayMs(x.signalsSent)) await send(x);
        }
        await next.append(x);
      }, concurrency),
    );
    await next.close();
    await waiting.remove();
    waiting = next;
    input.onProgress?.({
      phase: 'confirming',
      moved: store.countOf('moved'),
      closed: store.countOf('closed'),
      waiting: waiting.count,
      remainingMs: Math.max(0, deadline - Date.now()),
    });
    if (waiting.count === 0 || Date.now() >= deadline || aborted()) break;
    await sleep(Math.min(input.pollIntervalMs ?? 1000, Math.max(0, deadline - Date.now())), input.signal);
  }

  // Still waiting when confirmation ended (or was interrupted): stragglers.
  for await (const x of waiting.read()) await store.add(resultOf(x, { kind: 'waiting', runId: x.latestRunId ?? x.runId }));
  await waiting.remove();
  return report(aborted());
}

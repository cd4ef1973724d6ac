/**
 * The merge pipeline in one pass:
 *   check + plan -> protect -> rollout -> wait / promote -> apply (upgrade) -> nudge
 * Each step's outcome is recorded in the report as it happens, so a failure part-way says exactly
 * what was done; the apply journal makes a re-run resume instead of repeating.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { JournalStatus } from '../core/journal.js';
import { openJournal } from './journal-file.js';
import type { Plan, PlanPolicy, PlanSource, PlanSummaryRow } from '../core/plan.js';
import type { NudgeReport } from '../core/nudge.js';
import { InputError, InterruptedError, SafeDeployError, TemporalError, UsageError, type ExitCode } from '../errors.js';
import { runRollout } from '../exec/rollout.js';
import { describeDeployment } from '../temporal/deployments.js';
import type { Log } from '../log.js';
import type { TemporalHandle } from '../temporal/connection.js';
import type { CandidatesOptions } from '../temporal/candidates.js';
import { runApply, type ApplyResult } from './apply.js';
import { readPlanFile } from './plan-file.js';
import type { CheckInput } from './check.js';
import { runNudge } from './nudge.js';
import { runPlan } from './plan.js';
import { runWatch, type WatchReport } from './watch.js';
import { passRolloutGate, rolloutGate } from './promote.js';

export const DEPLOY_SCHEMA_VERSION = 1;

export type DeployStep = 'plan' | 'protect' | 'rollout' | 'promote' | 'wait-for-current' | 'upgrade' | 'nudge' | 'watch';
export type StepStatus = 'done' | 'skipped' | 'failed';

export interface DeployInput extends Pick<CheckInput, 'concurrency' | 'parallel' | 'cacheDir' | 'newDeployment'> {
  temporal: TemporalHandle;
  deployment: string;
  buildId: string;
  candidate: CandidatesOptions;
  policy: PlanPolicy;
  rollout?: string;
  /** Run the rollout again even though an earlier run of this deploy recorded it done. */
  rerunRollout?: boolean;
  promote?: boolean;
  waitForCurrent?: boolean;
  ramp?: number[];
  rampIntervalMs?: number;
  timeoutMs: number;
  nudgeConfirmTimeoutMs: number;
  nudgeRps: number;
  planPath: string;
  journalPath: string;
  /** The last step: watch the upgraded executions this long (`deploy --watch`). */
  watchMs?: number;
  watchJournalPath?: string;
  /** Passed to apply. */
  directMax?: number;
  rps?: number;
  dryRun?: boolean;
  signal: AbortSignal;
  log: Log;
}

export interface DeployReport {
  schemaVersion: typeof DEPLOY_SCHEMA_VERSION;
  deployment: string;
  candidate: Plan['candidate'] | { buildId: string; version: string };
  /** `broke`: deployed, but the watch found executions whose tasks fail on the candidate. */
  verdict: 'deployed' | 'blocked' | 'failed' | 'dry-run' | 'interrupted' | 'broke';
  steps: { step: DeployStep; status: StepStatus; detail: string }[];
  plan: PlanSummaryRow[];
  counts: { executions: number; upgraded: number; protected: number; keptPinned: number; nudged: number; moved: number; stragglers: number };
  planFile?: string;
  journalFile?: string;
  watch?: WatchReport;
  error?: { message: string; hint?: string; exitCode: number };
}

/** Executions whose `actions` are settled as wanted, by this run or an earlier one (the journal says). */
async function applied(journalPath: string, actions: string[]): Promise<number> {
  const ok: JournalStatus[] = ['done', 'already'];
  return [...(await openJournal(journalPath, { readOnly: true })).steps.values()].filter((e) => actions.includes(e.action) && ok.includes(e.status)).length;
}

/** apply reports a stop part-way in its result; for deploy it ends the step. */
class ApplyStopped extends SafeDeployError {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

function throwIfStopped(result: ApplyResult): void {
  if (result.interrupted) throw new InterruptedError(`interrupted (${result.notDone} execution(s) not done; run deploy again to resume)`);
  if (result.error) throw new ApplyStopped(result.error.exitCode as ExitCode, `${result.error.message} (${result.notDone} execution(s) not done)`, result.error.hint ?? 'run deploy again to resume');
}

/** Where a deploy records that its rollout succeeded, next to the plan, so a resume does not repeat it. */
export function rolloutRecordPath(planPath: string): string {
  return `${planPath}.rollout.json`;
}

/**
 * The plan an earlier run of this deploy left with its journal: resumed, never overwritten. A plan
 * with a journal for another deployment or candidate is refused (its journal would be orphaned).
 */
async function planToResume(input: DeployInput): Promise<PlanSource | undefined> {
  if (!existsSync(input.planPath) || !existsSync(input.journalPath) || statSync(input.journalPath).size === 0) return undefined;
  let plan: PlanSource;
  try {
    plan = await readPlanFile(input.planPath);
  } catch (err) {
    throw new InputError(`${input.planPath} has a journal (${input.journalPath}) but is not a usable plan: ${(err as Error).message}`, 'restore the plan, or move both files away to start over');
  }
  const { deployment, candidate } = plan.header;
  if (deployment !== input.deployment || candidate.buildId !== input.buildId) {
    throw new UsageError(
      `${input.planPath} is the plan of ${candidate.version} and has a journal (${input.journalPath}): not overwritten with a plan of ${input.deployment}:${input.buildId}`,
      'pass another --plan-out, or finish that deploy first',
    );
  }
  return plan;
}

export async function runDeploy(input: DeployInput): Promise<DeployReport> {
  const { temporal, log } = input;
  const report: DeployReport = {
    schemaVersion: DEPLOY_SCHEMA_VERSION,
    deployment: input.deployment,
    candidate: { buildId: input.buildId, version: `${input.deployment}:${input.buildId}` },
    verdict: 'failed',
    steps: [],
    plan: [],
    counts: { executions: 0, upgraded: 0, protected: 0, keptPinned: 0, nudged: 0, moved: 0, stragglers: 0 },
  };
  const step = (name: DeployStep, status: StepStatus, detail: string): void => {
    report.steps.push({ step: name, status, detail });
    log.info(`${status === 'failed' ? '✗' : status === 'skipped' ? '-' : '✓'} ${name}: ${detail}`);
  };
  let current: DeployStep = 'plan';
  try {
    const resumed = await planToResume(input);
    let plan: PlanSource;
    if (resumed) {
      plan = resumed;
      log.info(`resuming: ${input.planPath} with its journal ${input.journalPath} (settled steps are skipped)`);
    } else {
      log.info('checking the running executions against the candidate...');
      const isNew = input.newDeployment && !(await describeDeployment(temporal, input.deployment));
      const planned = await runPlan({
        temporal,
        deployment: input.deployment,
        buildId: input.buildId,
        policy: input.policy,
        candidate: input.candidate,
        concurrency: input.concurrency,
        parallel: input.parallel,
        cacheDir: input.cacheDir,
        newDeployment: input.newDeployment,
        out: input.planPath,
        signal: input.signal,
      });
      if (!planned.plan) {
        report.verdict = 'interrupted';
        step('plan', 'failed', 'interrupted while checking; nothing was changed');
        return report;
      }
      plan = planned.plan;
      // A new plan is a new deploy: an earlier rollout record is not its own.
      rmSync(rolloutRecordPath(input.planPath), { force: true });
      const { compatible, incompatible, errors } = planned.check.report.summary;
      if (isNew) step('plan', 'done', `${input.deployment} is a new Worker Deployment: nothing runs on it yet, nothing to check`);
      else step('plan', 'done', `${plan.tally.executions} running executions: ${compatible} compatible, ${incompatible} incompatible, ${errors} replay errors`);
    }
    const { header, tally } = plan;
    report.candidate = header.candidate;
    report.plan = tally.rows;
    report.counts.executions = tally.executions;
    report.counts.keptPinned = (tally.actions['keep-pinned'] ?? 0) + (tally.actions.nudge ?? 0);
    report.planFile = input.planPath;
    if (resumed) step('plan', 'skipped', `resumed ${input.planPath} (${tally.executions} executions) and its journal`);
    if (tally.actions.block) {
      report.verdict = 'blocked';
      step('protect', 'skipped', 'the plan blocks the deploy: nothing was changed');
      return report;
    }
    if (input.dryRun) {
      report.verdict = 'dry-run';
      return report;
    }
    report.journalFile = input.journalPath;

    current = 'protect';
    const protect = await runApply({ temporal, plan, phase: 'protect', journalPath: input.journalPath, candidate: input.candidate, directMax: input.directMax, rps: input.rps, signal: input.signal });
    report.counts.protected = await applied(input.journalPath, ['protect-clear-override', 'protect-pin']);
    throwIfStopped(protect);
    if (protect.counts.failed > 0) {
      throw new TemporalError(`${protect.counts.failed} execution(s) could not be protected`, 'see the journal; run deploy again to retry before anything is rolled out');
    }
    step('protect', 'done', `${report.counts.protected} AUTO_UPGRADE execution(s) kept off the candidate`);

    current = 'rollout';
    const rolloutRecord = rolloutRecordPath(input.planPath);
    const earlier = existsSync(rolloutRecord) ? (JSON.parse(readFileSync(rolloutRecord, 'utf8')) as { command: string; at: string }) : undefined;
    if (input.rollout && earlier?.command === input.rollout && !input.rerunRollout) {
      step('rollout', 'skipped', `done by an earlier run at ${earlier.at} (--rerun-rollout to run it again)`);
    } else if (input.rollout) {
      log.info(`rollout: ${input.rollout}`);
      const r = await runRollout(input.rollout, { signal: input.signal });
      writeFileSync(rolloutRecord, JSON.stringify({ command: input.rollout, at: new Date().toISOString(), durationMs: r.durationMs }) + '\n');
      step('rollout', 'done', `${input.rollout} (${Math.round(r.durationMs / 1000)}s)`);
    } else step('rollout', 'skipped', 'no --rollout command');

    const gate = rolloutGate(input);
    if (gate) {
      current = gate;
      const { deployment, buildId, ramp, rampIntervalMs, timeoutMs, signal } = input;
      await passRolloutGate({ temporal, deployment, buildId, gate, ramp, rampIntervalMs, timeoutMs, signal, onStep: (m) => log.info(m) });
      step(gate, 'done', `${header.candidate.version} is current`);
    }

    current = 'upgrade';
    const upgrade = await runApply({ temporal, plan, phase: 'upgrade', journalPath: input.journalPath, candidate: input.candidate, directMax: input.directMax, rps: input.rps, signal: input.signal });
    report.counts.upgraded = await applied(input.journalPath, ['upgrade']);
    throwIfStopped(upgrade);
    const replanned = upgrade.counts.replanned;
    step('upgrade', upgrade.counts.failed > 0 ? 'failed' : 'done', `${report.counts.upgraded} execution(s) got auto_upgrade${replanned ? `, ${replanned} replanned (history grew)` : ''}${upgrade.counts.failed ? `, ${upgrade.counts.failed} failed` : ''}`);

    current = 'nudge';
    const nudgeTypes = tally.nudgeTypes;
    if (nudgeTypes.length > 0) {
      const nudge: NudgeReport = await runNudge({
        temporal,
        deployment: input.deployment,
        workflowTypes: nudgeTypes,
        signalName: header.policy.nudgeSignal,
        rps: input.nudgeRps,
        confirmTimeoutMs: input.nudgeConfirmTimeoutMs,
        dryRun: false,
        signal: input.signal,
      });
      await nudge.results.close(); // deploy reports the counts, not each execution
      report.counts.nudged = nudge.results.count;
      report.counts.moved = nudge.summary.moved;
      report.counts.stragglers = nudge.summary.stragglers;
      step('nudge', 'done', `${nudge.results.count} signalled (${header.policy.nudgeSignal}): ${nudge.summary.moved} moved, ${nudge.summary.stragglers} still pinned`);
    } else step('nudge', 'skipped', 'no long-running execution needs to move');

    report.verdict = upgrade.counts.failed > 0 ? 'failed' : 'deployed';
    if (input.watchMs && report.verdict === 'deployed') {
      current = 'watch';
      log.info(`watching the executions of ${input.deployment} on ${header.candidate.version} for ${Math.round(input.watchMs / 1000)}s...`);
      const w = await runWatch({
        temporal,
        deployment: input.deployment,
        candidateBuildId: input.buildId,
        windowMs: input.watchMs,
        longRunningTypes: header.policy.longRunningTypes,
        journalPath: input.watchJournalPath ?? `${input.planPath}.watch.journal.jsonl`,
        signal: input.signal,
        onStep: (m) => log.info(m),
      });
      report.watch = w;
      const c = w.counts;
      step('watch', w.verdict === 'clean' ? 'done' : 'failed', `${c.failing} failing on the candidate: ${c.pinnedBack} pinned back, ${c.resetNeeded} need a reset${c.failed ? `, ${c.failed} could not be changed` : ''}`);
      if (w.verdict === 'broke') report.verdict = 'broke';
      if (w.verdict === 'interrupted') report.verdict = 'interrupted';
    }
    return report;
  } catch (err) {
    const e = err instanceof SafeDeployError ? err : undefined;
    step(current, 'failed', e?.message ?? String(err));
    report.verdict = input.signal.aborted ? 'interrupted' : 'failed';
    report.error = { message: e?.message ?? String(err), ...(e?.hint && { hint: e.hint }), exitCode: e?.exitCode ?? 4 };
    if (!(err instanceof SafeDeployError)) throw err;
    return report;
  }
}

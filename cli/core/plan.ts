/**
 * The plan: per execution, what to do about the candidate, from its effective versioning behavior
 * now and what its replay proved. Pure data; `apply` carries it out. The decision table:
 *
 *   effective now   replay    action
 *   AUTO_UPGRADE    passes    none (it moves to the candidate, safely)
 *   AUTO_UPGRADE    fails     protect: clear OUR auto_upgrade override (declared PINNED), or pin it
 *                             to its current version (declared AUTO_UPGRADE); or block, per policy
 *   PINNED          passes    upgrade: auto_upgrade override, so it drains off the old build
 *   PINNED          fails     keep pinned; nudge after the rollout if it is a long-running type
 *
 * A keep-pinned type (policy.keepPinnedTypes) always stays PINNED, whatever its replay proves: a
 * replay proves the same commands for the history so far, not that the code paths ahead (a pending
 * timer, the next activity) do what the team wants for an execution already under way. So PINNED
 * ones are kept (never upgraded, never nudged), declared AUTO_UPGRADE ones are pinned to their
 * version before the candidate becomes current, and our own auto_upgrade override is cleared.
 */
import { createHash } from 'node:crypto';
import type { CheckReport, CheckResult, SdkInfo } from './check-report.js';
import type { Shard } from './shard.js';
import { isIncompatible, type Verdict } from './verdict.js';
import { effectiveBehavior, type ExecutionVersioning, type VersioningBehavior, type VersioningOverride } from './versioning.js';

export const PLAN_SCHEMA_VERSION = 1;
/** The identity our RPCs carry; how we recognise overrides we set ourselves. */
export const SAFE_DEPLOY_IDENTITY = 'safe-deploy';

export type Action =
  | 'none'
  | 'upgrade'
  | 'protect-clear-override'
  | 'protect-pin'
  | 'keep-pinned'
  | 'nudge'
  | 'block';

export interface PlanPolicy {
  onAutoUpgradeFailure: 'protect' | 'block';
  /** Workflow types that live long and continue-as-new when woken (nudged after the rollout). */
  longRunningTypes: string[];
  /** Workflow types that always stay PINNED: never upgraded or nudged. Absent in plans made before it existed. */
  keepPinnedTypes?: string[];
  nudgeSignal: string;
}

/** What one replay proved, checked again by apply before it acts. */
export interface Receipt {
  runId: string;
  lastEventId: string;
  bundleHash: string;
  verdict: Verdict;
}

export interface PlannedExecution {
  workflowId: string;
  runId: string;
  workflowType: string;
  /** Versioning state when planned (DescribeWorkflowExecution). */
  state: ExecutionVersioning;
  effectiveBehavior: VersioningBehavior;
  receipt: Receipt;
  action: Action;
  /** The override apply will set for upgrade / protect-pin; absent for a clear. */
  targetOverride?: VersioningOverride;
  reason: string;
}

/** An execution a dry run of apply found it would change, as the report lists it. */
export interface WouldChange {
  workflowId: string;
  runId: string;
  action: Action;
  targetOverride: VersioningOverride | null;
}

export function wouldChangeOf(e: PlannedExecution): WouldChange {
  return { workflowId: e.workflowId, runId: e.runId, action: e.action, targetOverride: e.targetOverride ?? null };
}

export interface Plan {
  schemaVersion: typeof PLAN_SCHEMA_VERSION;
  createdAt: string;
  deployment: string;
  /** `sdks`: the SDKs the verdicts were proven with (one per SDK of the candidate). */
  candidate: { buildId: string; version: string; bundleHash: string; source: string; sdks?: SdkInfo[] };
  policy: PlanPolicy;
  /** What the check behind the plan selected: `safe-deploy merge` joins only plans of one selection. */
  selection?: CheckReport['selection'];
  /** Made with `--shard i/n`: one part of a plan, for `safe-deploy merge`. */
  shard?: Shard;
  executions: PlannedExecution[];
}

/** The order plans are written in: by workflow type, then workflow ID. */
export function planOrder(a: Pick<PlannedExecution, 'workflowType' | 'workflowId'>, b: Pick<PlannedExecution, 'workflowType' | 'workflowId'>): number {
  return a.workflowType.localeCompare(b.workflowType) || a.workflowId.localeCompare(b.workflowId);
}

export function sortPlanExecutions(executions: PlannedExecution[]): PlannedExecution[] {
  return executions.sort(planOrder);
}

export interface DecisionInput {
  workflowType: string;
  state: ExecutionVersioning;
  verdict: Verdict;
  /** Who set the current override, per the history. */
  overrideSetBy?: string;
  candidateVersion: string;
  policy: PlanPolicy;
}

export interface Decision {
  action: Action;
  targetOverride?: VersioningOverride;
  reason: string;
}

function failed(verdict: Verdict): boolean {
  return verdict !== 'compatible' && (isIncompatible(verdict) || verdict === 'replay-error');
}

export function decide(input: DecisionInput): Decision {
  const { state, verdict, policy } = input;
  const effective = effectiveBehavior(state);
  const longRunning = policy.longRunningTypes.includes(input.workflowType);
  const keepPinned = policy.keepPinnedTypes?.includes(input.workflowType) ?? false;
  if (state.version === input.candidateVersion) return { action: 'none', reason: 'already on the candidate version' };
  switch (effective) {
    case 'UNVERSIONED':
      return { action: 'none', reason: 'unversioned: Worker Versioning does not route it' };
    case 'AUTO_UPGRADE': {
      if (keepPinned) return keepAutoUpgradePinned(input);
      if (!failed(verdict)) return { action: 'none', reason: 'AUTO_UPGRADE and replays cleanly: it moves to the candidate safely' };
      if (policy.onAutoUpgradeFailure === 'block') {
        return { action: 'block', reason: `AUTO_UPGRADE but ${verdict} on the candidate: the deploy is blocked (policy)` };
      }
      const ours = state.override?.kind === 'auto_upgrade' && input.overrideSetBy === SAFE_DEPLOY_IDENTITY;
      if (state.behavior === 'PINNED' && ours) {
        return { action: 'protect-clear-override', reason: `${verdict} on the candidate: clear our auto_upgrade override so it stays PINNED on ${state.version ?? 'its version'}` };
      }
      if (state.override?.kind === 'auto_upgrade') {
        return { action: 'block', reason: `${verdict} on the candidate, and an auto_upgrade override set by ${input.overrideSetBy || 'someone else'}: not ours to change` };
      }
      if (longRunning) {
        // A pinned override is inherited across continue-as-new: it would strand the chain.
        return { action: 'block', reason: `${verdict} on the candidate, and a long-running type: a pinned override would follow it across continue-as-new` };
      }
      if (!state.version) return { action: 'block', reason: `${verdict} on the candidate, and no version to pin it to` };
      return {
        action: 'protect-pin',
        targetOverride: { kind: 'pinned', version: state.version },
        reason: `${verdict} on the candidate: pin it to ${state.version} before the candidate becomes current`,
      };
    }
    case 'PINNED': {
      if (state.override?.kind === 'pinned') return { action: 'none', reason: `pinned by an override to ${state.override.version}: left alone` };
      if (keepPinned) return { action: 'keep-pinned', reason: `a keep-pinned type: stays PINNED on ${state.version ?? 'its version'}, never upgraded (replay: ${verdict})` };
      if (!failed(verdict)) {
        return { action: 'upgrade', targetOverride: { kind: 'auto_upgrade' }, reason: 'replays cleanly: auto_upgrade override, drains off the old build' };
      }
      if (longRunning) return { action: 'nudge', reason: `${verdict} on the candidate: stays PINNED; woken after the rollout to continue-as-new onto it` };
      return { action: 'keep-pinned', reason: `${verdict} on the candidate: stays PINNED and finishes on ${state.version ?? 'its version'}` };
    }
  }
}

/** An execution of a keep-pinned type that would move to the candidate: make it PINNED, whatever its replay proved. */
function keepAutoUpgradePinned(input: DecisionInput): Decision {
  const { state } = input;
  if (state.override?.kind === 'auto_upgrade') {
    if (state.behavior === 'PINNED' && input.overrideSetBy === SAFE_DEPLOY_IDENTITY) {
      return { action: 'protect-clear-override', reason: `a keep-pinned type: clear our auto_upgrade override so it stays PINNED on ${state.version ?? 'its version'}` };
    }
    return { action: 'block', reason: `a keep-pinned type with an auto_upgrade override set by ${input.overrideSetBy || 'someone else'}: not ours to change` };
  }
  if (!state.version) return { action: 'block', reason: 'a keep-pinned type declared AUTO_UPGRADE, and no version to pin it to' };
  return {
    action: 'protect-pin',
    targetOverride: { kind: 'pinned', version: state.version },
    reason: `a keep-pinned type declared AUTO_UPGRADE: pin it to ${state.version} before the candidate becomes current`,
  };
}

export function planExecution(result: CheckResult, state: ExecutionVersioning, ctx: { candidateVersion: string; bundleHash: string; policy: PlanPolicy }): PlannedExecution {
  const decision = decide({
    workflowType: result.workflowType,
    state,
    verdict: result.verdict,
    overrideSetBy: result.overrideSetBy,
    candidateVersion: ctx.candidateVersion,
    policy: ctx.policy,
  });
  return {
    workflowId: result.workflowId,
    runId: result.runId,
    workflowType: result.workflowType,
    state,
    effectiveBehavior: effectiveBehavior(state),
    receipt: { runId: result.runId, lastEventId: result.lastEventId, bundleHash: ctx.bundleHash, verdict: result.verdict },
    action: decision.action,
    ...(decision.targetOverride && { targetOverride: decision.targetOverride }),
    reason: decision.reason,
  };
}

export interface PlanSummaryRow {
  workflowType: string;
  version: string;
  action: Action;
  count: number;
}

export function summarizePlan(plan: Pick<Plan, 'executions'>): PlanSummaryRow[] {
  const tally = planTally({ longRunningTypes: [] });
  for (const e of plan.executions) tally.add(e);
  return tally.done().rows;
}

/** A plan blocks the deploy when any execution could not be protected. */
export function planBlocks(plan: Pick<Plan, 'executions'>): boolean {
  return plan.executions.some((e) => e.action === 'block');
}

/** How many blocking executions a report names; the rest are counted. */
export const BLOCKING_NAMED = 50;

/**
 * What the reports and the deploy steps need from a plan, counted as its executions go by: a plan
 * written or read as a stream is never held whole.
 */
export interface PlanTally {
  executions: number;
  actions: Partial<Record<Action, number>>;
  rows: PlanSummaryRow[];
  /** The first BLOCKING_NAMED executions that block the deploy (actions.block counts them all). */
  blocking: Pick<PlannedExecution, 'workflowId' | 'runId' | 'reason'>[];
  /**
   * The types to nudge after the rollout: long-running executions left PINNED on an old version,
   * failing ones and those whose override we cleared (never a keep-pinned type: those stay put).
   */
  nudgeTypes: string[];
}

export function planTally(policy: Pick<PlanPolicy, 'longRunningTypes' | 'keepPinnedTypes'>): { add(e: PlannedExecution): void; done(): PlanTally } {
  const rows = new Map<string, PlanSummaryRow>();
  const actions: Partial<Record<Action, number>> = {};
  const blocking: PlanTally['blocking'] = [];
  const nudgeTypes = new Set<string>();
  let executions = 0;
  return {
    add(e) {
      executions++;
      actions[e.action] = (actions[e.action] ?? 0) + 1;
      const version = e.state.version ?? 'unversioned';
      const key = `${e.workflowType}\u0000${version}\u0000${e.action}`;
      const row = rows.get(key) ?? { workflowType: e.workflowType, version, action: e.action, count: 0 };
      row.count++;
      rows.set(key, row);
      if (e.action === 'block' && blocking.length < BLOCKING_NAMED) blocking.push({ workflowId: e.workflowId, runId: e.runId, reason: e.reason });
      const clearedLongRunning = e.action === 'protect-clear-override' && policy.longRunningTypes.includes(e.workflowType) && !policy.keepPinnedTypes?.includes(e.workflowType);
      if (e.action === 'nudge' || clearedLongRunning) nudgeTypes.add(e.workflowType);
    },
    done: () => ({
      executions,
      actions: { ...actions },
      rows: [...rows.values()].sort((a, b) => a.workflowType.localeCompare(b.workflowType) || a.version.localeCompare(b.version) || a.action.localeCompare(b.action)),
      blocking: [...blocking],
      nudgeTypes: [...nudgeTypes].sort(),
    }),
  };
}

export class PlanFormatError extends Error {}

const ACTIONS: readonly Action[] = ['none', 'upgrade', 'protect-clear-override', 'protect-pin', 'keep-pinned', 'nudge', 'block'];
const BEHAVIORS: readonly VersioningBehavior[] = ['PINNED', 'AUTO_UPGRADE', 'UNVERSIONED'];
const VERSION = /^[^:]+:.+$/;

const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** What is wrong with one planned execution, or undefined: the override must be the one its action sets. */
function executionProblem(e: Partial<PlannedExecution>, deployment: string): string | undefined {
  if (!isText(e.workflowId)) return 'workflowId is missing';
  if (typeof e.runId !== 'string') return 'runId is missing';
  if (!isText(e.workflowType)) return 'workflowType is missing';
  if (!e.action || !ACTIONS.includes(e.action)) return `unknown action ${JSON.stringify(e.action)} (expected one of ${ACTIONS.join(', ')})`;
  if (!e.state || typeof e.state !== 'object' || !BEHAVIORS.includes(e.state.behavior)) return 'state.behavior is missing or unknown';
  if (!e.receipt || !/^\d+$/.test(String(e.receipt.lastEventId ?? '')) || !isText(e.receipt.verdict)) return 'receipt (lastEventId, verdict) is missing or malformed';
  const target = e.targetOverride as Partial<VersioningOverride> | undefined;
  switch (e.action) {
    case 'upgrade':
      if (target?.kind !== 'auto_upgrade') return 'an upgrade needs targetOverride {"kind":"auto_upgrade"}';
      break;
    case 'protect-pin': {
      const version = (target as { version?: unknown } | undefined)?.version;
      if (target?.kind !== 'pinned' || !isText(version) || !VERSION.test(version)) return 'protect-pin needs targetOverride {"kind":"pinned","version":"<deployment>:<build id>"}';
      if (!version.startsWith(`${deployment}:`)) return `protect-pin targets ${version}, which is not a version of ${deployment}`;
      break;
    }
    default:
      if (target !== undefined) return `${e.action} takes no targetOverride`;
  }
  return undefined;
}

/** A plan without its executions: what a plan read as a stream is known by before its first execution. */
export type PlanHeader = Omit<Plan, 'executions'>;

/** A plan known by its header and tally, its executions handed out a pass at a time (from a file, or memory). */
export interface PlanSource {
  header: PlanHeader;
  /** Counted over all its executions: per action, the summary, what blocks, what to nudge. */
  tally: PlanTally;
  /** The executions in plan order (from a file: each validated again as it is read). */
  executions(): AsyncIterable<PlannedExecution>;
}

/** A plan already in memory as a source (`safe-deploy merge` makes one; tests do). */
export function planSource(plan: Plan): PlanSource {
  const { executions, ...header } = plan;
  const tally = planTally(header.policy);
  for (const e of executions) tally.add(e);
  return {
    header,
    tally: tally.done(),
    async *executions() {
      yield* executions;
    },
  };
}

/**
 * Validates everything in a plan read from disk but its executions (schema version first: a plan
 * from another version is refused).
 */
export function parsePlanHeader(json: unknown): PlanHeader {
  const plan = json as Partial<Plan> | null;
  if (!plan || typeof plan !== 'object' || Array.isArray(plan)) throw new PlanFormatError('not a plan file');
  if (plan.schemaVersion !== PLAN_SCHEMA_VERSION) {
    const given = typeof plan.schemaVersion === 'string' ? `"${plan.schemaVersion}" (a string)` : String(plan.schemaVersion);
    throw new PlanFormatError(`plan schemaVersion ${given} is not supported (expected the number ${PLAN_SCHEMA_VERSION})`);
  }
  const c = plan.candidate;
  if (!isText(plan.deployment)) throw new PlanFormatError('deployment is missing');
  if (!c || !isText(c.buildId) || !isText(c.bundleHash) || !isText(c.version)) throw new PlanFormatError('candidate (buildId, version, bundleHash) is missing');
  if (c.version !== `${plan.deployment}:${c.buildId}`) {
    throw new PlanFormatError(`candidate.version ${c.version} does not match deployment ${plan.deployment} and candidate.buildId ${c.buildId}`);
  }
  const policy = plan.policy;
  if (!policy || !['protect', 'block'].includes(policy.onAutoUpgradeFailure) || !Array.isArray(policy.longRunningTypes)) {
    throw new PlanFormatError('policy (onAutoUpgradeFailure, longRunningTypes) is missing or malformed');
  }
  const { executions: _, ...header } = plan as Plan;
  return header;
}

/**
 * Checks a plan's executions one at a time, in order: each problem names the entry, and (unless
 * `duplicates` is false: a pass over a plan already checked) the same execution planned twice is
 * refused. For that it remembers a digest per execution, never the IDs: a string a streaming
 * parser hands out can be a slice of the whole chunk of text it was read from, and would keep it.
 */
export function plannedExecutionChecker(deployment: string, options: { duplicates?: boolean } = {}): (e: unknown, index: number) => PlannedExecution {
  const seen = options.duplicates === false ? undefined : new Set<string>();
  return (value, i) => {
    const e = value as Partial<PlannedExecution> | null;
    const name = `executions[${i}]${isText(e?.workflowId) ? ` (${e.workflowId})` : ''}`;
    const problem = e && typeof e === 'object' && !Array.isArray(e) ? executionProblem(e, deployment) : 'not an object';
    if (problem) throw new PlanFormatError(`${name}: ${problem}`);
    if (seen) {
      const key = createHash('sha1').update(`${e?.workflowId}\u0000${e?.runId}`).digest('base64');
      if (seen.has(key)) throw new PlanFormatError(`${name}: the same execution is planned twice`);
      seen.add(key);
    }
    return e as PlannedExecution;
  };
}

/** Validates a whole plan read from disk before anything acts on it; every problem names the entry. */
export function parsePlan(json: unknown): Plan {
  const header = parsePlanHeader(json);
  const executions = (json as Partial<Plan>).executions;
  if (!Array.isArray(executions)) throw new PlanFormatError('executions is missing');
  const check = plannedExecutionChecker(header.deployment);
  executions.forEach(check);
  return json as Plan;
}

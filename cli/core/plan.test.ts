import { describe, expect, it } from 'vitest';
import { BLOCKING_NAMED, decide, parsePlan, planBlocks, planTally, SAFE_DEPLOY_IDENTITY, summarizePlan, type Action, type DecisionInput, type PlannedExecution, type PlanPolicy } from './plan.js';

const policy: PlanPolicy = { onAutoUpgradeFailure: 'protect', longRunningTypes: ['Poller'], nudgeSignal: 'wake_up' };
const base = (over: Partial<DecisionInput>): DecisionInput => ({
  workflowType: 'Research',
  state: { behavior: 'PINNED', version: 'd:v1' },
  verdict: 'compatible',
  candidateVersion: 'd:v2',
  policy,
  ...over,
});

describe('decide: the decision table', () => {
  it.each([
    { scenario: 'PINNED, passes -> upgrade with auto_upgrade', input: {}, action: 'upgrade', override: { kind: 'auto_upgrade' } },
    { scenario: 'PINNED, fails -> keep pinned', input: { verdict: 'nondeterministic' }, action: 'keep-pinned' },
    { scenario: 'PINNED long-running type, fails -> nudge after rollout', input: { workflowType: 'Poller', verdict: 'nondeterministic' }, action: 'nudge' },
    { scenario: 'PINNED, replay error (unproven) -> keep pinned', input: { verdict: 'replay-error' }, action: 'keep-pinned' },
    { scenario: 'PINNED, type missing from the candidate -> keep pinned', input: { verdict: 'missing-workflow-type' }, action: 'keep-pinned' },
    { scenario: 'pinned by an override, passes -> left alone', input: { state: { behavior: 'AUTO_UPGRADE', version: 'd:v1', override: { kind: 'pinned', version: 'd:v1' } } }, action: 'none' },
    { scenario: 'declared AUTO_UPGRADE, passes -> none', input: { state: { behavior: 'AUTO_UPGRADE', version: 'd:v1' } }, action: 'none' },
    {
      scenario: 'declared AUTO_UPGRADE, fails -> pin to its current version',
      input: { state: { behavior: 'AUTO_UPGRADE', version: 'd:v1' }, verdict: 'nondeterministic' },
      action: 'protect-pin',
      override: { kind: 'pinned', version: 'd:v1' },
    },
    {
      scenario: 'declared PINNED + our auto_upgrade override, fails -> clear our override',
      input: { state: { behavior: 'PINNED', version: 'd:v1', override: { kind: 'auto_upgrade' } }, verdict: 'nondeterministic', overrideSetBy: SAFE_DEPLOY_IDENTITY },
      action: 'protect-clear-override',
    },
    {
      scenario: "declared PINNED + someone else's auto_upgrade override, fails -> block",
      input: { state: { behavior: 'PINNED', version: 'd:v1', override: { kind: 'auto_upgrade' } }, verdict: 'nondeterministic', overrideSetBy: 'ops-team' },
      action: 'block',
    },
    {
      scenario: 'declared AUTO_UPGRADE long-running type, fails -> block (a pin would follow it across continue-as-new)',
      input: { workflowType: 'Poller', state: { behavior: 'AUTO_UPGRADE', version: 'd:v1' }, verdict: 'nondeterministic' },
      action: 'block',
    },
    {
      scenario: 'AUTO_UPGRADE fails under the block policy -> block',
      input: { state: { behavior: 'AUTO_UPGRADE', version: 'd:v1' }, verdict: 'nondeterministic', policy: { ...policy, onAutoUpgradeFailure: 'block' } },
      action: 'block',
    },
    { scenario: 'already on the candidate -> none', input: { state: { behavior: 'PINNED', version: 'd:v2' } }, action: 'none' },
    { scenario: 'unversioned -> none', input: { state: { behavior: 'UNVERSIONED' } }, action: 'none' },
  ] as const)('$scenario', ({ input, action, ...rest }) => {
    const d = decide(base(input as Partial<DecisionInput>));
    expect(d.action).toBe(action);
    expect(d.targetOverride).toEqual('override' in rest ? rest.override : undefined);
    expect(d.reason.length).toBeGreaterThan(10);
  });
});

describe('decide: keep-pinned types always stay PINNED', () => {
  const keep: PlanPolicy = { ...policy, keepPinnedTypes: ['Order', 'Poller'] };
  it.each([
    { scenario: 'PINNED, passes -> kept pinned, not upgraded', input: { workflowType: 'Order' }, action: 'keep-pinned' },
    { scenario: 'PINNED, fails -> kept pinned', input: { workflowType: 'Order', verdict: 'nondeterministic' }, action: 'keep-pinned' },
    { scenario: 'PINNED long-running type that is also keep-pinned, fails -> kept pinned, not nudged', input: { workflowType: 'Poller', verdict: 'nondeterministic' }, action: 'keep-pinned' },
    {
      scenario: 'declared AUTO_UPGRADE, passes -> pinned to its version before the candidate is current',
      input: { workflowType: 'Order', state: { behavior: 'AUTO_UPGRADE', version: 'd:v1' } },
      action: 'protect-pin',
      override: { kind: 'pinned', version: 'd:v1' },
    },
    {
      scenario: 'declared AUTO_UPGRADE long-running, passes -> pinned (the pin following it across continue-as-new is what is asked)',
      input: { workflowType: 'Poller', state: { behavior: 'AUTO_UPGRADE', version: 'd:v1' } },
      action: 'protect-pin',
      override: { kind: 'pinned', version: 'd:v1' },
    },
    {
      scenario: 'declared PINNED + our auto_upgrade override from an earlier deploy, passes -> clear our override',
      input: { workflowType: 'Order', state: { behavior: 'PINNED', version: 'd:v1', override: { kind: 'auto_upgrade' } }, overrideSetBy: SAFE_DEPLOY_IDENTITY },
      action: 'protect-clear-override',
    },
    {
      scenario: "someone else's auto_upgrade override, passes -> block (not ours to change)",
      input: { workflowType: 'Order', state: { behavior: 'PINNED', version: 'd:v1', override: { kind: 'auto_upgrade' } }, overrideSetBy: 'ops-team' },
      action: 'block',
    },
    { scenario: 'declared AUTO_UPGRADE with no version -> block', input: { workflowType: 'Order', state: { behavior: 'AUTO_UPGRADE' } }, action: 'block' },
    { scenario: 'pinned by an override -> left alone', input: { workflowType: 'Order', state: { behavior: 'AUTO_UPGRADE', version: 'd:v1', override: { kind: 'pinned', version: 'd:v1' } } }, action: 'none' },
    { scenario: 'already on the candidate -> none', input: { workflowType: 'Order', state: { behavior: 'AUTO_UPGRADE', version: 'd:v2' } }, action: 'none' },
    { scenario: 'another type in the same plan is still upgraded', input: { workflowType: 'Research' }, action: 'upgrade', override: { kind: 'auto_upgrade' } },
    { scenario: 'a plan made before keepPinnedTypes existed decides as before', input: { workflowType: 'Order', policy }, action: 'upgrade', override: { kind: 'auto_upgrade' } },
  ] as const)('$scenario', ({ input, action, ...rest }) => {
    const d = decide(base({ policy: keep, ...(input as Partial<DecisionInput>) }));
    expect(d.action).toBe(action);
    expect(d.targetOverride).toEqual('override' in rest ? rest.override : undefined);
    expect(d.reason.length).toBeGreaterThan(10);
  });
});

describe('plans', () => {
  const plan = {
    schemaVersion: 1,
    createdAt: '2026-11-21T00:00:00Z',
    deployment: 'd',
    candidate: { buildId: 'v2', version: 'd:v2', bundleHash: 'sha256:x', source: 'w.ts' },
    policy,
    executions: [
      { workflowType: 'Research', state: { behavior: 'PINNED', version: 'd:v1' }, action: 'upgrade' },
      { workflowType: 'Research', state: { behavior: 'PINNED', version: 'd:v1' }, action: 'upgrade' },
      { workflowType: 'Poller', state: { behavior: 'PINNED', version: 'd:v1' }, action: 'nudge' },
    ],
  };

  it('summarizes by workflow type x version x action', () => {
    expect(summarizePlan(plan as never)).toEqual([
      { workflowType: 'Poller', version: 'd:v1', action: 'nudge', count: 1 },
      { workflowType: 'Research', version: 'd:v1', action: 'upgrade', count: 2 },
    ]);
    expect(planBlocks(plan as never)).toBe(false);
  });

  it('refuses a plan of another schema version or with parts missing', () => {
    expect(() => parsePlan({ ...plan, schemaVersion: 2 })).toThrow(/schemaVersion 2 is not supported/);
    expect(() => parsePlan({ ...plan, candidate: undefined })).toThrow(/missing/);
  });
});

describe('parsePlan validates the whole plan before anything acts on it', () => {
  const entry = (over: Record<string, unknown> = {}) => ({
    workflowId: 'wf-1',
    runId: 'r1',
    workflowType: 'Research',
    state: { behavior: 'PINNED', version: 'd:v1' },
    effectiveBehavior: 'PINNED',
    receipt: { runId: 'r1', lastEventId: '12', bundleHash: 'sha256:x', verdict: 'compatible' },
    action: 'upgrade',
    targetOverride: { kind: 'auto_upgrade' },
    reason: 'replays',
    ...over,
  });
  const planWith = (over: Record<string, unknown> = {}, executions: unknown[] = [entry()]) => ({
    schemaVersion: 1,
    createdAt: '2026-11-21T00:00:00Z',
    deployment: 'd',
    candidate: { buildId: 'v2', version: 'd:v2', bundleHash: 'sha256:x', source: 'w.ts' },
    policy,
    executions,
    ...over,
  });
  const cases: [string, unknown, RegExp][] = [
    ['schemaVersion as a string', planWith({ schemaVersion: '1' }), /schemaVersion "1" \(a string\) is not supported \(expected the number 1\)/],
    ['candidate.buildId edited away from candidate.version', planWith({ candidate: { buildId: 'v9', version: 'd:v2', bundleHash: 'sha256:x', source: 'w' } }), /candidate.version d:v2 does not match deployment d and candidate.buildId v9/],
    ['an unknown action', planWith({}, [entry(), entry({ workflowId: 'wf-2', action: 'upgradee' })]), /executions\[1\] \(wf-2\): unknown action "upgradee"/],
    ['a pinned target with no version', planWith({}, [entry({ action: 'protect-pin', targetOverride: { kind: 'pinned' } })]), /executions\[0\] \(wf-1\): protect-pin needs targetOverride/],
    ['a pin onto another deployment', planWith({}, [entry({ action: 'protect-pin', targetOverride: { kind: 'pinned', version: 'other:v1' } })]), /not a version of d/],
    ['an upgrade with a pinned target', planWith({}, [entry({ targetOverride: { kind: 'pinned', version: 'd:v1' } })]), /an upgrade needs targetOverride/],
    ['a clear with a target', planWith({}, [entry({ action: 'protect-clear-override' })]), /protect-clear-override takes no targetOverride/],
    ['a receipt without last event', planWith({}, [entry({ receipt: { verdict: 'compatible' } })]), /receipt/],
    ['the same execution twice', planWith({}, [entry(), entry()]), /executions\[1\] \(wf-1\): the same execution is planned twice/],
    ['an entry that is not an object', planWith({}, [null]), /executions\[0\]: not an object/],
  ];
  it.each(cases)('refuses %s, naming the entry', (_name, input, message) => {
    expect(() => parsePlan(input)).toThrow(message);
  });
  it('accepts a well-formed plan', () => {
    expect(parsePlan(planWith()).executions).toHaveLength(1);
  });
});

describe('planTally: what reports and deploy need, counted as the executions go by', () => {
  const e = (i: number, workflowType: string, action: Action): PlannedExecution => ({
    workflowId: `wf-${i}`,
    runId: `run-${i}`,
    workflowType,
    state: { behavior: 'PINNED', version: i % 2 ? 'd:v1' : 'd:v0' },
    effectiveBehavior: 'PINNED',
    receipt: { runId: `run-${i}`, lastEventId: '5', bundleHash: 'h', verdict: 'compatible' },
    action,
    reason: `reason ${i}`,
  });
  const executions = [
    e(0, 'Research', 'upgrade'),
    e(1, 'Research', 'upgrade'),
    e(2, 'Poller', 'nudge'),
    // Cleared overrides of long-running types are nudged; not of a keep-pinned type, nor of a short one.
    e(3, 'Watcher', 'protect-clear-override'),
    e(4, 'Keeper', 'protect-clear-override'),
    e(5, 'Research', 'protect-clear-override'),
    e(6, 'Keeper', 'keep-pinned'),
    ...Array.from({ length: BLOCKING_NAMED + 10 }, (_, i) => e(100 + i, 'Research', 'block')),
  ];
  const tally = planTally({ longRunningTypes: ['Poller', 'Watcher', 'Keeper'], keepPinnedTypes: ['Keeper'] });
  for (const x of executions) tally.add(x);
  const t = tally.done();

  it('counts every execution and each action', () => {
    expect(t.executions).toBe(executions.length);
    expect(t.actions).toEqual({ upgrade: 2, nudge: 1, 'protect-clear-override': 3, 'keep-pinned': 1, block: BLOCKING_NAMED + 10 });
  });

  it('summarizes as summarizePlan does', () => {
    expect(t.rows).toEqual(summarizePlan({ executions }));
    expect(t.rows.find((r) => r.action === 'block')).toEqual({ workflowType: 'Research', version: 'd:v0', action: 'block', count: 30 });
  });

  it('names the first blocking executions, no more than BLOCKING_NAMED', () => {
    expect(t.blocking).toHaveLength(BLOCKING_NAMED);
    expect(t.blocking[0]).toEqual({ workflowId: 'wf-100', runId: 'run-100', reason: 'reason 100' });
  });

  it('nudges failing long-running types and long-running ones whose override was cleared, never keep-pinned types', () => {
    expect(t.nudgeTypes).toEqual(['Poller', 'Watcher']);
  });
});

import { describe, expect, it } from 'vitest';
import { decide, parsePlan, planBlocks, SAFE_DEPLOY_IDENTITY, summarizePlan, type DecisionInput, type PlanPolicy } from './plan.js';

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
    expect(parsePlan(plan).deployment).toBe('d');
  });
});

import { describe, expect, it } from 'vitest';
import { checkNeedsServer, prePushExitCode, whenUnreachable, type CommitOutcome } from './pre-push.js';

const commit = { sha: 'a'.repeat(40), remoteRefs: ['refs/heads/main'] };

describe('pre-push: the server cannot be reached', () => {
  it.each([
    { scenario: 'histories listed: check them offline', config: { histories: ['/r/histories'] }, policy: 'check-histories-offline' },
    { scenario: 'histories listed and strict: still check them offline', config: { histories: ['/r/histories'], strict: true }, policy: 'check-histories-offline' },
    { scenario: 'no histories: warn and let the push through', config: {}, policy: 'allow' },
    { scenario: 'no histories, strict: block', config: { strict: true }, policy: 'block' },
    { scenario: 'an empty histories list counts as none', config: { histories: [], strict: false }, policy: 'allow' },
  ] as { scenario: string; config: { histories?: string[]; strict?: boolean }; policy: string }[])('$scenario', ({ config, policy }) => {
    expect(whenUnreachable(config)).toBe(policy);
  });

  it.each([
    { scenario: 'a deployment needs the server', config: { deployment: 'd' }, live: true },
    { scenario: 'a task queue needs the server', config: { taskQueue: 'q' }, live: true },
    { scenario: 'only histories: offline', config: {}, live: false },
    { scenario: 'an empty workflowTypes list selects nothing live', config: { workflowTypes: [] }, live: false },
  ])('$scenario', ({ config, live }) => {
    expect(checkNeedsServer(config)).toBe(live);
  });
});

describe('pre-push exit code', () => {
  const run = (...outcomes: CommitOutcome[]) => prePushExitCode(outcomes.map((outcome) => ({ commit, outcome })));
  it.each([
    { scenario: 'nothing pushed', outcomes: [], code: 0 },
    { scenario: 'one passing check', outcomes: [{ kind: 'checked', mode: 'live', exitCode: 0 }], code: 0 },
    { scenario: 'a failing check among passing ones', outcomes: [{ kind: 'checked', mode: 'live', exitCode: 0 }, { kind: 'checked', mode: 'histories', exitCode: 1 }], code: 1 },
    { scenario: 'unreachable, allowed', outcomes: [{ kind: 'unreachable', blocked: false, reason: 'x' }], code: 0 },
    { scenario: 'unreachable, strict', outcomes: [{ kind: 'unreachable', blocked: true, reason: 'x' }], code: 3 },
    { scenario: 'no config in the pushed tree', outcomes: [{ kind: 'no-config' }], code: 0 },
  ] as { scenario: string; outcomes: CommitOutcome[]; code: number }[])('$scenario', ({ outcomes, code }) => {
    expect(run(...outcomes)).toBe(code);
  });
});

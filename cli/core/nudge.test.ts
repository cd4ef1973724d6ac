import { describe, expect, it } from 'vitest';
import {
  finalOutcome,
  isNudgeCandidate,
  nudgeGatePassed,
  observe,
  pinnedVersionOf,
  resignalDelayMs,
  sameChain,
  sortNudgeResults,
  summarizeNudge,
  type NudgeResult,
  type Routing,
  type RunState,
} from './nudge.js';

const v1 = 'agent:v1';
const v2 = 'agent:v2';
const v3 = 'agent:v3';
const routing: Routing = { currentVersion: v3 };
const run = (r: Partial<RunState> = {}): RunState => ({
  runId: 'run-1',
  firstRunId: 'run-1',
  workflowType: 'ResearchPollingWorkflow',
  status: 'RUNNING',
  behavior: 'PINNED',
  version: v1,
  ...r,
});

describe('isNudgeCandidate', () => {
  it.each([
    ['declared PINNED on an old version', run(), true],
    ['declared PINNED on the current version', run({ version: v3 }), false],
    ['declared PINNED on the ramping version', run({ version: v2 }), false],
    ['pinned override to an old version (declared AUTO_UPGRADE)', run({ behavior: 'AUTO_UPGRADE', version: v1, override: { kind: 'pinned', version: v1 } }), true],
    ['pinned override to the current version', run({ version: v3, override: { kind: 'pinned', version: v3 } }), false],
    ['declared PINNED with an auto_upgrade override', run({ override: { kind: 'auto_upgrade' } }), false],
    ['AUTO_UPGRADE on an old version', run({ behavior: 'AUTO_UPGRADE' }), false],
    ['unversioned', run({ behavior: 'UNVERSIONED', version: undefined }), false],
    ['PINNED without a version', run({ version: undefined }), false],
    ['closed', run({ status: 'COMPLETED' }), false],
  ])('%s -> %s', (_, r, expected) => {
    expect(isNudgeCandidate(r, { currentVersion: v3, rampingVersion: v2 })).toBe(expected);
  });

  it('reads the pinned version from a pinned override first', () => {
    expect(pinnedVersionOf(run({ version: v2, override: { kind: 'pinned', version: v1 } }))).toBe(v1);
    expect(pinnedVersionOf(run())).toBe(v1);
  });
});

describe('observe (outcome classification)', () => {
  it.each([
    ['a new run on the current version', run({ runId: 'run-2', behavior: 'AUTO_UPGRADE', version: v3 }), { kind: 'moved', newRunId: 'run-2', newVersion: v3 }],
    [
      'a new run transitioning to the current version',
      run({ runId: 'run-2', behavior: 'AUTO_UPGRADE', version: undefined, transitioningTo: v3 }),
      { kind: 'moved', newRunId: 'run-2', newVersion: v3 },
    ],
    ['a new run with no version yet', run({ runId: 'run-2', behavior: 'AUTO_UPGRADE', version: undefined }), { kind: 'waiting', runId: 'run-2' }],
    ['a new run still pinned to the old version', run({ runId: 'run-2' }), { kind: 'waiting', runId: 'run-2' }],
    ['a new run that completed on the current version', run({ runId: 'run-2', status: 'COMPLETED', version: v3 }), { kind: 'moved', newRunId: 'run-2', newVersion: v3 }],
    ['a new run that ended on the old version', run({ runId: 'run-2', status: 'TERMINATED' }), { kind: 'closed', status: 'TERMINATED' }],
    ['the same run, still pinned', run(), { kind: 'waiting', runId: 'run-1' }],
    ['the same run, moved in place (override changed)', run({ version: v3, override: { kind: 'auto_upgrade' } }), { kind: 'moved', newVersion: v3 }],
    ['the same run, completed', run({ status: 'COMPLETED' }), { kind: 'closed', status: 'COMPLETED' }],
    ['the same run, terminated', run({ status: 'TERMINATED' }), { kind: 'closed', status: 'TERMINATED' }],
    ['the workflow ID is gone', undefined, { kind: 'closed', status: 'UNKNOWN' }],
  ])('%s', (_, latest, expected) => {
    expect(observe('run-1', latest, routing)).toEqual(expected);
  });

  it('counts a new run on the ramping version as moved', () => {
    expect(observe('run-1', run({ runId: 'run-2', behavior: 'AUTO_UPGRADE', version: v2 }), { currentVersion: v3, rampingVersion: v2 })).toEqual({
      kind: 'moved',
      newRunId: 'run-2',
      newVersion: v2,
    });
  });
});

describe('sameChain', () => {
  it.each([
    ['same run', { runId: 'a', firstRunId: 'a' }, { runId: 'a', firstRunId: 'a' }, true],
    ['continued-as-new', { runId: 'a', firstRunId: 'a' }, { runId: 'b', firstRunId: 'a' }, true],
    ['ID reused by another chain', { runId: 'a', firstRunId: 'a' }, { runId: 'c', firstRunId: 'c' }, false],
    ['first run unknown', { runId: 'a' }, { runId: 'b', firstRunId: 'b' }, true],
  ])('%s -> %s', (_, original, latest, expected) => {
    expect(sameChain(original, latest)).toBe(expected);
  });
});

describe('finalOutcome', () => {
  it('turns what is still waiting into a straggler', () => {
    expect(finalOutcome({ kind: 'waiting', runId: 'r' })).toEqual({ outcome: 'straggler' });
    expect(finalOutcome({ kind: 'moved', newRunId: 'r2', newVersion: v3 })).toEqual({ outcome: 'moved', newRunId: 'r2', newVersion: v3 });
    expect(finalOutcome({ kind: 'moved', newVersion: v3 })).toEqual({ outcome: 'moved', newVersion: v3 });
    expect(finalOutcome({ kind: 'closed', status: 'COMPLETED' })).toEqual({ outcome: 'closed', closeStatus: 'COMPLETED' });
  });
});

describe('resignalDelayMs', () => {
  it.each([
    [0, 2000],
    [1, 2000],
    [2, 4000],
    [3, 8000],
    [4, 16_000],
    [5, 30_000],
    [20, 30_000],
  ])('after %i signals: %i ms', (sent, ms) => {
    expect(resignalDelayMs(sent)).toBe(ms);
  });
});

const result = (r: Partial<NudgeResult>): NudgeResult => ({ workflowId: 'w', runId: 'r', workflowType: 'T', fromVersion: v1, outcome: 'moved', signalsSent: 1, ...r });

describe('summarizeNudge / nudgeGatePassed', () => {
  const results = [
    result({ outcome: 'moved' }),
    result({ outcome: 'moved', signalsSent: 3 }),
    result({ outcome: 'straggler', signalsSent: 4 }),
    result({ outcome: 'closed', signalsSent: 0 }),
  ];

  it('counts outcomes and the executions signalled', () => {
    expect(summarizeNudge(results)).toEqual({ moved: 2, stragglers: 1, closed: 1, nudged: 3 });
    expect(summarizeNudge([result({ outcome: 'would_signal', signalsSent: 0 })])).toEqual({ moved: 0, stragglers: 0, closed: 0, nudged: 0 });
  });

  it('fails only with --require-drained and a straggler', () => {
    const summary = summarizeNudge(results);
    expect(nudgeGatePassed({ summary }, false)).toBe(true);
    expect(nudgeGatePassed({ summary }, true)).toBe(false);
    expect(nudgeGatePassed({ summary: { ...summary, stragglers: 0 } }, true)).toBe(true);
  });

  it('sorts stragglers first, then closed, then moved', () => {
    expect(sortNudgeResults(results).map((r) => r.outcome)).toEqual(['straggler', 'closed', 'moved', 'moved']);
  });
});

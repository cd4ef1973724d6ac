import { describe, expect, it } from 'vitest';
import { batchFor, executionKey, journaledChanges, overrideNeeded, type LedgerSubject } from './overrides.js';

const V1 = 'agent:v1';
const V4 = 'agent:v4';

describe('overrideNeeded', () => {
  it.each([
    ['auto_upgrade, already on the current version: nothing older to leave', { behavior: 'PINNED', version: V4, override: { kind: 'auto_upgrade' } }, V4, false],
    ['auto_upgrade, still on an older version: it has to move', { behavior: 'PINNED', version: V1, override: { kind: 'auto_upgrade' } }, V4, true],
    ['auto_upgrade, on the current version but moving elsewhere', { behavior: 'PINNED', version: V4, transitioningTo: 'agent:v5', override: { kind: 'auto_upgrade' } }, V4, true],
    ['auto_upgrade on a workflow that declares AUTO_UPGRADE', { behavior: 'AUTO_UPGRADE', version: V1, override: { kind: 'auto_upgrade' } }, V4, false],
    ['pinned to an old version (protect, pin-back, kept on the candidate after a rollback)', { behavior: 'PINNED', version: V1, override: { kind: 'pinned', version: V1 } }, V4, true],
    ['pinned to the current version it runs on, declared PINNED', { behavior: 'PINNED', version: V4, override: { kind: 'pinned', version: V4 } }, V4, false],
    ['pinned to the current version, declared AUTO_UPGRADE: keeps it from the next one', { behavior: 'AUTO_UPGRADE', version: V4, override: { kind: 'pinned', version: V4 } }, V4, true],
  ] as const)('%s', (_name, subject, current, needed) => expect(overrideNeeded(subject as LedgerSubject, current).needed).toBe(needed));
});

describe('batchFor', () => {
  const jobs = [
    { jobId: 'safe-deploy-v2-upgrade-1', reason: 'safe-deploy upgrade for candidate agent:v2 (sha)', startMs: 1_000, closeMs: 3_000 },
    { jobId: 'safe-deploy-v4-upgrade-2', reason: 'safe-deploy upgrade for candidate agent:v4 (sha)', startMs: 10_000, closeMs: 12_000 },
  ];
  it('the job running when the override was set', () => expect(batchFor(11_000, jobs)?.jobId).toBe('safe-deploy-v4-upgrade-2'));
  it('none when no job ran then (a single update)', () => expect(batchFor(6_000, jobs)).toBeUndefined());
});

describe('journaledChanges', () => {
  const lines = (...entries: object[]) => entries.map((e) => JSON.stringify({ at: '2026-12-03T08:00:00.000Z', ...e })).join('\n') + '\n';
  const apply = lines(
    { workflowId: 'a', runId: 'a1', action: 'upgrade', status: 'started', detail: 'auto_upgrade (direct)' },
    { workflowId: 'a', runId: 'a1', action: 'upgrade', status: 'done' },
    { workflowId: 'b', runId: 'b1', action: 'upgrade', status: 'failed', detail: 'gone' },
  );
  // What watch writes for a pin-back by reset and for a reset (pipeline/watch.ts).
  const watch = lines(
    { workflowId: 'p', runId: 'p1', action: 'pin-back', status: 'started', target: 'dep:v1', detail: 'NDE' },
    { workflowId: 'p', runId: 'p1', action: 'pin-back', status: 'done', target: 'p2', detail: 'reset-to-last-task' },
    { workflowId: 'p', runId: 'p1', action: 'pin-back', status: 'confirmed', target: 'dep:v1' },
    { workflowId: 'r', runId: 'r1', action: 'reset', status: 'started', detail: 'event 12' },
    { workflowId: 'r', runId: 'r1', action: 'reset', status: 'done', target: 'r2' },
    { workflowId: 'o', runId: 'o1', action: 'pin-back', status: 'done', target: 'dep:v1', detail: 'override' },
  );
  const rollback = lines({ workflowId: 'k', runId: 'k1', action: 'return', status: 'done' }, { workflowId: '', runId: '', action: 'set-current', status: 'done', detail: 'dep:v1' });
  const changes = journaledChanges([
    { file: 'plan.json.journal.jsonl', text: apply },
    { file: 'watch.jsonl', text: watch },
    { file: 'rollback.jsonl', text: rollback },
  ]);

  it('keeps the latest done or started change of each run, with its file', () => {
    expect(changes.get(executionKey('a', 'a1'))).toMatchObject({ action: 'upgrade', status: 'done', file: 'plan.json.journal.jsonl' });
    expect(changes.get(executionKey('b', 'b1'))).toBeUndefined();
    expect(changes.get(executionKey('k', 'k1'))).toMatchObject({ action: 'return', file: 'rollback.jsonl' });
    expect(changes.get(executionKey('', ''))).toBeUndefined();
  });

  it('files a reset under the run it made, which is the one that carries the override', () => {
    expect(changes.get(executionKey('p', 'p2'))).toMatchObject({ action: 'pin-back', status: 'done', detail: 'reset-to-last-task', file: 'watch.jsonl' });
    expect(changes.get(executionKey('r', 'r2'))).toMatchObject({ action: 'reset', status: 'done', file: 'watch.jsonl' });
    // A pin-back by override stays on its run: its target is a version, not a run.
    expect(changes.get(executionKey('o', 'o1'))).toMatchObject({ action: 'pin-back', detail: 'override' });
    expect(changes.get(executionKey('o', 'dep:v1'))).toBeUndefined();
    // The reset run is still found, by its own run ID.
    expect(changes.get(executionKey('r', 'r1'))).toMatchObject({ action: 'reset', status: 'done' });
  });
});

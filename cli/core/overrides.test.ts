import { describe, expect, it } from 'vitest';
import { batchFor, overrideNeeded, type LedgerSubject } from './overrides.js';

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

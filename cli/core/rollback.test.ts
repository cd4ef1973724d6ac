import { describe, expect, it } from 'vitest';
import type { DeploymentVersionSummary } from './versioning.js';
import { decideRollback, previousCurrent, type RollbackSubject } from './rollback.js';

const V1 = 'agent:v1';
const V4 = 'agent:v4';
const subject = (over: Partial<RollbackSubject>): RollbackSubject => ({ workflowId: 'w', runId: 'r', workflowType: 'T', behavior: 'PINNED', ranCandidate: false, ...over });

describe('decideRollback', () => {
  it.each([
    ['upgraded by us, ran candidate code: pinned to the candidate', { version: V4, override: { kind: 'auto_upgrade' }, overrideSetBy: 'safe-deploy', ranCandidate: true }, 'keep', 'pin-to-candidate'],
    ['declared AUTO_UPGRADE, ran candidate code: pinned to the candidate', { behavior: 'AUTO_UPGRADE', version: V4, ranCandidate: true }, 'keep', 'pin-to-candidate'],
    ['started PINNED on the candidate: stays, nothing to do', { version: V4, ranCandidate: true }, 'keep', 'none'],
    ['upgraded by us, never ran candidate code: our override cleared', { version: V1, override: { kind: 'auto_upgrade' }, overrideSetBy: 'safe-deploy' }, 'return', 'clear-override'],
    ['upgraded by us, moving to the candidate, first task failing: cleared', { version: V1, transitioningTo: V4, override: { kind: 'auto_upgrade' }, overrideSetBy: 'safe-deploy' }, 'return', 'clear-override'],
    ['declared AUTO_UPGRADE, never ran it: follows the current version back', { behavior: 'AUTO_UPGRADE', version: V1, transitioningTo: V4 }, 'return', 'none'],
    ['auto_upgrade set by someone else: not ours', { version: V1, override: { kind: 'auto_upgrade' }, overrideSetBy: 'ops' }, 'untouched', 'none'],
    ['PINNED on the previous version all along', { version: V1 }, 'untouched', 'none'],
    ['pinned back by watch to the previous version', { version: V1, override: { kind: 'pinned', version: V1 }, overrideSetBy: 'safe-deploy' }, 'untouched', 'none'],
  ] as const)('%s', (_name, over, group, action) => {
    const d = decideRollback(subject(over as Partial<RollbackSubject>), V4, V1);
    expect([d.group, d.action]).toEqual([group, action]);
    if (action === 'pin-to-candidate') expect(d.targetOverride).toEqual({ kind: 'pinned', version: V4 });
  });
});

describe('previousCurrent', () => {
  const v = (buildId: string, status: DeploymentVersionSummary['status'], lastCurrentMs?: number): DeploymentVersionSummary => ({
    version: `d:${buildId}`,
    buildId,
    status,
    ...(lastCurrentMs !== undefined && { lastCurrentMs }),
  });

  it('among several that were current, the one current last', () => {
    const versions = [v('v1', 'DRAINED', 1_000), v('v3', 'DRAINING', 3_000), v('v2', 'DRAINING', 2_000), v('v4', 'CURRENT')];
    expect(previousCurrent(versions, 'd:v4')).toMatchObject({ buildId: 'v3' });
  });

  it('never a version that was never current (INACTIVE), nor the current one', () => {
    expect(previousCurrent([v('v1', 'DRAINED', 1_000), v('v5', 'INACTIVE'), v('v4', 'CURRENT')], 'd:v4')).toMatchObject({ buildId: 'v1' });
  });

  it('says why when it cannot tell', () => {
    expect(previousCurrent([v('v4', 'CURRENT')], 'd:v4')).toBe('cannot tell which version to go back to: 0 versions were current before');
    expect(previousCurrent([v('v1', 'DRAINED'), v('v2', 'DRAINED'), v('v4', 'CURRENT')], 'd:v4')).toBe('cannot tell which version to go back to: 2 versions were current before (v1, v2)');
  });
});

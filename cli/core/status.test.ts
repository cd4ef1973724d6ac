import { describe, expect, it } from 'vitest';
import { buildStatusReport, groupExecutions, overrideLabel, STATUS_SCHEMA_VERSION, type ObservedExecution } from './status.js';
import type { DeploymentState } from './versioning.js';

const v1 = 'agent:v1';
const v2 = 'agent:v2';
const exec = (e: Partial<ObservedExecution> = {}): ObservedExecution => ({ workflowType: 'ResearchWorkflow', behavior: 'PINNED', version: v1, ...e });

const deployment = (d: Partial<DeploymentState> = {}): DeploymentState => ({
  name: 'agent',
  currentVersion: v2,
  rampingPercentage: 0,
  versions: [
    { version: v1, buildId: 'v1', status: 'DRAINING' },
    { version: 'agent:v0', buildId: 'v0', status: 'DRAINED' },
    { version: v2, buildId: 'v2', status: 'CURRENT' },
  ],
  ...d,
});

describe('overrideLabel', () => {
  it.each([
    [undefined, 'none'],
    [{ kind: 'auto_upgrade' } as const, 'auto_upgrade'],
    [{ kind: 'pinned', version: v1 } as const, `pinned:${v1}`],
  ])('%j -> %s', (o, label) => {
    expect(overrideLabel(o)).toBe(label);
  });
});

describe('groupExecutions', () => {
  it('counts per version x effective behavior x override', () => {
    const groups = groupExecutions([
      exec(),
      exec({ workflowType: 'ResearchPollingWorkflow' }),
      exec({ override: { kind: 'auto_upgrade' } }),
      exec({ version: v2, behavior: 'AUTO_UPGRADE' }),
      exec({ behavior: 'AUTO_UPGRADE', override: { kind: 'pinned', version: v1 } }),
      exec({ version: undefined, behavior: 'UNVERSIONED' }),
    ]);
    expect(groups).toEqual([
      { version: v1, behavior: 'PINNED', override: 'none', count: 2 },
      { version: v1, behavior: 'PINNED', override: `pinned:${v1}`, count: 1 },
      { version: v1, behavior: 'AUTO_UPGRADE', override: 'auto_upgrade', count: 1 },
      { version: v2, behavior: 'AUTO_UPGRADE', override: 'none', count: 1 },
      { version: 'unversioned', behavior: 'UNVERSIONED', override: 'none', count: 1 },
    ]);
  });

  it('keeps executions on their way to another version apart', () => {
    const groups = groupExecutions([
      exec({ override: { kind: 'auto_upgrade' }, transitioningTo: v2 }),
      exec({ override: { kind: 'auto_upgrade' } }),
      exec({ override: { kind: 'auto_upgrade' }, transitioningTo: v2 }),
    ]);
    expect(groups).toEqual([
      { version: v1, behavior: 'AUTO_UPGRADE', override: 'auto_upgrade', count: 1 },
      { version: v1, behavior: 'AUTO_UPGRADE', override: 'auto_upgrade', transitioningTo: v2, count: 2 },
    ]);
  });

  it('is empty for no executions', () => {
    expect(groupExecutions([])).toEqual([]);
  });
});

describe('buildStatusReport', () => {
  it('orders versions current first and counts running executions per version', () => {
    const report = buildStatusReport(deployment(), [exec(), exec(), exec({ version: v2, behavior: 'AUTO_UPGRADE' })], { total: 3 });
    expect(report.schemaVersion).toBe(STATUS_SCHEMA_VERSION);
    expect(report.currentVersion).toBe(v2);
    expect(report.versions).toEqual([
      { version: v2, buildId: 'v2', status: 'CURRENT', runningExecutions: 1 },
      { version: v1, buildId: 'v1', status: 'DRAINING', runningExecutions: 2 },
      { version: 'agent:v0', buildId: 'v0', status: 'DRAINED', runningExecutions: 0 },
    ]);
    expect(report.executions).toMatchObject({ total: 3, described: 3 });
    expect(report.executions).not.toHaveProperty('limit');
    expect(report).not.toHaveProperty('rampingVersion');
    expect(report).not.toHaveProperty('managerIdentity');
  });

  it('shows the ramping percentage on the ramping version, and the manager', () => {
    const d = deployment({
      rampingVersion: 'agent:v3',
      rampingPercentage: 25,
      managerIdentity: 'worker-controller',
      versions: [...deployment().versions, { version: 'agent:v3', buildId: 'v3', status: 'RAMPING' }],
    });
    const report = buildStatusReport(d, [], { total: 0 });
    expect(report).toMatchObject({ rampingVersion: 'agent:v3', rampingPercentage: 25, managerIdentity: 'worker-controller' });
    expect(report.versions[1]).toEqual({ version: 'agent:v3', buildId: 'v3', status: 'RAMPING', rampingPercentage: 25, runningExecutions: 0 });
  });

  it('says when --limit cut the listing short, and not when everything fit', () => {
    expect(buildStatusReport(deployment(), [exec(), exec()], { total: 5, limit: 2 }).executions).toMatchObject({ total: 5, described: 2, limit: 2 });
    expect(buildStatusReport(deployment(), [exec(), exec()], { total: 2, limit: 5 }).executions).not.toHaveProperty('limit');
  });

  it('never reports fewer in total than it described (visibility counts lag)', () => {
    expect(buildStatusReport(deployment(), [exec(), exec()], { total: 1 }).executions.total).toBe(2);
  });

  it('has no current version when none is set', () => {
    expect(buildStatusReport(deployment({ currentVersion: undefined }), [], { total: 0 })).not.toHaveProperty('currentVersion');
  });
});

import { describe, expect, it } from 'vitest';
import { buildStatusReport, type ObservedExecution } from '../core/status.js';
import type { DeploymentState } from '../core/versioning.js';
import { renderStatusJson } from './status-json.js';
import { renderStatusText } from './status-text.js';

const deployment: DeploymentState = {
  name: 'agent',
  currentVersion: 'agent:v2',
  rampingVersion: 'agent:v3',
  rampingPercentage: 10,
  versions: [
    { version: 'agent:v1', buildId: 'v1', status: 'DRAINING' },
    { version: 'agent:v2', buildId: 'v2', status: 'CURRENT' },
    { version: 'agent:v3', buildId: 'v3', status: 'RAMPING' },
  ],
};
const executions: ObservedExecution[] = [
  { workflowType: 'ResearchWorkflow', behavior: 'PINNED', version: 'agent:v1' },
  { workflowType: 'ResearchWorkflow', behavior: 'PINNED', version: 'agent:v1' },
  { workflowType: 'ResearchWorkflow', behavior: 'PINNED', version: 'agent:v1', override: { kind: 'auto_upgrade' }, transitioningTo: 'agent:v2' },
  { workflowType: 'ResearchWorkflow', behavior: 'AUTO_UPGRADE', version: 'agent:v2' },
];
const report = buildStatusReport(deployment, executions, { total: 4 });

describe('renderStatusText', () => {
  it('shows routing, the versions table and the groups table', () => {
    const lines = renderStatusText(report).split('\n');
    expect(lines.slice(0, 3)).toEqual(['Deployment: agent', 'Current:    agent:v2', 'Ramping:    agent:v3 at 10%']);
    expect(lines).toContain('agent:v2  CURRENT            1');
    expect(lines).toContain('agent:v3  RAMPING 10%        0');
    expect(lines).toContain('agent:v1  DRAINING           3');
    expect(lines).toContain('Version   Behavior      Override      Transitioning to  Count');
    expect(lines).toContain('agent:v1  PINNED        none          -                     2');
    expect(lines).toContain('agent:v1  AUTO_UPGRADE  auto_upgrade  agent:v2              1');
    expect(lines.join('\n')).toMatch(/2 executions are pinned to an older version; `safe-deploy nudge --deployment agent`/);
  });

  it('says when there is no current version and no execution, and names a manager', () => {
    const text = renderStatusText(buildStatusReport({ ...deployment, currentVersion: undefined, rampingVersion: undefined, managerIdentity: 'controller' }, [], { total: 0 }));
    expect(text).toContain('Current:    none');
    expect(text).toContain('Ramping:    none');
    expect(text).toContain('Managed by: controller');
    expect(text).toContain('No running executions.');
  });

  it('says how many were described under --limit', () => {
    const text = renderStatusText(buildStatusReport(deployment, executions.slice(0, 2), { total: 4, limit: 2 }));
    expect(text).toContain('Running executions: 2 (2 of 4 described, --limit 2)');
  });

  it('keeps server text on one line', () => {
    const text = renderStatusText(buildStatusReport({ ...deployment, name: 'evil\n::error::x' }, [], { total: 0 }));
    expect(text).toContain('Deployment: evil\\n::error::x');
  });
});

describe('renderStatusJson', () => {
  it('carries the schema version and keeps the key order', () => {
    const json = JSON.parse(renderStatusJson(report)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['schemaVersion', 'deployment', 'currentVersion', 'rampingVersion', 'rampingPercentage', 'versions', 'executions']);
    expect(json.schemaVersion).toBe(1);
    expect(json.executions).toEqual({
      total: 4,
      described: 4,
      groups: [
        { version: 'agent:v1', behavior: 'PINNED', override: 'none', count: 2 },
        { version: 'agent:v1', behavior: 'AUTO_UPGRADE', override: 'auto_upgrade', transitioningTo: 'agent:v2', count: 1 },
        { version: 'agent:v2', behavior: 'AUTO_UPGRADE', override: 'none', count: 1 },
      ],
    });
    expect((json.versions as unknown[])[1]).toEqual({ version: 'agent:v3', buildId: 'v3', status: 'RAMPING', rampingPercentage: 10, runningExecutions: 0 });
  });
});

/**
 * `safe-deploy status` on the real server with real workers: v1 current with two paused research
 * executions (one given an auto_upgrade override) and an idle poller; then v2 becomes current.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import { setOverride } from '../../cli/temporal/executions.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli } from '../helpers/cli.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

interface StatusJson {
  schemaVersion: number;
  deployment: string;
  currentVersion?: string;
  versions: { version: string; buildId: string; status: string; runningExecutions: number }[];
  executions: { total: number; described: number; limit?: number; groups: { version: string; behavior: string; override: string; transitioningTo?: string; count: number }[] };
}

describe('status', () => {
  let t: TemporalHandle;
  let s: Scenario;
  const workers: SampleWorker[] = [];
  let upgraded: { workflowId: string; runId: string };

  const conn = () => ['--address', s.address, '--namespace', s.namespace];
  const status = async (...extra: string[]): Promise<StatusJson> => {
    const r = await runCli(['status', '--deployment', s.deploymentName, ...conn(), '--output', 'json', ...extra]);
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as StatusJson;
  };
  const v = (buildId: string) => `${s.deploymentName}:${buildId}`;

  const promote = (buildId: string) => promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId });

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'status');
    t = await connectTest();
    workers.push(await startWorker(s, 'v1'));
    await promote('v1');
    const research = [];
    for (const id of ['a', 'b']) {
      const h = await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-research-${id}`, args: [id] });
      await eventually('paused at the gate', async () => (await h.query<string>('status')) === 'awaiting_proceed');
      research.push(h);
    }
    const poller = await t.client.workflow.start('ResearchPollingWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-poller`, args: [] });
    await eventually('poller idle', async () => (await poller.query<{ runs: number }>('state')).runs === 0);
    const [a] = research;
    if (!a) throw new Error('unreachable');
    upgraded = { workflowId: a.workflowId, runId: a.firstExecutionRunId };
    await setOverride(t, upgraded, { kind: 'auto_upgrade' }, 'safe-deploy-test');
    await eventually('visibility to list the executions', async () => {
      const { count } = await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`);
      return count === 3;
    });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await t?.close();
  });

  it('shows v1 current and the executions per version x behavior x override', async () => {
    const report = await status();
    expect(report.schemaVersion).toBe(1);
    expect(report.deployment).toBe(s.deploymentName);
    expect(report.currentVersion).toBe(v('v1'));
    expect(report.versions).toEqual([{ version: v('v1'), buildId: 'v1', status: 'CURRENT', runningExecutions: 3 }]);
    expect(report.executions).toEqual({
      total: 3,
      described: 3,
      groups: [
        { version: v('v1'), behavior: 'PINNED', override: 'none', count: 2 },
        { version: v('v1'), behavior: 'AUTO_UPGRADE', override: 'auto_upgrade', count: 1 },
      ],
    });
  });

  it('describes at most --limit executions and says so', async () => {
    const report = await status('--limit', '2');
    expect(report.executions).toMatchObject({ total: 3, described: 2, limit: 2 });
    expect(report.executions.groups.reduce((n, g) => n + g.count, 0)).toBe(2);
  });

  it('prints a readable table', async () => {
    const r = await runCli(['status', '--deployment', s.deploymentName, ...conn()]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Current:    ${v('v1')}`);
    expect(r.stdout).toMatch(new RegExp(`${v('v1')}\\s+CURRENT\\s+3`));
    expect(r.stdout).toMatch(new RegExp(`${v('v1')}\\s+AUTO_UPGRADE\\s+auto_upgrade\\s+1`));
  });

  it('after v2 becomes current: v1 drains; the auto_upgrade execution moves on its next workflow task', async () => {
    workers.push(await startWorker(s, 'v2'));
    await promote('v2');

    const after = await status();
    expect(after.currentVersion).toBe(v('v2'));
    expect(after.versions).toEqual([
      { version: v('v2'), buildId: 'v2', status: 'CURRENT', runningExecutions: 0 },
      { version: v('v1'), buildId: 'v1', status: 'DRAINING', runningExecutions: 3 },
    ]);
    // What server 1.31 reports: an idle auto_upgrade execution stays on v1, with no transition,
    // until it has a workflow task to run; the pinned ones stay on v1 regardless.
    expect(after.executions.groups).toEqual([
      { version: v('v1'), behavior: 'PINNED', override: 'none', count: 2 },
      { version: v('v1'), behavior: 'AUTO_UPGRADE', override: 'auto_upgrade', count: 1 },
    ]);

    // A signal it has no handler for still gives it a workflow task: that task runs on v2.
    await t.client.workflow.getHandle(upgraded.workflowId, upgraded.runId).signal('wake_up');
    const moved = await eventually('the auto_upgrade execution to run on v2', async () => {
      const r = await status();
      return r.executions.groups.some((g) => g.version === v('v2')) ? r : false;
    });
    expect(moved.executions.groups).toEqual([
      { version: v('v1'), behavior: 'PINNED', override: 'none', count: 2 },
      { version: v('v2'), behavior: 'AUTO_UPGRADE', override: 'auto_upgrade', count: 1 },
    ]);
    expect(moved.versions.map((x) => [x.status, x.runningExecutions])).toEqual([
      ['CURRENT', 1],
      ['DRAINING', 2],
    ]);
  });

  it('exits 2 with a hint for a deployment that does not exist', async () => {
    const r = await runCli(['status', '--deployment', `${s.deploymentName}-nope`, ...conn()]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Worker Deployment ".*-nope" not found/);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stdout).toBe('');
  });
});

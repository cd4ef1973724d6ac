/**
 * Keep-pinned types against the real server: executions that replay cleanly on the candidate
 * (v2), which plan would upgrade, stay PINNED when their type is named by --keep-pinned-type or by
 * the project config's "keepPinnedTypes"; plan and deploy both read it, and apply changes nothing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeExecution } from '../../cli/temporal/executions.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

interface PlanFile {
  policy: { keepPinnedTypes?: string[] };
  executions: { workflowId: string; action: string; reason: string; receipt: { verdict: string } }[];
}

describe('keep-pinned types', () => {
  let t: TemporalHandle;
  let s: Scenario;
  let worker: SampleWorker;
  const ids: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-keep-pinned-'));
  const conn = () => ['--address', s.address, '--namespace', s.namespace];
  const plan = async (out: string, extra: string[], cwd = dir): Promise<PlanFile> => {
    const r = await runCli(['plan', '--deployment', s.deploymentName, '--candidate-build-id', 'v2', '--workflows', sampleWorkflows('v2'), '--out', join(dir, out), ...extra, ...conn()], { cwd });
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(readFileSync(join(dir, out), 'utf8')) as PlanFile;
  };

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'keep-pinned');
    t = await connectTest();
    worker = await startWorker(s, 'v1', { activityDelayMs: 20 });
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (let i = 0; i < 2; i++) {
      const h = await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${i}`, args: [`k${i}`] });
      ids.push(h.workflowId);
    }
    for (const id of ids) await eventually('at the gate', async () => (await t.client.workflow.getHandle(id).query<string>('status')) === 'awaiting_proceed');
    await eventually('visible', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === 2);
  });
  afterAll(async () => {
    for (const id of ids) await t?.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
    await worker?.stop();
    await t?.close();
  });

  it('plan: compatible PINNED executions are upgraded, unless their type is kept pinned by flag or config', async () => {
    const baseline = await plan('baseline.json', ['--no-config']);
    expect(baseline.executions.map((e) => [e.action, e.receipt.verdict])).toEqual([
      ['upgrade', 'compatible'],
      ['upgrade', 'compatible'],
    ]);

    const byFlag = await plan('flag.json', ['--keep-pinned-type', 'ResearchWorkflow']);
    expect(byFlag.policy.keepPinnedTypes).toEqual(['ResearchWorkflow']);
    for (const e of byFlag.executions) {
      expect(e.action).toBe('keep-pinned');
      expect(e.reason).toMatch(/a keep-pinned type: stays PINNED on .*:v1, never upgraded \(replay: compatible\)/);
    }

    // The project config, found from the working directory, and --no-config ignoring it.
    const project = mkdtempSync(join(tmpdir(), 'safe-deploy-keep-pinned-project-'));
    writeFileSync(join(project, 'safe-deploy.config.json'), JSON.stringify({ keepPinnedTypes: ['ResearchWorkflow'] }));
    expect((await plan('config.json', [], project)).executions.map((e) => e.action)).toEqual(['keep-pinned', 'keep-pinned']);
    expect((await plan('ignored.json', ['--no-config'], project)).executions.map((e) => e.action)).toEqual(['upgrade', 'upgrade']);
  });

  it('apply and deploy --dry-run honour it: no override is set', async () => {
    const applied = await runCli(['apply', join(dir, 'flag.json'), '--phase', 'upgrade', '--workflows', sampleWorkflows('v2'), '--output', 'json', ...conn()]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect((JSON.parse(applied.stdout) as { entries: unknown[] }).entries).toEqual([]);
    for (const id of ids) {
      const { runId } = await t.client.workflow.getHandle(id).describe();
      expect((await describeExecution(t, { workflowId: id, runId })).override).toBeUndefined();
    }

    const deployPlan = join(dir, 'deploy.json');
    const dry = await runCli(['deploy', '--deployment', s.deploymentName, '--candidate-build-id', 'v2', '--workflows', sampleWorkflows('v2'), '--keep-pinned-type', 'ResearchWorkflow',
      '--dry-run', '--plan-out', deployPlan, '--output', 'json', ...conn()], { cwd: dir });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect((JSON.parse(readFileSync(deployPlan, 'utf8')) as PlanFile).executions.map((e) => e.action)).toEqual(['keep-pinned', 'keep-pinned']);
  });
});

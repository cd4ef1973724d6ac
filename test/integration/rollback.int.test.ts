/**
 * Rollback after a deploy of research-agent v4 over v1, on a real server with real workers. Both
 * follow-up executions were upgraded; "ran" then got a question on v4 (v4 completed a task and is
 * working on the answer, slowly), "idle" never got a v4 task. Rollback keeps "ran" on v4 (pinned
 * there), returns "idle" to v1 (our override cleared), makes v1 current, and neither hits an NDE.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollbackReport } from '../../cli/pipeline/rollback.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeDeployment } from '../../cli/temporal/deployments.js';
import { describeExecution } from '../../cli/temporal/executions.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';
import { rolloutEnv, stopRolloutWorkers } from '../helpers/rollout.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

const root = join(import.meta.dirname, '..', '..');
const rolloutScript = join(root, 'dist', 'sample-workers', 'research-agent', 'rollout.js');

describe('rollback: v4 back to v1', () => {
  let t: TemporalHandle;
  let s: Scenario;
  let v1: SampleWorker;
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-rollback-'));
  const pidFile = join(dir, 'rollout.pids');
  const id = (name: string) => `${s.taskQueue}-${name}`;
  const conn = () => ['--address', s.address, '--namespace', s.namespace];
  const history = async (workflowId: string) => (await t.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const builds = async (workflowId: string) => (await history(workflowId)).flatMap((e) => e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId ?? []);
  const runId = async (workflowId: string) => (await t.client.workflow.getHandle(workflowId).describe()).runId;

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'rollback');
    t = await connectTest();
    v1 = await startWorker(s, 'v1');
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (const name of ['ran', 'idle']) {
      await t.client.workflow.start('ResearchFollowUpWorkflow', { taskQueue: s.taskQueue, workflowId: id(name), args: [`topic ${name}`, { followUpAfter: '10 minutes' }] });
    }
    for (const name of ['ran', 'idle']) await eventually('asleep', async () => (await history(id(name))).some((e) => e.timerStartedEventAttributes));
    await eventually('visibility lists both', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === 2);
    // v4's workers answer slowly, so "ran" is still running candidate code at the rollback.
    const r = await runCli(
      ['deploy', '--deployment', s.deploymentName, '--candidate-build-id', 'v4', '--workflows', sampleWorkflows('v4'), '--rollout', `node ${rolloutScript} v4`, '--promote',
        '--plan-out', join(dir, 'plan.json'), '--output', 'json', ...conn()],
      { env: rolloutEnv(s, { pidFile, logDir: dir, activityDelayMs: 20_000 }), timeoutMs: 170_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { counts: { upgraded: number } }).counts.upgraded).toBe(2);
    await t.client.workflow.getHandle(id('ran')).signal('ask', 'what changed?');
    await eventually('v4 completed a task of "ran"', async () => (await builds(id('ran'))).includes('v4'));
  });

  afterAll(async () => {
    stopRolloutWorkers(pidFile);
    await v1?.stop();
    await t?.close();
  });

  it('--dry-run prints the report alone and changes nothing', async () => {
    const r = await runCli(['rollback', '--deployment', s.deploymentName, '--dry-run', '--output', 'json', ...conn()]);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as RollbackReport;
    expect(report).toMatchObject({ verdict: 'dry-run', candidate: `${s.deploymentName}:v4`, previous: `${s.deploymentName}:v1`, counts: { returned: 1, kept: 1 } });
    expect((await describeDeployment(t, s.deploymentName))?.currentVersion).toBe(`${s.deploymentName}:v4`);
    for (const name of ['ran', 'idle']) expect((await describeExecution(t, { workflowId: id(name), runId: await runId(id(name)) })).override).toEqual({ kind: 'auto_upgrade' });
  });

  it('returns the execution that never ran v4, keeps the one that did, and makes v1 current', async () => {
    const r = await runCli(['rollback', '--deployment', s.deploymentName, '--journal', join(dir, 'rollback.jsonl'), '--output', 'json', ...conn()]);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as RollbackReport;
    expect(report.verdict).toBe('rolled-back');
    const byId = Object.fromEntries(report.items.map((i) => [i.workflowId, i]));
    expect(byId[id('ran')]).toMatchObject({ group: 'keep', action: 'pin-to-candidate', status: 'done' });
    expect(byId[id('idle')]).toMatchObject({ group: 'return', action: 'clear-override', status: 'done' });
    expect(report.currentVersion).toBe(`${s.deploymentName}:v1`);
    expect((await describeExecution(t, { workflowId: id('ran'), runId: await runId(id('ran')) })).override).toEqual({ kind: 'pinned', version: `${s.deploymentName}:v4` });
    expect((await describeExecution(t, { workflowId: id('idle'), runId: await runId(id('idle')) })).override).toBeUndefined();
  });

  it('neither hits an NDE: "ran" finishes on v4, "idle" runs its next task on v1', async () => {
    const result = await t.client.workflow.getHandle(id('ran')).result();
    expect(result).toContain('question: what changed?');
    expect((await builds(id('ran'))).at(-1)).toBe('v4');
    await t.client.workflow.getHandle(id('idle')).signal('ask', 'still there?');
    await eventually('"idle" completed a task on v1 after the rollback', async () => {
      const events = await history(id('idle'));
      const signalled = events.filter((e) => e.workflowExecutionSignaledEventAttributes).at(-1);
      return events.some((e) => Number(e.eventId) > Number(signalled?.eventId ?? Infinity) && e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId === 'v1');
    });
    for (const name of ['ran', 'idle']) expect((await history(id(name))).some((e) => e.workflowTaskFailedEventAttributes), name).toBe(false);
  });
});

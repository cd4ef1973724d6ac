/**
 * The local server supports everything safe-deploy relies on: a Worker Deployment Version becoming
 * current, a per-execution auto_upgrade override, batch operations, and a pinned workflow that
 * sees targetWorkerDeploymentVersionChanged and continues-as-new onto the new current version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeDeployment } from '../../cli/temporal/deployments.js';
import { describeExecution, setOverride, startBatchOverride, waitForBatch } from '../../cli/temporal/executions.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import type { PollingState } from '../../sample-workers/research-agent/shared.js';

const identity = 'safe-deploy-test';

describe('local Temporal server capabilities', () => {
  let t: TemporalHandle;
  let s: Scenario;
  const workers: SampleWorker[] = [];

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'caps');
    t = await connectTest();
    workers.push(await startWorker(s, 'v1'));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await t?.close();
  });

  const promote = (buildId: string) => promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId });

  it('makes a Worker Deployment Version current', async () => {
    await promote('v1');
    const d = await describeDeployment(t, s.deploymentName);
    expect(d?.currentVersion).toBe(`${s.deploymentName}:v1`);
    expect(d?.versions.find((v) => v.buildId === 'v1')?.status).toBe('CURRENT');
  });

  it('sets and clears an auto_upgrade override on one execution, and on a batch of them', async () => {
    const handles = await Promise.all(
      ['a', 'b'].map((k) =>
        t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-override-${k}`, args: ['tides'] }),
      ),
    );
    for (const h of handles) await eventually('research paused at the gate', async () => (await h.query<string>('status')) === 'awaiting_proceed');
    const [a, b] = handles.map((h) => ({ workflowId: h.workflowId, runId: h.firstExecutionRunId }));
    if (!a || !b) throw new Error('unreachable');

    const before = await describeExecution(t, a);
    expect(before).toMatchObject({ behavior: 'PINNED', version: `${s.deploymentName}:v1`, running: true });
    expect(before.override).toBeUndefined();

    await setOverride(t, a, { kind: 'auto_upgrade' }, identity);
    expect((await describeExecution(t, a)).override).toEqual({ kind: 'auto_upgrade' });
    await setOverride(t, a, undefined, identity);
    expect((await describeExecution(t, a)).override).toBeUndefined();

    const jobId = `${s.taskQueue}-batch`;
    await startBatchOverride(t, { jobId, reason: 'capability test', identity, executions: [a, b], override: { kind: 'auto_upgrade' } });
    const progress = await waitForBatch(t, jobId, { timeoutMs: 60_000 });
    expect(progress).toMatchObject({ state: 'COMPLETED', total: 2, complete: 2, failure: 0 });
    for (const e of [a, b]) expect((await describeExecution(t, e)).override).toEqual({ kind: 'auto_upgrade' });

    for (const h of handles) await h.terminate('capability test done');
  });

  it('tells a pinned poller nothing changed while its version is still current, also on a task handed back inline', async () => {
    // A signal that lands while the first workflow task runs gets the next task handed back in the
    // completion's response (the inline path). Server 1.31.2 marked that task
    // targetWorkerDeploymentVersionChanged though v1 was still current, and the poller
    // continued-as-new by itself; 1.32 marks it only on a routing revision it has seen.
    const pollers = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const h = await t.client.workflow.start('ResearchPollingWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-inline-${i}`, args: [] });
        await h.signal('submit_request', { id: `r${i}`, topic: 'tides' });
        return h;
      }),
    );
    for (const h of pollers) {
      await eventually('the request finished', async () => (await h.query<PollingState>('state')).completed.length === 1);
    }
    for (const h of pollers) {
      const first = t.client.workflow.getHandle(h.workflowId, h.firstExecutionRunId);
      const events = (await first.fetchHistory()).events ?? [];
      const flagged = events.filter((e) => e.workflowTaskStartedEventAttributes?.targetWorkerDeploymentVersionChanged);
      expect(flagged, h.workflowId).toEqual([]);
      expect((await t.client.workflow.getHandle(h.workflowId).describe()).runId, h.workflowId).toBe(h.firstExecutionRunId);
      await h.terminate('capability test done');
    }
  });

  it('lets a pinned polling workflow see the version change and continue-as-new onto it', async () => {
    const workflowId = `${s.taskQueue}-poller`;
    const handle = await t.client.workflow.start('ResearchPollingWorkflow', { taskQueue: s.taskQueue, workflowId, args: [] });
    await eventually('poller started', async () => (await handle.query<{ runs: number }>('state')).runs === 0);
    const firstRun = handle.firstExecutionRunId;

    workers.push(await startWorker(s, 'v3'));
    await promote('v3');
    await handle.signal('submit_request', { id: 'carried', topic: 'glaciers' });

    const latest = t.client.workflow.getHandle(workflowId);
    const moved = await eventually('the poller continued-as-new onto v3', async () => {
      // The version change reaches the workflow a moment after promotion: wake it until it moves.
      await handle.signal('wake_up').catch(() => undefined);
      const d = await latest.describe();
      if (d.runId === firstRun) return false;
      const v = await describeExecution(t, { workflowId, runId: d.runId });
      return v.version === `${s.deploymentName}:v3` ? { runId: d.runId, v } : false;
    });
    expect(moved.runId).not.toBe(firstRun);
    expect((await t.client.workflow.getHandle(workflowId, firstRun).describe()).status.name).toBe('CONTINUED_AS_NEW');
    const state = await eventually('the carried request finished on v3', async () => {
      const st = await latest.query<{ runs: number; pending: unknown[]; completed: { id: string }[] }>('state');
      return st.completed.some((c) => c.id === 'carried') ? st : false;
    });
    expect(state.runs).toBe(1);
    await latest.terminate('capability test done');
  });
});

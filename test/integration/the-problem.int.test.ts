/**
 * The failure safe-deploy exists to prevent, on a real server with real worker processes: v3 (a
 * breaking change) becomes current while v1 research executions wait at the proceed gate. The one
 * left PINNED finishes on v1; the one given an auto_upgrade override moves to v3 and its workflow
 * task fails with a non-determinism error.
 */
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeExecution, setOverride } from '../../cli/temporal/executions.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

const NDE_CAUSE = proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR;

describe('the problem: a breaking deploy and the executions in flight', () => {
  let t: TemporalHandle;
  let s: Scenario;
  const workers: SampleWorker[] = [];

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'problem');
    t = await connectTest();
    workers.push(await startWorker(s, 'v1'));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await t?.close();
  });

  const promote = (buildId: string) => promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId });

  it('keeps a PINNED execution on v1, and breaks one that an override moved to v3', async () => {
    await promote('v1');
    const start = (id: string) => t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${id}`, args: ['ocean acidification'] });
    const [pinned, upgraded] = [await start('pinned'), await start('upgraded')];
    for (const h of [pinned, upgraded]) await eventually('paused at the gate', async () => (await h.query<string>('status')) === 'awaiting_proceed');

    workers.push(await startWorker(s, 'v3'));
    await promote('v3');
    await setOverride(t, { workflowId: upgraded.workflowId, runId: upgraded.firstExecutionRunId }, { kind: 'auto_upgrade' }, 'test');

    await pinned.signal('proceed');
    await upgraded.signal('proceed');

    // PINNED: finishes on the build that started it, every workflow task completed by v1.
    await expect(pinned.result()).resolves.toMatch(/ocean acidification/);
    const pinnedHistory = await pinned.fetchHistory();
    const buildIds = new Set(
      pinnedHistory.events?.flatMap((e) => e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId ?? []),
    );
    expect([...buildIds]).toEqual(['v1']);
    expect(pinnedHistory.events?.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);

    // auto_upgrade: moves to v3, whose code no longer matches the history -> NDE, stuck.
    const failed = await eventually('a non-determinism workflow task failure', async () => {
      const h = await upgraded.fetchHistory();
      return h.events?.find((e) => e.workflowTaskFailedEventAttributes?.cause === NDE_CAUSE)?.workflowTaskFailedEventAttributes;
    });
    expect(failed?.failure?.message).toContain('[TMPRL1100]');
    // It was on its way to v3 and cannot complete a single task there.
    const now = await describeExecution(t, { workflowId: upgraded.workflowId, runId: upgraded.firstExecutionRunId });
    expect(now).toMatchObject({ override: { kind: 'auto_upgrade' }, transitioningTo: `${s.deploymentName}:v3` });
    expect((await upgraded.describe()).status.name).toBe('RUNNING');
    await upgraded.terminate('test done');
  });
});

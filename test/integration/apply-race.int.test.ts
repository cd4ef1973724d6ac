/**
 * The race apply exists to close: an execution that moves on between apply's re-check and its
 * change. The candidate replays every history up to the proceed gate and none past it, so an
 * auto_upgrade override set after v1 handled the signal is an override on a stale verdict: the
 * next workflow task on the candidate would fail with a nondeterminism error.
 *
 * The race is made to happen every time: apply runs in this process on a connection whose change
 * calls (StartBatchOperation for the batch path, UpdateWorkflowExecutionOptions for the direct
 * one) are held until each execution they name has been signalled and v1 is running its next
 * activity. So every execution's override lands on events the candidate never replayed. Each must
 * end reverted to PINNED on v1 before its activity finishes, then complete on v1 without a single
 * failed workflow task.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan, planSource, type Plan } from '../../cli/core/plan.js';
import { runApply } from '../../cli/pipeline/apply.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import { connect, resolveConnection, type TemporalHandle } from '../../cli/temporal/connection.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { historyEvents, latestByWorkflow, overrideWindowsMs, workflowTaskFailures } from '../helpers/apply-state.js';
import { runCli } from '../helpers/cli.js';
import { holdCalls, type HeldCalls } from '../helpers/hold-calls.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

const candidateWorkflows = join(import.meta.dirname, '..', 'fixtures', 'gate-breaking', 'workflows.ts');
const { workflowservice } = proto.temporal.api;
const STARTED = proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
/** v1's activities: long enough that apply reverts before `synthesize` ends, on a busy machine. */
const V1_ACTIVITY_MS = 20_000;

const eventMs = (e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }): number => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);

/** Signals one execution to proceed and waits until v1 handled it: `synthesize` is running on v1's worker. */
async function moveOnOnV1(t: TemporalHandle, workflowId: string): Promise<void> {
  const h = t.client.workflow.getHandle(workflowId);
  await h.signal('proceed');
  await eventually(`${workflowId}: v1 runs synthesize`, async () => {
    const d = await h.describe();
    return d.raw.pendingActivities?.some((a) => a.activityType?.name === 'synthesize' && a.state === STARTED);
  });
}

function raceSuite(label: string, n: number, path: { directMax: number; held: 'StartBatchOperation' | 'UpdateWorkflowExecutionOptions' }): void {
  describe(`apply (${label}): executions that move on between the re-check and the change`, () => {
    let t: TemporalHandle;
    let gated: TemporalHandle;
    let held: HeldCalls;
    let heldCalls = 0;
    let s: Scenario;
    let plan: Plan;
    const workers: SampleWorker[] = [];
    const ids = Array.from({ length: n }, (_, i) => `race-${i}`);
    const dir = mkdtempSync(join(tmpdir(), `safe-deploy-race-${label}-`));
    const planFile = join(dir, 'plan.json');
    const journal = `${planFile}.journal.jsonl`;

    beforeAll(async () => {
      const { address, namespace } = serverAddress();
      s = newScenario(address, namespace, `race${label}`);
      t = await connectTest();
      const fastV1 = await startWorker(s, 'v1');
      await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
      await Promise.all(ids.map((id) => t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${id}`, args: [id] })));
      for (const id of ids) {
        await eventually('at the gate', async () => (await t.client.workflow.getHandle(`${s.taskQueue}-${id}`).query<string>('status')) === 'awaiting_proceed', 90_000);
      }
      // Past the gate, v1 is slow: a worker of the same build whose activities take V1_ACTIVITY_MS.
      await fastV1.stop();
      workers.push(await startWorker(s, 'v1', { activityDelayMs: V1_ACTIVITY_MS }));
      await eventually('visible', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === n);
      const planned = await runCli(['plan', '--deployment', s.deploymentName, '--candidate-build-id', 'v2', '--workflows', candidateWorkflows, '--out', planFile, '--address', s.address, '--namespace', s.namespace]);
      expect(planned.exitCode, planned.stderr).toBe(0);
      plan = parsePlan(JSON.parse(readFileSync(planFile, 'utf8')));
      workers.push(await startWorker(s, 'v2', { workflowsPath: candidateWorkflows, activityDelayMs: 20 }));
      await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v2' });

      held = holdCalls(path.held, async (bytes) => {
        let workflowIds: string[];
        if (path.held === 'StartBatchOperation') {
          workflowIds = (workflowservice.v1.StartBatchOperationRequest.decode(bytes).executions ?? []).map((e) => e.workflowId ?? '');
        } else {
          const update = workflowservice.v1.UpdateWorkflowExecutionOptionsRequest.decode(bytes);
          // Only the upgrade: apply's revert (a pinned override) goes through as it is.
          if (!update.workflowExecutionOptions?.versioningOverride?.autoUpgrade) return;
          workflowIds = [update.workflowExecution?.workflowId ?? ''];
        }
        heldCalls++;
        await Promise.all(workflowIds.map((id) => moveOnOnV1(t, id)));
      });
      gated = await connect(resolveConnection({ address, namespace }, {}), { interceptors: [held.interceptor] });
    }, 300_000);
    afterAll(async () => {
      for (const w of workers) await w.stop();
      await gated?.close();
      await t?.close();
    });

    it('reverts every override that landed on unreplayed events, before the candidate runs a task', async () => {
      expect(plan.executions.map((e) => e.action)).toEqual(Array(n).fill('upgrade'));
      const result = await runApply({ temporal: gated, plan: planSource(plan), phase: 'upgrade', journalPath: journal, candidate: { workflows: [candidateWorkflows] }, directMax: path.directMax });
      expect(result.error).toBeUndefined();
      expect(held.errors).toEqual([]);
      // Every change was held until its executions had moved on: the race happened to all of them.
      expect(heldCalls).toBe(path.held === 'StartBatchOperation' ? 1 : n);
      expect(result.counts.reverted).toBe(n);

      const latest = latestByWorkflow(journal);
      for (const id of ids) {
        const h = t.client.workflow.getHandle(`${s.taskQueue}-${id}`);
        // synthesize ends V1_ACTIVITY_MS after it started; then v1 (pinned again) completes the run.
        const finished = await Promise.race([h.result().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 90_000))]);
        const trace = async () => (await historyEvents(t, h.workflowId)).map((x) => `${x.eventId} ${x.eventType}${x.workflowTaskStartedEventAttributes ? `(${x.workflowTaskStartedEventAttributes.identity})` : ''}`).join(', ');
        expect(finished, `${id} did not finish (journal: ${JSON.stringify(latest.get(h.workflowId))}): ${finished || (await trace())}`).toBe(true);
      }
      const gapsMs: number[] = [];
      for (const e of plan.executions) {
        const entry = latest.get(e.workflowId);
        expect(entry?.status, `${e.workflowId}: ${entry?.detail}`).toBe('reverted');
        expect(entry?.detail).toMatch(/arrived between the replay and our override.*the candidate does not replay them.*set back to PINNED on .*:v1/);
        const events = await historyEvents(t, e.workflowId);
        const trace = events.map((x) => `${x.eventId} ${x.eventType}`).join(', ');
        expect(workflowTaskFailures(events), `${e.workflowId} failed a workflow task: ${trace}`).toBe(0);
        const updates = events.filter((x) => x.workflowExecutionOptionsUpdatedEventAttributes);
        expect(updates.map((u) => (u.workflowExecutionOptionsUpdatedEventAttributes?.versioningOverride?.autoUpgrade ? 'auto_upgrade' : u.workflowExecutionOptionsUpdatedEventAttributes?.versioningOverride?.pinned?.version?.buildId)), trace).toEqual(['auto_upgrade', 'v1']);
        // What v1 did after the receipt and before our override: only the candidate could have replayed it.
        const ours = events.indexOf(updates[0]!);
        expect(events.slice(0, ours).some((x) => Number(x.eventId) > Number(e.receipt.lastEventId) && x.activityTaskScheduledEventAttributes), trace).toBe(true);
        // Every workflow task of the run completed on v1: the candidate never ran one.
        gapsMs.push(eventMs(updates[1]!) - eventMs(updates[0]!));
        const builds = new Set(events.flatMap((x) => (x.workflowTaskCompletedEventAttributes ? [x.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId] : [])));
        expect([...builds], trace).toEqual(['v1']);
      }
      process.stderr.write(`race (${label}): ${n} of ${n} reverted; re-check-to-override window (held on purpose): ${(await overrideWindowsMs(t, journal)).join(', ')} ms; override-to-revert gap (server times): ${gapsMs.sort((a, b) => a - b).join(', ')} ms\n`);
    }, 480_000);
  });
}

raceSuite('batch', 6, { directMax: 0, held: 'StartBatchOperation' });
raceSuite('direct', 4, { directMax: 20, held: 'UpdateWorkflowExecutionOptions' });

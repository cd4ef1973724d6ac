/**
 * The lab's scenario, automated, on a real server with real worker processes of one research agent
 * (the TypeScript one or the Python one: the same story, the same expectations):
 *  1. v1 runs three research executions paused at the gate and an idle polling workflow, all PINNED.
 *     `deploy` of v2 (compatible) with --promote: every replay passes, they get auto_upgrade, and
 *     after `proceed` the research executions finish on v2. Nothing PINNED is left on v1.
 *  2. `deploy` of v3 (breaking): research executions pinned to v2 fail replay and stay pinned,
 *     finishing on v2; the poller and one research execution (AUTO_UPGRADE through our override,
 *     still on v1) fail replay and are protected before v3 becomes current, so neither hits an NDE;
 *     the poller is nudged and continues-as-new onto v3 with its requests intact.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveBehavior } from '../../cli/core/versioning.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeDeployment } from '../../cli/temporal/deployments.js';
import { describeExecution } from '../../cli/temporal/executions.js';
import { venvPython } from '../../sample-workers/research-agent-py/python-env.js';
import { newScenario, pythonAgentDir, startWorker, workerEnv, type SampleSdk, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli, sampleWorkflows } from './cli.js';
import { connectTest, eventually, serverAddress } from './temporal.js';

const root = join(import.meta.dirname, '..', '..');
const rolloutScript = join(root, 'dist', 'sample-workers', 'research-agent', 'rollout.js');
const NDE = proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR;

type DeployJson = { verdict: string; counts: Record<string, number>; steps: { step: string; status: string; detail: string }[]; plan: { workflowType: string; version: string; action: string; count: number }[] };

/** The candidate's --workflows (and --python) for a version of the agent. */
function candidateFlags(sdk: SampleSdk, version: 'v2' | 'v3'): string[] {
  if (sdk === 'typescript') return ['--workflows', sampleWorkflows(version)];
  return ['--workflows', join(pythonAgentDir(), version, 'workflows.py'), '--python', venvPython()];
}

export function describeDeployScenario(sdk: SampleSdk): void {
  describe(`deploy: the ${sdk} research agent from v1 to v2 to v3`, () => {
    let t: TemporalHandle;
    let s: Scenario;
    let v1: SampleWorker;
    const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-deploy-'));
    const pidFile = join(dir, 'rollout.pids');
    const poller = () => `${s.taskQueue}-poller`;
    const research = (n: number) => `${s.taskQueue}-research-${n}`;

    beforeAll(async () => {
      const { address, namespace } = serverAddress();
      s = newScenario(address, namespace, 'deploy');
      t = await connectTest();
      // Slow activities, so a request is still being worked on when the poller is nudged.
      v1 = await startWorker(s, 'v1', { activityDelayMs: 1000, sdk });
      await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
      for (const n of [1, 2, 3]) {
        await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: research(n), args: [`topic ${n}`] });
      }
      await t.client.workflow.start('ResearchPollingWorkflow', { taskQueue: s.taskQueue, workflowId: poller(), args: [] });
      for (const n of [1, 2, 3]) {
        await eventually('paused at the gate', async () => (await t.client.workflow.getHandle(research(n)).query<string>('status')) === 'awaiting_proceed');
      }
      await eventually('visibility lists all four', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === 4);
    });

    afterAll(async () => {
      for (const pid of readPids()) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // already gone
        }
      }
      await v1?.stop();
      await t?.close();
    });

    function readPids(): number[] {
      try {
        return readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    }

    /** What the rollout's workers get: the scenario's server, deployment and queue; Build ID = version. */
    const rolloutEnv = () => {
      const { TEMPORAL_WORKER_BUILD_ID: _unused, ...env } = workerEnv(s, 'v1', 'v1', 1000);
      return env;
    };

    const rolloutOf = (version: 'v2' | 'v3') => `node ${rolloutScript} ${version}${sdk === 'python' ? ' python' : ''}`;
    const deploy = (buildId: 'v2' | 'v3', rollout: string) =>
      runCli(
        ['deploy', '--deployment', s.deploymentName, '--candidate-build-id', buildId, ...candidateFlags(sdk, buildId), '--long-running-type', 'ResearchPollingWorkflow',
          '--rollout', rollout, '--promote', '--plan-out', join(dir, `plan-${buildId}.json`), '--nudge-confirm-timeout', '90s',
          '--address', s.address, '--namespace', s.namespace, '--output', 'json'],
        { env: { ...rolloutEnv(), ROLLOUT_PID_FILE: pidFile, ROLLOUT_LOG_DIR: dir }, timeoutMs: 170_000 },
      );

    const buildIdsOf = async (workflowId: string, runId?: string) => {
      const h = await t.client.workflow.getHandle(workflowId, runId).fetchHistory();
      return { events: h.events ?? [], buildIds: (h.events ?? []).flatMap((e) => e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId ?? []) };
    };

    it('deploys v2: every replay passes, the research executions finish on v2, nothing stays pinned to v1', async () => {
      const r = await deploy('v2', rolloutOf('v2'));
      expect(r.exitCode, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as DeployJson;
      expect(report.verdict).toBe('deployed');
      expect(report.counts).toMatchObject({ executions: 4, upgraded: 4, protected: 0, keptPinned: 0 });
      expect(report.steps.map((x) => `${x.step}:${x.status}`)).toEqual(['plan:done', 'protect:done', 'rollout:done', 'promote:done', 'upgrade:done', 'nudge:skipped']);
      expect((await describeDeployment(t, s.deploymentName))?.currentVersion).toBe(`${s.deploymentName}:v2`);

      // Research 1 and 2 proceed and finish on v2; research 3 stays at the gate for the next deploy.
      for (const n of [1, 2]) {
        const h = t.client.workflow.getHandle(research(n));
        await h.signal('proceed');
        await h.result();
        const { buildIds } = await buildIdsOf(research(n));
        expect(buildIds[0]).toBe('v1');
        expect(buildIds.at(-1)).toBe('v2');
      }
      // Nothing effectively PINNED is left running on v1.
      const onV1 = [];
      for await (const e of t.client.workflow.list({ query: `TemporalWorkerDeploymentVersion = '${s.deploymentName}:v1' AND ExecutionStatus = 'Running'` })) onV1.push(e);
      for (const e of onV1) {
        const now = await describeExecution(t, { workflowId: e.workflowId, runId: e.runId });
        expect(effectiveBehavior(now), e.workflowId).not.toBe('PINNED');
      }
    });

    it('deploys v3: failing executions stay pinned or are protected, the poller is nudged onto v3 with its requests', async () => {
      // Two research executions start on v2 (current), pinned there.
      for (const n of [4, 5]) {
        await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: research(n), args: [`topic ${n}`] });
        await eventually('paused at the gate', async () => (await t.client.workflow.getHandle(research(n)).query<string>('status')) === 'awaiting_proceed');
      }
      await eventually('visibility lists them', async () => (await t.client.workflow.count(`TemporalWorkerDeploymentVersion = '${s.deploymentName}:v2' AND ExecutionStatus = 'Running'`)).count >= 2);
      const pollerRun = (await t.client.workflow.getHandle(poller()).describe()).runId;
      // The rollout also queues two requests on the poller: the first is being worked on when the
      // poller is nudged, the second must survive the continue-as-new. The signals wake the poller
      // (pinned back to v1 while v2 is current), which moves to v2 at once; the pause lets that
      // settle before v3 is promoted, so the move onto v3 is the nudge's doing.
      const signal = (id: string) =>
        `${join(root, '.tools', 'bin', 'temporal')} workflow signal --workflow-id ${poller()} --name submit_request --input '{"id":"${id}","topic":"${id} topic"}' --address ${s.address} --namespace ${s.namespace}`;
      const r = await deploy('v3', `${rolloutOf('v3')} && ${signal('r1')} && ${signal('r2')} && sleep 3`);
      expect(r.exitCode, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as DeployJson;
      expect(report.verdict).toBe('deployed');
      const actions = Object.fromEntries(report.plan.map((p) => [`${p.workflowType} ${p.version} ${p.action}`, p.count]));
      expect(actions).toEqual({
        [`ResearchPollingWorkflow ${s.deploymentName}:v1 protect-clear-override`]: 1,
        [`ResearchWorkflow ${s.deploymentName}:v1 protect-clear-override`]: 1,
        [`ResearchWorkflow ${s.deploymentName}:v2 keep-pinned`]: 2,
      });
      expect(report.counts).toMatchObject({ upgraded: 0, protected: 2, nudged: 1, moved: 1, stragglers: 0 });

      // The poller moved: its old run continued-as-new, the new run is on v3 and has every request.
      const latest = await t.client.workflow.getHandle(poller()).describe();
      expect(latest.runId).not.toBe(pollerRun);
      expect((await describeExecution(t, { workflowId: poller(), runId: latest.runId })).version).toBe(`${s.deploymentName}:v3`);
      const state = await eventually('both requests done', async () => {
        const st = await t.client.workflow.getHandle(poller()).query<{ runs: number; pending: { id: string }[]; completed: { id: string; summary: string }[] }>('state');
        return st.completed.length === 2 ? st : false;
      }, 90_000);
      // Pinned back to v1 while v2 is current, the poller may already continue-as-new when the
      // rollout's first request wakes it (v1 -> v2), then again when nudged (v2 -> v3).
      expect(state.runs).toBeGreaterThanOrEqual(1);
      expect(state.completed.map((c) => c.id).sort()).toEqual(['r1', 'r2']);
      const oldRun = await buildIdsOf(poller(), pollerRun);
      expect(oldRun.events.some((e) => e.workflowTaskFailedEventAttributes?.cause === NDE)).toBe(false);

      // Pinned and protected research executions finish where they are, with no NDE.
      for (const [n, build] of [[3, 'v1'], [4, 'v2'], [5, 'v2']] as const) {
        const h = t.client.workflow.getHandle(research(n));
        await h.signal('proceed');
        await h.result();
        const { events, buildIds } = await buildIdsOf(research(n));
        expect(buildIds.at(-1), research(n)).toBe(build);
        expect(events.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
      }
    });
  });
}

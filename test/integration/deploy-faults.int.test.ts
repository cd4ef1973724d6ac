/**
 * deploy under faults, on a real server with real workers: killed (SIGKILL, by PID) mid-upgrade
 * and run again, it resumes its plan and journal (the plan is not rewritten, the rollout that
 * succeeded is not run again, every `started` entry gets an outcome, each execution is changed
 * once); Ctrl-C during the rollout ends the rollout's whole process tree and exits 130; Ctrl-C
 * while --promote waits for pollers exits 130 with the step that stopped.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestEntries } from '../../cli/core/journal.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeExecution } from '../../cli/temporal/executions.js';
import { newScenario, startWorker, workerEnv, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { journalEntries, optionsUpdates } from '../helpers/apply-state.js';
import { BIN, runCli, sampleWorkflows } from '../helpers/cli.js';
import { alive } from '../helpers/processes.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

const rolloutScript = join(import.meta.dirname, '..', '..', 'dist', 'sample-workers', 'research-agent', 'rollout.js');
const N = 6;

type DeployJson = { verdict: string; counts: Record<string, number>; steps: { step: string; status: string; detail: string }[]; error?: { exitCode: number } };

describe('deploy: killed mid-upgrade and resumed; interrupted (SIGINT, SIGTERM) in the rollout and in --promote', () => {
  let t: TemporalHandle;
  let s: Scenario;
  let v1: SampleWorker;
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-deploy-faults-'));
  const pidFile = join(dir, 'rollout.pids');
  const ids: string[] = [];

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'deploy-faults');
    t = await connectTest();
    v1 = await startWorker(s, 'v1');
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (let i = 0; i < N; i++) ids.push((await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${i}`, args: [`t${i}`] })).workflowId);
    for (const id of ids) await eventually('at the gate', async () => (await t.client.workflow.getHandle(id).query<string>('status')) === 'awaiting_proceed');
    await eventually('visible', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === N);
  }, 120_000);
  afterAll(async () => {
    const pids = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGINT');
    await v1?.stop();
    await t?.close();
  });

  const env = () => {
    const { TEMPORAL_WORKER_BUILD_ID: _unused, ...rest } = workerEnv(s, 'v1', 'v1', 20);
    return { ...rest, ROLLOUT_PID_FILE: pidFile, ROLLOUT_LOG_DIR: dir, TEMPORAL_API_KEY: '' };
  };
  const deployArgs = (buildId: string, rollout: string | undefined, extra: string[] = []) => [
    BIN, 'deploy', '--deployment', s.deploymentName, '--candidate-build-id', buildId, '--workflows', sampleWorkflows('v2'),
    ...(rollout ? ['--rollout', rollout] : []), '--promote', '--plan-out', join(dir, `plan-${buildId}.json`),
    '--address', s.address, '--namespace', s.namespace, '--output', 'json', ...extra,
  ];

  it('killed mid-upgrade, run again: resumes, the rollout is not repeated, each execution changed once', async () => {
    const plan = join(dir, 'plan-v2.json');
    const journal = `${plan}.journal.jsonl`;
    const marker = join(dir, 'rollouts');
    const rollout = `echo ran >> ${marker} && node ${rolloutScript} v2`;
    const first = execa('node', deployArgs('v2', rollout, ['--direct-max', '0', '--rps', '1']), { reject: false, env: env(), extendEnv: true });
    await eventually('an upgrade journaled as started', async () => existsSync(journal) && readFileSync(journal, 'utf8').includes('"action":"upgrade","status":"started"'), 150_000);
    process.kill(first.pid as number, 'SIGKILL');
    await first;
    const planText = readFileSync(plan, 'utf8');

    const again = await execa('node', deployArgs('v2', rollout), { reject: false, env: env(), extendEnv: true });
    expect(again.exitCode, String(again.stderr)).toBe(0);
    const report = JSON.parse(String(again.stdout)) as DeployJson;
    expect(report.verdict).toBe('deployed');
    expect(report.steps.find((x) => x.step === 'plan')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/^resumed /) });
    expect(report.steps.find((x) => x.step === 'rollout')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/done by an earlier run/) });
    expect(report.counts.upgraded).toBe(N);
    expect(readFileSync(plan, 'utf8')).toBe(planText);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');

    const entries = journalEntries(journal);
    const latest = latestEntries(entries);
    // Every `started` entry has an outcome after it.
    for (const e of latest.values()) expect(e.status, e.workflowId).not.toBe('started');
    for (const id of ids) {
      expect(['done', 'already'], id).toContain([...latest.values()].find((e) => e.workflowId === id && e.action === 'upgrade')?.status);
      expect(await optionsUpdates(t, id), id).toBe(1);
      expect((await describeExecution(t, { workflowId: id, runId: '' })).override, id).toEqual({ kind: 'auto_upgrade' });
    }
  }, 240_000);

  it('Ctrl-C during the rollout: the whole rollout tree ends, exit 130, the report says where it stopped', async () => {
    const pids = join(dir, 'tree.pids');
    // The shell forks: `sleep` is its child, the grandchild of safe-deploy.
    const rollout = `echo $$ > ${pids}; sleep 300 & echo $! >> ${pids}; wait`;
    const run = execa('node', deployArgs('v2c', rollout), { reject: false, env: env(), extendEnv: true });
    const tree = await eventually('the rollout running', async () => {
      const p = existsSync(pids) ? readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number) : [];
      return p.length === 2 && p;
    }, 150_000);
    expect(tree.every(alive)).toBe(true);
    process.kill(run.pid as number, 'SIGINT');
    const r = await run;
    expect(r.exitCode, String(r.stderr)).toBe(130);
    const report = JSON.parse(String(r.stdout)) as DeployJson;
    expect(report.verdict).toBe('interrupted');
    expect(report.steps.at(-1)).toMatchObject({ step: 'rollout', status: 'failed' });
    for (const pid of tree) expect(alive(pid), `rollout process ${pid} outlived safe-deploy`).toBe(false);
  }, 240_000);

  it('SIGTERM (a CI runner cancelling the job) while --promote waits for pollers: exit 130, the report names the step', async () => {
    const run = execa('node', deployArgs('v9', undefined), { reject: false, env: env(), extendEnv: true });
    await eventually('waiting for pollers', async () => existsSync(join(dir, 'plan-v9.json')), 150_000);
    // The plan is written before protect; give it a moment to reach the wait.
    await new Promise((r) => setTimeout(r, 2000));
    process.kill(run.pid as number, 'SIGTERM');
    const r = await run;
    expect(r.exitCode, String(r.stderr)).toBe(130);
    const report = JSON.parse(String(r.stdout)) as DeployJson;
    expect(report.verdict).toBe('interrupted');
    expect(report.steps.at(-1)).toMatchObject({ step: 'promote', status: 'failed', detail: expect.stringMatching(/interrupted while waiting for workers/) });
  }, 240_000);
});

/**
 * `safe-deploy histories pull` on the real server: the folder it writes, checked offline with
 * `check --histories`, gives the same verdicts as the live check; a second pull keeps what is there.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyFileName } from '../../cli/core/history-files.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

type Json = { verdict: string; results: { workflowId: string; runId: string; verdict: string; eventId?: string; lastEventId: string; historyHad?: string; codeDid?: string }[] };
type PullJson = { counts: { selected: number; downloaded: number; kept: number; failed: number }; files: { workflowId: string; runId: string; file: string; status: string }[] };

describe('histories pull', () => {
  let t: TemporalHandle;
  let s: Scenario;
  let worker: SampleWorker;
  const ids = ['paused-a', 'paused-b'];

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'pull');
    t = await connectTest();
    worker = await startWorker(s, 'v1');
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (const id of ids) {
      const h = await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}/${id}`, args: [id] });
      await eventually('paused at the gate', async () => (await h.query<string>('status')) === 'awaiting_proceed');
    }
    await t.client.workflow.start('ResearchPollingWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-poller`, args: [] });
    await eventually('visibility to list the executions', async () => {
      const { count } = await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`);
      return count === 3;
    });
    // Stopped, so no history grows between the pull and the live check.
    await worker.stop();
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  const conn = () => ['--address', s.address, '--namespace', s.namespace];
  const verdicts = (stdout: string) =>
    Object.fromEntries((JSON.parse(stdout) as Json).results.map((r) => [r.workflowId, { runId: r.runId, verdict: r.verdict, eventId: r.eventId, lastEventId: r.lastEventId, historyHad: r.historyHad, codeDid: r.codeDid }]));

  it('pulls one file per execution, named by workflow ID and run ID; check --histories agrees with the live check', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'safe-deploy-pull-')), 'histories');
    const pulled = await runCli(['histories', 'pull', '--deployment', s.deploymentName, '--out', dir, '--concurrency', '2', '--output', 'json', ...conn()]);
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    const report = JSON.parse(pulled.stdout) as PullJson;
    expect(report.counts).toEqual({ selected: 3, downloaded: 3, kept: 0, failed: 0 });
    expect(readdirSync(dir).sort()).toEqual(report.files.map((f) => historyFileName(f.workflowId, f.runId)).sort());
    // A workflow ID with a slash stays one file name.
    expect(readdirSync(dir)).toContain(historyFileName(`${s.taskQueue}/paused-a`, report.files.find((f) => f.workflowId === `${s.taskQueue}/paused-a`)?.runId ?? ''));
    // The CLI's JSON format: {"events": [...]} with enum names.
    expect(JSON.parse(readFileSync(join(dir, readdirSync(dir)[0] ?? ''), 'utf8')).events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');

    for (const version of ['v2', 'v3'] as const) {
      const live = await runCli(['check', '--deployment', s.deploymentName, '--workflows', sampleWorkflows(version), '--output', 'json', ...conn()]);
      const offline = await runCli(['check', '--histories', dir, '--workflows', sampleWorkflows(version), '--output', 'json']);
      expect(offline.exitCode, offline.stderr).toBe(live.exitCode);
      expect(verdicts(offline.stdout)).toEqual(verdicts(live.stdout));
      expect(Object.keys(verdicts(live.stdout))).toHaveLength(3);
    }
  });

  it('is resumable: a second pull downloads only the files the folder lacks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-pull-again-'));
    const first = JSON.parse((await runCli(['histories', 'pull', '--deployment', s.deploymentName, '--out', dir, '--output', 'json', ...conn()])).stdout) as PullJson;
    const dropped = first.files[0];
    rmSync(dropped?.file ?? '');
    const again = await runCli(['histories', 'pull', '--deployment', s.deploymentName, '--out', dir, '--output', 'json', ...conn()]);
    expect(again.exitCode).toBe(0);
    const second = JSON.parse(again.stdout) as PullJson;
    expect(second.counts).toEqual({ selected: 3, downloaded: 1, kept: 2, failed: 0 });
    expect(second.files.find((f) => f.status === 'downloaded')?.workflowId).toBe(dropped?.workflowId);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a misspelled deployment: exit 2 with the hint status gives', async () => {
    const r = await runCli(['histories', 'pull', '--deployment', `${s.deploymentName}-typo`, '--out', mkdtempSync(join(tmpdir(), 'safe-deploy-pull-typo-')), ...conn()]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`Worker Deployment "${s.deploymentName}-typo" not found`);
  });

  it('an --out that cannot be made a folder (a file is in the way): exit 2 naming it before connecting, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-pull-file-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'in the way');
    const r = await runCli(['histories', 'pull', '--deployment', s.deploymentName, '--out', join(file, 'corpus'), ...conn()]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--out .*a-file\/corpus: .*a-file is a file, not a folder/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(readdirSync(dir)).toEqual(['a-file']);
  });
});

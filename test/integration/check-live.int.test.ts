/**
 * `safe-deploy check` against live executions on the real server: v1 research executions paused at
 * the gate and an idle polling workflow, checked by deployment against v2 (pass) and v3 (fail).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

describe('check against live executions', () => {
  let t: TemporalHandle;
  let s: Scenario;
  let worker: SampleWorker;
  const paused = ['paused-a', 'paused-b'];

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'check');
    t = await connectTest();
    worker = await startWorker(s, 'v1');
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (const id of paused) {
      const h = await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${id}`, args: [id] });
      await eventually('paused at the gate', async () => (await h.query<string>('status')) === 'awaiting_proceed');
    }
    await t.client.workflow.start('ResearchPollingWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-poller`, args: [] });
    // Visibility is eventually consistent: wait until the query sees all three on the version.
    await eventually('visibility to list the executions', async () => {
      const { count } = await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`);
      return count === 3;
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  const live = () => ['--deployment', s.deploymentName, '--address', s.address, '--namespace', s.namespace];
  type Json = { verdict: string; summary: { total: number; compatible: number; incompatible: number }; selection: { query: string }; results: { workflowId: string; verdict: string; version: string; runId: string }[] };
  const json = (stdout: string) => JSON.parse(stdout) as Json;

  it('passes against v2, a replay-compatible change', async () => {
    const r = await runCli(['check', ...live(), '--workflows', sampleWorkflows('v2'), '--output', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = json(r.stdout);
    expect(report).toMatchObject({ verdict: 'passed', summary: { total: 3, compatible: 3, incompatible: 0 } });
    expect(report.selection.query).toContain(`TemporalWorkerDeployment = '${s.deploymentName}'`);
    for (const res of report.results) expect(res.version).toBe(`${s.deploymentName}:v1`);
  });

  it('fails against v3 and names the paused research executions and the idle poller', async () => {
    const r = await runCli(['check', ...live(), '--workflows', sampleWorkflows('v3'), '--output', 'json']);
    expect(r.exitCode, r.stderr).toBe(1);
    const report = json(r.stdout);
    const verdicts = Object.fromEntries(report.results.map((x) => [x.workflowId, x.verdict]));
    expect(verdicts).toEqual({
      [`${s.taskQueue}-paused-a`]: 'nondeterministic',
      [`${s.taskQueue}-paused-b`]: 'nondeterministic',
      [`${s.taskQueue}-poller`]: 'nondeterministic',
    });
  });

  it('narrows by Build ID and workflow type, and prints a readable table', async () => {
    const r = await runCli(['check', ...live(), '--build-id', 'v1', '--workflow-type', 'ResearchWorkflow', '--workflows', sampleWorkflows('v3')]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/ResearchWorkflow\s+check-\w+:v1\s+2\s+0\s+2/);
    expect(r.stdout).not.toContain('ResearchPollingWorkflow');
    expect(r.stdout).toContain('FAILED');
  });

  it('splits executions across shards: disjoint, and together all of them', async () => {
    const ids: string[][] = [];
    for (const shard of ['1/2', '2/2']) {
      const r = await runCli(['check', ...live(), '--workflows', sampleWorkflows('v2'), '--output', 'json', '--shard', shard]);
      expect(r.exitCode).toBe(0);
      ids.push(json(r.stdout).results.map((x) => x.workflowId));
    }
    const [a = [], b = []] = ids;
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    expect([...a, ...b].sort()).toHaveLength(3);
  });

  it('does not download a history again when run ID and last event ID are unchanged', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'safe-deploy-cache-'));
    const first = await runCli(['check', ...live(), '--workflows', sampleWorkflows('v2'), '--cache-dir', cacheDir]);
    expect(first.exitCode).toBe(0);
    const cached = readdirSync(cacheDir).filter((f) => f.endsWith('.pb'));
    expect(cached).toHaveLength(3);
    const second = await runCli(['check', ...live(), '--workflows', sampleWorkflows('v2'), '--cache-dir', cacheDir]);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain('3 histories came from the cache, 0 were downloaded');
  });

  it('exits 2 with the server reason when the query is rejected', async () => {
    const r = await runCli(['check', ...live(), '--query', 'NoSuchAttribute = 3', '--workflows', sampleWorkflows('v2')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/rejected the query/);
    expect(r.stderr).toMatch(/NoSuchAttribute/);
  });
});

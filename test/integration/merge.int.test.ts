/**
 * `safe-deploy merge` on the real server: the reports of `check --shard i/4` and the plans of
 * `plan --shard i/4` over live executions, merged, equal one unsharded check / plan execution by
 * execution; shards that do not belong together are refused with exit 2.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

const SHARDS = 4;
const RESEARCH = 10;

type Report = {
  verdict: string;
  shard?: { index: number; count: number };
  summary: Record<string, number>;
  groups: unknown[];
  results: { workflowId: string; runId: string; verdict: string; version: string; lastEventId: string; eventId?: string }[];
};
type PlanFile = { shard?: unknown; executions: { workflowId: string; runId: string; action: string; receipt: unknown; state: unknown }[] };

/** One line per execution, what the verdict says about it, sorted: the comparison unit. */
const perExecution = (r: Report) => r.results.map((x) => `${x.workflowId} ${x.runId} ${x.version} ${x.lastEventId} ${x.verdict} ${x.eventId ?? ''}`).sort();

describe('merge: 4 shards of a live selection', () => {
  let t: TemporalHandle;
  let s: Scenario;
  let worker: SampleWorker;
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-merge-'));

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'merge');
    t = await connectTest();
    worker = await startWorker(s, 'v1');
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (let i = 0; i < RESEARCH; i++) {
      const h = await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-r${i}`, args: [`topic ${i}`] });
      await eventually('paused at the gate', async () => (await h.query<string>('status')) === 'awaiting_proceed');
    }
    await t.client.workflow.start('ResearchPollingWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-poller`, args: [] });
    await eventually('visibility to list the executions', async () => {
      const { count } = await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`);
      return count === RESEARCH + 1;
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  const live = () => ['--deployment', s.deploymentName, '--address', s.address, '--namespace', s.namespace];

  async function shardReports(candidate: 'v2' | 'v3'): Promise<string[]> {
    const files: string[] = [];
    for (let i = 1; i <= SHARDS; i++) {
      const r = await runCli(['check', ...live(), '--workflows', sampleWorkflows(candidate), '--shard', `${i}/${SHARDS}`, '--output', 'json']);
      expect([0, 1], r.stderr).toContain(r.exitCode);
      const file = join(dir, `${candidate}-report-${i}.json`);
      writeFileSync(file, r.stdout);
      files.push(file);
    }
    return files;
  }

  it.each([
    { candidate: 'v2' as const, exitCode: 0, verdict: 'passed' },
    { candidate: 'v3' as const, exitCode: 1, verdict: 'failed' },
  ])('check reports against $candidate merge into the unsharded report, execution by execution', async ({ candidate, exitCode, verdict }) => {
    const whole = await runCli(['check', ...live(), '--workflows', sampleWorkflows(candidate), '--output', 'json']);
    expect(whole.exitCode, whole.stderr).toBe(exitCode);
    const unsharded = JSON.parse(whole.stdout) as Report;
    expect(unsharded.summary.total).toBe(RESEARCH + 1);

    const files = await shardReports(candidate);
    const parts = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Report);
    expect(parts.map((p) => p.shard)).toEqual([1, 2, 3, 4].map((index) => ({ index, count: SHARDS })));
    expect(parts.filter((p) => p.results.length > 0).length, 'the executions spread over more than one shard').toBeGreaterThan(1);

    const junit = join(dir, `${candidate}.xml`);
    const markdown = join(dir, `${candidate}.md`);
    const merged = await runCli(['merge', ...files, '--output', 'json', '--junit', junit, '--markdown', markdown]);
    expect(merged.exitCode, merged.stderr).toBe(exitCode);
    const report = JSON.parse(merged.stdout) as Report;
    expect(report.shard).toBeUndefined();
    expect(report.verdict).toBe(verdict);
    expect(perExecution(report)).toEqual(perExecution(unsharded));
    expect(report.summary).toEqual(unsharded.summary);
    expect(report.groups).toEqual(unsharded.groups);
    for (const file of [junit, markdown]) {
      const text = readFileSync(file, 'utf8');
      for (const r of unsharded.results.filter((x) => x.verdict !== 'compatible')) expect(text).toContain(r.workflowId);
    }
    expect(readFileSync(junit, 'utf8').match(/<testcase /g)).toHaveLength(RESEARCH + 1);

    const text = await runCli(['merge', ...files]);
    expect(text.exitCode).toBe(exitCode);
    expect(text.stdout).toContain(verdict === 'passed' ? 'PASSED' : 'FAILED');
  });

  it('plans of 4 shards merge into the unsharded plan, and the merged plan applies as a dry run', async () => {
    const planArgs = (out: string) => ['plan', ...live(), '--candidate-build-id', 'v2', '--workflows', sampleWorkflows('v2'), '--out', out, '--output', 'json'];
    const wholeFile = join(dir, 'plan.json');
    const whole = await runCli(planArgs(wholeFile));
    expect(whole.exitCode, whole.stderr).toBe(0);
    // --output json streams the plan it wrote.
    expect(JSON.parse(whole.stdout)).toEqual(JSON.parse(readFileSync(wholeFile, 'utf8')));
    const files: string[] = [];
    const reports: string[] = [];
    for (let i = 1; i <= SHARDS; i++) {
      const file = join(dir, `plan-${i}.json`);
      const report = join(dir, `plan-report-${i}.json`);
      const r = await runCli([...planArgs(file), '--shard', `${i}/${SHARDS}`, '--check-report', report]);
      expect(r.exitCode, r.stderr).toBe(0);
      files.push(file);
      reports.push(report);
    }
    // The check behind each shard's plan, merged: the same executions and verdicts as the plan.
    const mergedReport = await runCli(['merge', ...reports, '--output', 'json']);
    expect(mergedReport.exitCode, mergedReport.stderr).toBe(0);
    const checked = (JSON.parse(mergedReport.stdout) as Report).results.map((x) => `${x.workflowId} ${x.runId} ${x.verdict}`).sort();
    const mergedFile = join(dir, 'merged-plan.json');
    const merged = await runCli(['merge', ...files, '--out', mergedFile]);
    expect(merged.exitCode, merged.stderr).toBe(0);
    expect(merged.stdout).toContain('OK: the plan can be applied');
    const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as PlanFile;
    const strip = (p: PlanFile) => p.executions.map(({ workflowId, runId, action, receipt, state }) => ({ workflowId, runId, action, receipt, state }));
    expect(read(mergedFile).shard).toBeUndefined();
    expect(strip(read(mergedFile))).toEqual(strip(read(wholeFile)));
    expect(read(mergedFile).executions).toHaveLength(RESEARCH + 1);
    expect(checked).toEqual(
      read(wholeFile)
        .executions.map((e) => `${e.workflowId} ${e.runId} ${(e.receipt as { verdict: string }).verdict}`)
        .sort(),
    );

    const applied = await runCli(['apply', mergedFile, '--dry-run', '--output', 'json', '--address', s.address, '--namespace', s.namespace]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect((JSON.parse(applied.stdout) as { wouldChange: unknown[] }).wouldChange).toHaveLength(RESEARCH + 1);
  });

  it('refuses shards that do not make one run: a missing shard, another candidate, a report with a plan', async () => {
    const v2 = await shardReports('v2');
    const v3 = [1, 2, 3, 4].map((i) => join(dir, `v3-report-${i}.json`));
    expect(existsSync(v3[0] as string)).toBe(true);

    const missing = await runCli(['merge', ...v2.slice(0, 3)]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`missing shard(s) 4/${SHARDS}`);

    const mixed = await runCli(['merge', v2[0] as string, v2[1] as string, v3[2] as string, v3[3] as string]);
    expect(mixed.exitCode).toBe(2);
    expect(mixed.stderr).toContain('different candidates (bundle hash)');

    const twice = await runCli(['merge', ...v2, v2[0] as string]);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toContain('given twice');

    const withPlan = await runCli(['merge', v2[0] as string, join(dir, 'plan-2.json')]);
    expect(withPlan.exitCode).toBe(2);
    expect(withPlan.stderr).toContain('merge reports and plans in two calls');
  });
});

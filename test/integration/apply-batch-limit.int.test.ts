/**
 * apply on a server with the production default of one batch operation per namespace (our dev
 * server allows 100), on its own real dev server. While someone else's batch job runs, apply's
 * batch is refused (ResourceExhausted, not retried) and its changes go out one by
 * one instead: every execution changed once, nothing lost, the refusal noted. With the namespace
 * free, apply's own batches, one after another with each read back beside the next, never trip
 * the limit. A batch a previous run left `started` that makes no progress is stopped, not waited
 * for, and its executions are sent one by one.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan, planSource } from '../../cli/core/plan.js';
import { runApply } from '../../cli/pipeline/apply.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import { connect, resolveConnection, type TemporalHandle } from '../../cli/temporal/connection.js';
import { startDevServer, type DevServer } from '../../cli/temporal/dev-server.js';
import { describeBatch, describeExecution, startBatchOverride } from '../../cli/temporal/executions.js';
import { BatchLimitError } from '../../cli/errors.js';
import type { Interceptor } from '../../cli/temporal/connection.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { journalEntries, latestByWorkflow, optionsUpdates } from '../helpers/apply-state.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';
import { eventually } from '../helpers/temporal.js';

const FOREIGN_JOB = 'someone-elses-batch';
const STALLED_JOB = 'a-previous-runs-batch';

/** A batch job over 1,000 executions that do not exist: at the server's 5 a second, it runs for minutes. */
async function startLongBatch(t: TemporalHandle, jobId: string): Promise<void> {
  await t.connection.workflowService.startBatchOperation({
    namespace: t.namespace,
    jobId,
    reason: 'a long batch',
    executions: Array.from({ length: 1000 }, (_, i) => ({ workflowId: `nobody-${i}` })),
    signalOperation: { signal: 'noop', identity: 'another-team' },
  });
  await eventually(`${jobId} running`, async () => (await describeBatch(t, jobId)).state === 'RUNNING');
}

describe('apply under the namespace limit of one batch operation', () => {
  let server: DevServer;
  let t: TemporalHandle;
  let s: Scenario;
  const workers: SampleWorker[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-batch-limit-'));
  const conn = () => ['--address', s.address, '--namespace', s.namespace];
  const ids = { busy: [] as string[], free: [] as string[], stalled: [] as string[] };

  const makePlan = async (group: keyof typeof ids): Promise<string> => {
    const out = join(dir, `${group}.json`);
    const query = `WorkflowId STARTS_WITH '${s.taskQueue}-${group}-'`;
    const r = await runCli(['plan', '--deployment', s.deploymentName, '--candidate-build-id', 'v2', '--workflows', sampleWorkflows('v2'), '--query', query, '--out', out, ...conn()]);
    expect(r.exitCode, r.stderr).toBe(0);
    const planned = (JSON.parse(readFileSync(out, 'utf8')) as { executions: { workflowId: string; action: string }[] }).executions;
    expect(planned.map((e) => [e.workflowId, e.action]).sort()).toEqual(ids[group].map((id) => [id, 'upgrade']).sort());
    return out;
  };

  beforeAll(async () => {
    server = await startDevServer({
      dynamicConfig: { 'frontend.MaxConcurrentBatchOperationPerNamespace': '1', 'worker.batcherRPS': '5' },
      logFile: join(dir, 'server.log'),
    });
    t = await connect(resolveConnection({ address: server.address, namespace: server.namespace }, {}));
    s = newScenario(server.address, server.namespace, 'batch-limit');
    await eventually('the namespace', async () => (await t.client.workflow.count('ExecutionStatus = "Running"')).count >= 0);
    workers.push(await startWorker(s, 'v1'));
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (const [group, n] of [['busy', 4], ['free', 6], ['stalled', 3]] as const) {
      for (let i = 0; i < n; i++) {
        ids[group].push((await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${group}-${i}`, args: [`t${i}`] })).workflowId);
      }
    }
    for (const id of [...ids.busy, ...ids.free, ...ids.stalled]) await eventually('at the gate', async () => (await t.client.workflow.getHandle(id).query<string>('status')) === 'awaiting_proceed');
    await eventually('visible', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === 13);
  }, 240_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await t?.close();
    await server?.stop();
  });

  it('a refused batch is not retried: the refusal comes from the first call', async () => {
    // Interceptors after ours see every attempt our retry interceptor makes.
    let batchCalls = 0;
    const counting: Interceptor = (options, nextCall) => {
      if (options.method_definition.path.endsWith('/StartBatchOperation')) batchCalls++;
      return nextCall(options) as ReturnType<Interceptor>;
    };
    const counted = await connect(resolveConnection({ address: server.address, namespace: server.namespace }, {}), { interceptors: [counting] });
    const jobId = 'someone-elses-other-batch';
    try {
      await startLongBatch(t, jobId);
      const refused = await startBatchOverride(counted, {
        jobId: 'ours-refused',
        reason: 'test',
        identity: 'safe-deploy',
        executions: [{ workflowId: ids.busy[0] ?? '', runId: '' }],
        override: { kind: 'auto_upgrade' },
      }).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(BatchLimitError);
      expect(batchCalls).toBe(1);
    } finally {
      await t.connection.workflowService.stopBatchOperation({ namespace: t.namespace, jobId, reason: 'test done', identity: 'another-team' });
      await eventually(`${jobId} stopped`, async () => (await describeBatch(t, jobId)).state !== 'RUNNING');
      await counted.close();
    }
  }, 120_000);

  it("while someone else's batch runs, apply's batch is refused and its changes go one by one", async () => {
    const plan = await makePlan('busy');
    workers.push(await startWorker(s, 'v2'));
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v2' });
    await startLongBatch(t, FOREIGN_JOB);

    const journal = `${plan}.journal.jsonl`;
    const r = await runCli(['apply', plan, '--phase', 'upgrade', '--direct-max', '0', '--workflows', sampleWorkflows('v2'), '--output', 'json', ...conn()], { timeoutMs: 170_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { counts: Record<string, number>; notes: string[] };
    expect(report.counts['done']).toBe(ids.busy.length);
    expect(report.notes.join('\n')).toMatch(/batch \S+ refused: the namespace already runs as many batch operations as its server allows; its 4 change\(s\) go one by one instead/);
    // The refusal was real: the foreign batch still holds the namespace's one slot.
    expect((await describeBatch(t, FOREIGN_JOB)).state).toBe('RUNNING');

    const entries = journalEntries(journal);
    const latest = latestByWorkflow(journal);
    for (const id of ids.busy) {
      const mine = entries.filter((e) => e.workflowId === id).map((e) => [e.status, e.detail]);
      // Journaled for the batch, then sent one by one: both written before anything reached the server.
      expect(mine, id).toEqual([
        ['started', 'auto_upgrade'],
        ['started', 'auto_upgrade (direct)'],
        ['done', undefined],
      ]);
      expect(latest.get(id)?.status).toBe('done');
      expect(await optionsUpdates(t, id), id).toBe(1);
      expect((await describeExecution(t, { workflowId: id, runId: '' })).override, id).toEqual({ kind: 'auto_upgrade' });
    }
    await t.connection.workflowService.stopBatchOperation({ namespace: t.namespace, jobId: FOREIGN_JOB, reason: 'test done', identity: 'another-team' });
    await eventually('the foreign batch stopped', async () => (await describeBatch(t, FOREIGN_JOB)).state !== 'RUNNING');
  }, 200_000);

  it("with the namespace free, apply's own batches run one after another and never trip the limit", async () => {
    const plan = await makePlan('free');
    const journal = `${plan}.journal.jsonl`;
    const r = await runCli(['apply', plan, '--phase', 'upgrade', '--direct-max', '0', '--chunk-size', '2', '--workflows', sampleWorkflows('v2'), '--output', 'json', ...conn()], { timeoutMs: 170_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { counts: Record<string, number>; notes: string[] };
    expect(report.notes.join('\n')).not.toContain('refused');
    expect(report.counts['done']).toBe(ids.free.length);
    const jobs = new Set(journalEntries(journal).map((e) => e.jobId).filter(Boolean));
    expect(jobs.size).toBe(3);
    for (const jobId of jobs) expect(await describeBatch(t, jobId as string)).toMatchObject({ state: 'COMPLETED', total: 2, complete: 2, failure: 0 });
    for (const id of ids.free) {
      expect(latestByWorkflow(journal).get(id)?.status, id).toBe('done');
      expect(await optionsUpdates(t, id), id).toBe(1);
    }
  }, 200_000);

  it('a batch a previous run left started, making no progress, is stopped and its executions sent one by one', async () => {
    const planFile = await makePlan('stalled');
    const plan = parsePlan(JSON.parse(readFileSync(planFile, 'utf8')));
    // The journal of a run that died once its batch was on the server; the batch never gets to them.
    const journal = `${planFile}.journal.jsonl`;
    await startLongBatch(t, STALLED_JOB);
    const at = new Date().toISOString();
    writeFileSync(journal, plan.executions.map((e) => JSON.stringify({ at, workflowId: e.workflowId, runId: e.runId, action: e.action, status: 'started', jobId: STALLED_JOB, detail: 'auto_upgrade' }) + '\n').join(''));
    // Stalled at once: no progress within 0 ms (30 s by default; a frozen server left one stuck for minutes).
    const result = await runApply({ temporal: t, plan: planSource(plan), phase: 'upgrade', journalPath: journal, candidate: { workflows: [sampleWorkflows('v2')] }, batchStallMs: 0 });
    expect(result.error).toBeUndefined();
    expect(result.notes.join('\n')).toMatch(new RegExp(`batch ${STALLED_JOB} of a previous run made no progress for 0 s \\(\\d+/\\d+\\): stopped; its executions are checked and sent again`));
    await eventually('the stalled batch stopped', async () => (await describeBatch(t, STALLED_JOB)).state !== 'RUNNING');
    expect(result.counts['done']).toBe(ids.stalled.length);
    for (const id of ids.stalled) {
      expect(latestByWorkflow(journal).get(id), id).toMatchObject({ status: 'done' });
      expect(await optionsUpdates(t, id), id).toBe(1);
    }
  }, 200_000);
});

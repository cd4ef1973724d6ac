/**
 * apply under faults, on a real server with real workers: a malformed plan is refused before
 * anything changes; a second apply of the same plan is refused while the first runs; the first,
 * SIGKILLed mid-batch, leaves a stale lock and a `started` batch that the next run takes over,
 * waits for and records; a torn journal line is set aside and the run resumes; a corrupt line is
 * exit 2 naming file and line. The server's state (each override, each count of
 * WorkflowExecutionOptionsUpdated events) is read back and must match the journal.
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeBatch, describeExecution } from '../../cli/temporal/executions.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { journalEntries, latestByWorkflow, optionsUpdates } from '../helpers/apply-state.js';
import { BIN, runCli, sampleWorkflows } from '../helpers/cli.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

const N = 10;
const GONE = 'no-such-execution';

describe('apply: malformed plans, two writers, a kill mid-batch, a torn journal', () => {
  let t: TemporalHandle;
  let s: Scenario;
  const workers: SampleWorker[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-faults-'));
  const plan = join(dir, 'plan.json');
  const journal = `${plan}.journal.jsonl`;
  const ids: string[] = [];
  const conn = () => ['--address', s.address, '--namespace', s.namespace];

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'faults');
    t = await connectTest();
    workers.push(await startWorker(s, 'v1'));
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (let i = 0; i < N; i++) ids.push((await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${i}`, args: [`t${i}`] })).workflowId);
    for (const id of ids) await eventually('at the gate', async () => (await t.client.workflow.getHandle(id).query<string>('status')) === 'awaiting_proceed');
    await eventually('visible', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === N);
    const r = await runCli(['plan', '--deployment', s.deploymentName, '--candidate-build-id', 'v2', '--workflows', sampleWorkflows('v2'), '--out', plan, ...conn()]);
    expect(r.exitCode, r.stderr).toBe(0);
    // One planned execution that no longer exists by the time apply runs.
    const p = JSON.parse(readFileSync(plan, 'utf8')) as { executions: Record<string, unknown>[] };
    p.executions.push({ ...p.executions[0], workflowId: GONE, runId: '' });
    writeFileSync(plan, JSON.stringify(p, null, 2));
    workers.push(await startWorker(s, 'v2'));
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v2' });
  }, 180_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await t?.close();
  });

  it.each([
    ['an unknown action', (e: Record<string, unknown>[]) => void ((e[1] as Record<string, unknown>).action = 'upgradee'), /executions\[1\] \(.*-1\): unknown action "upgradee"/],
    ['a pinned target with no version', (e: Record<string, unknown>[]) => void Object.assign(e[2] as object, { action: 'protect-pin', targetOverride: { kind: 'pinned' } }), /executions\[2\] \(.*-2\): protect-pin needs/],
  ])('refuses a plan with %s before changing anything: exit 2 naming the entry', async (_name, damage, message) => {
    const p = JSON.parse(readFileSync(plan, 'utf8')) as { executions: Record<string, unknown>[] };
    damage(p.executions);
    const bad = join(dir, `bad-${Date.now()}.json`);
    writeFileSync(bad, JSON.stringify(p));
    const r = await runCli(['apply', bad, ...conn()]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(`${bad}.journal.jsonl`)).toBe(false);
    for (const id of ids) expect(await optionsUpdates(t, id)).toBe(0);
  });

  it('one writer per plan; a run killed mid-batch is taken over: its batch waited for, every execution changed once', async () => {
    const first = execa('node', [BIN, 'apply', plan, '--phase', 'upgrade', '--direct-max', '0', '--rps', '1', ...conn()], { reject: false });
    await eventually('the batch journaled as started', async () => existsSync(journal) && readFileSync(journal, 'utf8').includes('"status":"started"'), 60_000);
    // The journal says `started` just before the batch is sent: wait until the server has it.
    const jobId = journalEntries(journal).find((e) => e.status === 'started')?.jobId ?? '';
    await eventually('the batch on the server', async () => Boolean(await describeBatch(t, jobId)), 30_000);
    // Frozen (SIGSTOP) while its batch runs: alive, holding the lock, for as long as the test needs.
    process.kill(first.pid as number, 'SIGSTOP');
    const holder = JSON.parse(readFileSync(`${journal}.lock`, 'utf8')) as { pid: number };
    expect(holder.pid).toBe(first.pid);

    const second = await runCli(['apply', plan, '--phase', 'upgrade', ...conn()]);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toContain(`is in use by another safe-deploy (PID ${first.pid}`);

    process.kill(first.pid as number, 'SIGKILL');
    await first;
    const started = journalEntries(journal).filter((e) => e.status === 'started');
    expect(started.length).toBe(N);
    expect(journalEntries(journal).some((e) => e.status === 'done')).toBe(false);

    const third = await runCli(['apply', plan, '--phase', 'upgrade', '--output', 'json', ...conn()]);
    expect(third.exitCode, third.stderr).toBe(0);
    const notes = (JSON.parse(third.stdout) as { notes: string[] }).notes.join('\n');
    expect(notes).toContain(`took over the lock ${journal}.lock of PID ${first.pid}`);
    expect(notes).toMatch(new RegExp(`batch ${started[0]?.jobId} of a previous run: COMPLETED ${N}/${N}`));
    expect(existsSync(`${journal}.lock`)).toBe(false);

    const latest = latestByWorkflow(journal);
    expect(latest.get(GONE)).toMatchObject({ status: 'skipped', detail: 'no longer exists on the server' });
    for (const id of ids) {
      expect(['done', 'already'], id).toContain(latest.get(id)?.status);
      expect(await optionsUpdates(t, id), id).toBe(1);
      expect((await describeExecution(t, { workflowId: id, runId: '' })).override, id).toEqual({ kind: 'auto_upgrade' });
    }
    // Nothing sent twice: one batch job only.
    expect(new Set(journalEntries(journal).filter((e) => e.jobId).map((e) => e.jobId)).size).toBe(1);
  }, 120_000);

  it('a torn last line is set aside and the run resumes; a corrupt line is exit 2 naming file and line', async () => {
    const before = latestByWorkflow(journal);
    const size = readFileSync(journal).length;
    truncateSync(journal, size - 40);
    const r = await runCli(['apply', plan, '--phase', 'upgrade', '--output', 'json', ...conn()]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { notes: string[] }).notes.join('\n')).toMatch(/was cut short by a crash; moved to .*\.torn-\d+/);
    expect(readdirSync(dir).some((f) => f.startsWith('plan.json.journal.jsonl.torn-'))).toBe(true);
    const after = latestByWorkflow(journal);
    for (const id of ids) {
      expect(['done', 'already'], id).toContain(after.get(id)?.status);
      expect(await optionsUpdates(t, id), id).toBe(1);
    }
    expect(after.size).toBe(before.size);
    // Every line whole again: the resume never appended onto the torn one.
    expect(() => journalEntries(journal)).not.toThrow();

    appendFileSync(journal, 'garbage\n');
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n').length;
    appendFileSync(journal, `${JSON.stringify({ ...[...after.values()][0] })}\n`);
    const corrupt = await runCli(['apply', plan, '--phase', 'upgrade', ...conn()]);
    expect(corrupt.exitCode).toBe(2);
    expect(corrupt.stdout).toContain(`journal ${journal} is corrupt at line ${lines}`);
  }, 120_000);
});

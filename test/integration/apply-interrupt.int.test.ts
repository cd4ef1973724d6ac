/**
 * apply and Ctrl-C, on a real server with real workers. Two Ctrl-Cs in a row end apply at once
 * (exit 130, no report), part-way through its one-by-one changes: every execution the server
 * changed has a journal record, none the journal does not name was touched, and the next run
 * finishes the plan without sending any change twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelayProxy, type DelayProxy } from '../../bench/delay-proxy.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeExecution } from '../../cli/temporal/executions.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { journalEntries, latestByWorkflow, optionsUpdates } from '../helpers/apply-state.js';
import { BIN, runCli, sampleWorkflows } from '../helpers/cli.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

const N = 12;

describe('apply: two Ctrl-Cs', () => {
  let t: TemporalHandle;
  let s: Scenario;
  const workers: SampleWorker[] = [];
  const plan = join(mkdtempSync(join(tmpdir(), 'safe-deploy-interrupt-')), 'plan.json');
  const journal = `${plan}.journal.jsonl`;
  const ids: string[] = [];
  const conn = () => ['--address', s.address, '--namespace', s.namespace];

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'ctrlc');
    t = await connectTest();
    workers.push(await startWorker(s, 'v1'));
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (let i = 0; i < N; i++) ids.push((await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${i}`, args: [`c${i}`] })).workflowId);
    for (const id of ids) await eventually('at the gate', async () => (await t.client.workflow.getHandle(id).query<string>('status')) === 'awaiting_proceed');
    await eventually('visible', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === N);
    const r = await runCli(['plan', '--deployment', s.deploymentName, '--candidate-build-id', 'v2', '--workflows', sampleWorkflows('v2'), '--out', plan, ...conn()]);
    expect(r.exitCode, r.stderr).toBe(0);
    workers.push(await startWorker(s, 'v2'));
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v2' });
  }, 180_000);
  let proxy: DelayProxy | undefined;
  afterAll(async () => {
    await proxy?.close();
    for (const w of workers) await w.stop();
    await t?.close();
  });

  it('the second exits 130 at once; the journal names every execution changed; a re-run sends nothing twice', async () => {
    // A 600 ms round trip: the first Ctrl-C's orderly stop waits for calls in flight, so the
    // second lands while it waits. Two changes a second: a few done, some in flight, the rest not begun.
    proxy = await startDelayProxy(s.address, 300);
    const first = execa('node', [BIN, 'apply', plan, '--phase', 'upgrade', '--rps', '2', '--output', 'json', '--address', proxy.address, '--namespace', s.namespace], { reject: false });
    await eventually('a few changes done', async () => journalEntries(journal).filter((e) => e.status === 'done').length >= 2, 90_000);
    process.kill(first.pid as number, 'SIGINT');
    // Apart: signals of one kind that arrive together are delivered as one.
    await new Promise((r) => setTimeout(r, 150));
    process.kill(first.pid as number, 'SIGINT');
    const ended = await first;
    expect(ended.exitCode).toBe(130);
    // At once: the first Ctrl-C's orderly stop never got to write its report.
    expect(ended.stdout.trim()).toBe('');

    const named = new Set(journalEntries(journal).map((e) => e.workflowId));
    expect(named.size).toBeLessThan(N);
    for (const id of ids) {
      const updates = await optionsUpdates(t, id);
      if (named.has(id)) expect(updates, id).toBeLessThanOrEqual(1);
      else expect(updates, `${id} was changed but the journal does not name it`).toBe(0);
    }

    const again = await runCli(['apply', plan, '--phase', 'upgrade', '--output', 'json', ...conn()]);
    expect(again.exitCode, again.stderr).toBe(0);
    const latest = latestByWorkflow(journal);
    for (const id of ids) {
      expect(['done', 'already'], id).toContain(latest.get(id)?.status);
      expect(await optionsUpdates(t, id), id).toBe(1);
      expect((await describeExecution(t, { workflowId: id, runId: '' })).override, id).toEqual({ kind: 'auto_upgrade' });
    }
  }, 180_000);
});

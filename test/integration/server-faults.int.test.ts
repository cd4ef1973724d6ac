/**
 * A server lost or frozen in the middle of apply: each run ends within --server-timeout (plus the
 * time to connect) with exit 3 and a partial report on stdout, and a re-run once the server is
 * back finishes the job, each execution changed once. The test runs its own dev server on its own
 * db file, so that freezing (SIGSTOP, as in a network partition: TCP open, nothing answering) and
 * killing it touches no other test; after a kill it is started again on the same db file and port.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import { connect, resolveConnection, type TemporalHandle } from '../../cli/temporal/connection.js';
import { describeExecution } from '../../cli/temporal/executions.js';
import { startDevServer, type DevServer } from '../../cli/temporal/dev-server.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { latestByWorkflow, optionsUpdates } from '../helpers/apply-state.js';
import { BIN, runCli, sampleWorkflows } from '../helpers/cli.js';
import { eventually } from '../helpers/temporal.js';

const N = 6;
const TIMEOUT = '10s';

type ApplyJson = { counts: Record<string, number>; notDone: number; error?: { message: string; exitCode: number }; next?: string };

describe('apply and check while the server is frozen or lost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-server-faults-'));
  const db = join(dir, 'temporal.db');
  let server: DevServer;
  let t: TemporalHandle | undefined;
  let s: Scenario;
  const workers: SampleWorker[] = [];
  const ids: string[] = [];
  const plan = join(dir, 'plan.json');
  const journal = `${plan}.journal.jsonl`;
  const conn = () => ['--address', s.address, '--namespace', s.namespace, '--server-timeout', TIMEOUT];
  const run = (args: string[]) => execa('node', [BIN, ...args], { reject: false, timeout: 120_000, env: { TEMPORAL_ADDRESS: '', TEMPORAL_API_KEY: '' } });

  beforeAll(async () => {
    server = await startDevServer({ dbFilename: db });
    s = newScenario(server.address, server.namespace, 'lost');
    t = await connect(resolveConnection({ address: server.address, namespace: server.namespace }, {}));
    workers.push(await startWorker(s, 'v1'));
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (let i = 0; i < N; i++) ids.push((await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${i}`, args: [`t${i}`] })).workflowId);
    for (const id of ids) await eventually('at the gate', async () => (await t?.client.workflow.getHandle(id).query<string>('status')) === 'awaiting_proceed');
    await eventually('visible', async () => (await t?.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`))?.count === N);
    const r = await runCli(['plan', '--deployment', s.deploymentName, '--candidate-build-id', 'v2', '--workflows', sampleWorkflows('v2'), '--out', plan, '--address', s.address, '--namespace', s.namespace]);
    expect(r.exitCode, r.stderr).toBe(0);
    workers.push(await startWorker(s, 'v2'));
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v2' });
  }, 180_000);
  afterAll(async () => {
    if (server?.pid) process.kill(server.pid, 'SIGCONT');
    for (const w of workers) await w.stop();
    await t?.close();
    await server?.stop();
  });

  it('frozen (SIGSTOP) while apply waits for its batch: exit 3 with a partial report; check ends too; both resume after SIGCONT', async () => {
    const apply = run(['apply', plan, '--phase', 'upgrade', '--direct-max', '0', '--rps', '1', '--output', 'json', ...conn()]);
    await eventually('the batch journaled as started', async () => existsSync(journal) && readFileSync(journal, 'utf8').includes('"status":"started"'), 60_000);
    process.kill(server.pid as number, 'SIGSTOP');
    const startedAt = Date.now();
    const r = await apply;
    const applySeconds = (Date.now() - startedAt) / 1000;
    const check = await run(['check', '--deployment', s.deploymentName, '--workflows', sampleWorkflows('v2'), '--output', 'json', ...conn()]);
    const checkSeconds = (Date.now() - startedAt) / 1000 - applySeconds;
    process.kill(server.pid as number, 'SIGCONT');
    process.stderr.write(`frozen server: apply ended after ${applySeconds.toFixed(1)}s, check after ${checkSeconds.toFixed(1)}s (--server-timeout ${TIMEOUT})\n`);

    expect(r.exitCode, String(r.stderr)).toBe(3);
    const partial = JSON.parse(String(r.stdout)) as ApplyJson;
    expect(partial.error?.exitCode).toBe(3);
    expect(partial.notDone).toBe(N);
    expect(partial.next).toMatch(/run apply again to resume/);
    expect(check.exitCode, String(check.stderr)).toBe(3);

    const again = await runCli(['apply', plan, '--phase', 'upgrade', '--output', 'json', '--address', s.address, '--namespace', s.namespace]);
    expect(again.exitCode, again.stderr).toBe(0);
    const latest = latestByWorkflow(journal);
    for (const id of ids) {
      expect(['done', 'already'], id).toContain(latest.get(id)?.status);
      expect(await optionsUpdates(t as TemporalHandle, id), id).toBe(1);
      expect((await describeExecution(t as TemporalHandle, { workflowId: id, runId: '' })).override).toEqual({ kind: 'auto_upgrade' });
    }
  }, 240_000);

  it('killed (SIGKILL) while apply polls its batch, restarted on its db file: exit 3 with a partial report, then the re-run finishes', async () => {
    const more: string[] = [];
    for (let i = 0; i < N; i++) more.push((await (t as TemporalHandle).client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-more-${i}`, args: [`m${i}`] })).workflowId);
    // Started on v2 (current now): pinned there, so plan them for a v2-compatible build v2b.
    for (const id of more) await eventually('at the gate', async () => (await t?.client.workflow.getHandle(id).query<string>('status')) === 'awaiting_proceed');
    await eventually('visible', async () => (await t?.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`))?.count === 2 * N);
    const plan2 = join(dir, 'plan2.json');
    const journal2 = `${plan2}.journal.jsonl`;
    const r = await runCli(['plan', '--deployment', s.deploymentName, '--candidate-build-id', 'v2b', '--workflows', sampleWorkflows('v2'), '--out', plan2, '--address', s.address, '--namespace', s.namespace]);
    expect(r.exitCode, r.stderr).toBe(0);
    workers.push(await startWorker(s, 'v2', { buildId: 'v2b' }));
    await promoteCandidate({ temporal: t as TemporalHandle, deployment: s.deploymentName, buildId: 'v2b' });
    const upgrades = (JSON.parse(readFileSync(plan2, 'utf8')) as { executions: { workflowId: string; action: string }[] }).executions.filter((e) => e.action === 'upgrade').map((e) => e.workflowId);
    expect(upgrades.sort()).toEqual([...more].sort());

    const apply = run(['apply', plan2, '--phase', 'upgrade', '--direct-max', '0', '--rps', '1', '--output', 'json', ...conn()]);
    await eventually('the batch journaled as started', async () => existsSync(journal2) && readFileSync(journal2, 'utf8').includes('"status":"started"'), 60_000);
    await t?.close();
    t = undefined;
    process.kill(server.pid as number, 'SIGKILL');
    await server.exited;
    const out = await apply;
    expect(out.exitCode, String(out.stderr)).toBe(3);
    const partial = JSON.parse(String(out.stdout)) as ApplyJson;
    expect(partial.error?.message).toMatch(/cannot reach Temporal/);
    expect(partial.next).toMatch(/run apply again to resume/);

    server = await startDevServer({ dbFilename: db, port: Number(s.address.split(':')[1]) });
    t = await connect(resolveConnection({ address: server.address, namespace: server.namespace }, {}));
    const again = await runCli(['apply', plan2, '--phase', 'upgrade', '--output', 'json', '--address', s.address, '--namespace', s.namespace]);
    expect(again.exitCode, again.stderr).toBe(0);
    const latest = latestByWorkflow(journal2);
    for (const id of more) {
      expect(['done', 'already'], id).toContain(latest.get(id)?.status);
      expect(await optionsUpdates(t, id), id).toBe(1);
    }
  }, 300_000);
});

/**
 * apply against the real server: never acts on a stale verdict, survives being killed halfway,
 * changes nothing under --dry-run; deploy stops before changing anything when the plan blocks.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestEntries, parseApplyJournal } from '../../cli/core/journal.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeDeployment } from '../../cli/temporal/deployments.js';
import { describeExecution } from '../../cli/temporal/executions.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { optionsUpdates, overrideWindowsMs } from '../helpers/apply-state.js';
import { BIN, runCli, sampleWorkflows } from '../helpers/cli.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

async function setUp(label: string, activityDelayMs: number): Promise<{ t: TemporalHandle; s: Scenario; worker: SampleWorker }> {
  const { address, namespace } = serverAddress();
  const s = newScenario(address, namespace, label);
  const t = await connectTest();
  const worker = await startWorker(s, 'v1', { activityDelayMs });
  await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
  return { t, s, worker };
}

const conn = (s: Scenario) => ['--address', s.address, '--namespace', s.namespace];


describe('apply: an execution that advanced since the plan is replayed again', () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  // Slow enough that the plan (a replay, under load on shared CI machines) is done before the first step ends.
  beforeAll(async () => (env = await setUp('race', 15000)));
  afterAll(async () => {
    await env?.worker.stop();
    await env?.t.close();
  });

  it('plans an upgrade while compatible, then refuses it once the history no longer replays', async () => {
    const { t, s } = env;
    const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-race-'));
    const h = await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-r`, args: ['race'] });
    const scheduledSteps = async () =>
      ((await h.fetchHistory()).events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'researchStep').length;
    // v3 adds a factCheck after each research step: with only the first step scheduled, the
    // history still replays on v3; once the second step is scheduled, it no longer does.
    await eventually('first research step scheduled', async () => (await scheduledSteps()) === 1, 30_000);
    await eventually('visible', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}'`)).count === 1);
    const plan = join(dir, 'plan.json');
    const planned = await runCli(['plan', '--deployment', s.deploymentName, '--candidate-build-id', 'v3', '--workflows', sampleWorkflows('v3'), '--out', plan, ...conn(s)]);
    expect(planned.exitCode, planned.stderr).toBe(0);
    const execution = (JSON.parse(readFileSync(plan, 'utf8')) as { executions: { action: string; receipt: { verdict: string } }[] }).executions[0];
    expect(execution).toMatchObject({ action: 'upgrade', receipt: { verdict: 'compatible' } });

    await eventually('second research step scheduled', async () => (await scheduledSteps()) >= 2, 60_000);
    // Without a candidate it cannot be replayed again: replanned, and the message says how to reconsider it.
    const blind = await runCli(['apply', plan, '--output', 'json', ...conn(s)]);
    expect(blind.exitCode, blind.stderr).toBe(0);
    expect((JSON.parse(blind.stdout) as { entries: { status: string; detail?: string }[] }).entries).toEqual([
      expect.objectContaining({ status: 'replanned', detail: expect.stringMatching(/no candidate given to replay it again \(run apply again with --workflows or --bundle to reconsider it\)/) }),
    ]);
    // Given the candidate, a later apply reconsiders that `replanned` entry.
    const applied = await runCli(['apply', plan, '--workflows', sampleWorkflows('v3'), '--output', 'json', ...conn(s)]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const report = JSON.parse(applied.stdout) as { counts: Record<string, number>; entries: { status: string; detail?: string }[] };
    expect(report.counts).toMatchObject({ done: 0, replanned: 1 });
    expect(report.entries[0]?.detail).toMatch(/history grew from \d+ to \d+ events, replayed again: nondeterministic; now keep-pinned/);
    expect((await describeExecution(t, { workflowId: h.workflowId, runId: h.firstExecutionRunId })).override).toBeUndefined();
    expect(await optionsUpdates(t, h.workflowId)).toBe(0);
    await h.terminate('test done');
  });
});

describe('apply: dry run, killed halfway, resumed', () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  let v2: SampleWorker | undefined;
  const ids: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-resume-'));
  const plan = join(dir, 'plan.json');
  const journal = `${plan}.journal.jsonl`;

  beforeAll(async () => {
    env = await setUp('resume', 20);
    const { t, s } = env;
    for (let i = 0; i < 6; i++) {
      const h = await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${i}`, args: [`t${i}`] });
      ids.push(h.workflowId);
    }
    for (const id of ids) await eventually('at the gate', async () => (await t.client.workflow.getHandle(id).query<string>('status')) === 'awaiting_proceed');
    await eventually('visible', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === 6);
    const r = await runCli(['plan', '--deployment', s.deploymentName, '--candidate-build-id', 'v2', '--workflows', sampleWorkflows('v2'), '--out', plan, ...conn(s)]);
    expect(r.exitCode, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await v2?.stop();
    await env?.worker.stop();
    await env?.t.close();
  });

  it('--dry-run lists the six upgrades and changes nothing, its records removed once reported', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'safe-deploy-apply-tmp-'));
    const r = await runCli(['apply', plan, '--dry-run', '--output', 'json', ...conn(env.s)], { env: { TMPDIR: scratch } });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { wouldChange: { workflowId: string; action: string; targetOverride: unknown }[]; entries: unknown[] };
    expect(report.wouldChange.map((w) => w.workflowId).sort()).toEqual([...ids].sort());
    expect(report.wouldChange.every((w) => w.action === 'upgrade' && JSON.stringify(w.targetOverride) === '{"kind":"auto_upgrade"}')).toBe(true);
    expect(report.entries).toEqual([]);
    const text = await runCli(['apply', plan, '--dry-run', ...conn(env.s)], { env: { TMPDIR: scratch } });
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain('6 execution(s) would change:');
    for (const id of ids) expect(text.stdout).toMatch(new RegExp(`^  .+: ${id} \\(`, 'm'));
    expect(readdirSync(scratch)).toEqual([]);
    expect(existsSync(journal)).toBe(false);
    for (const id of ids) expect(await optionsUpdates(env.t, id)).toBe(0);
  });

  it('refuses to upgrade while the candidate is not current: exit 2, nothing changed', async () => {
    const r = await runCli(['apply', plan, '--phase', 'upgrade', ...conn(env.s)]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/is not the current version of .* \(current: .*:v1\)/);
    expect(r.stdout).toMatch(/--promote .*--wait-for-current/);
    for (const id of ids) expect(await optionsUpdates(env.t, id)).toBe(0);
  });

  it('killed after its first change, then run again: finishes, each execution changed once, journal complete', async () => {
    v2 = await startWorker(env.s, 'v2');
    await promoteCandidate({ temporal: env.t, deployment: env.s.deploymentName, buildId: 'v2' });
    const child = execa('node', [BIN, 'apply', plan, '--chunk-size', '1', ...conn(env.s)], { reject: false });
    await eventually('the first change journaled', async () => existsSync(journal) && readFileSync(journal, 'utf8').includes('"status":"done"'), 60_000);
    child.kill('SIGKILL');
    await child;
    const before = parseApplyJournal(readFileSync(journal, 'utf8')).entries;
    expect(before.filter((e) => e.status === 'done').length).toBeLessThan(6);

    const again = await runCli(['apply', plan, '--chunk-size', '1', '--output', 'json', ...conn(env.s)]);
    expect(again.exitCode, again.stderr).toBe(0);
    const latest = latestEntries(parseApplyJournal(readFileSync(journal, 'utf8')).entries);
    expect(latest.size).toBe(6);
    for (const e of latest.values()) expect(['done', 'already']).toContain(e.status);
    for (const id of ids) {
      expect(await optionsUpdates(env.t, id), id).toBe(1);
      expect((await describeExecution(env.t, { workflowId: id, runId: '' })).override).toEqual({ kind: 'auto_upgrade' });
    }

    process.stderr.write(`direct: re-check-to-override window per execution: ${(await overrideWindowsMs(env.t, journal)).join(', ')} ms\n`);

    const third = await runCli(['apply', plan, '--output', 'json', ...conn(env.s)]);
    expect((JSON.parse(third.stdout) as { entries: unknown[] }).entries).toEqual([]);
  });

  it('deploy --dry-run plans only; a plan that blocks stops deploy before anything changes', async () => {
    const marker = join(dir, 'rollout-ran');
    const dry = await runCli(['deploy', '--deployment', env.s.deploymentName, '--candidate-build-id', 'v3', '--workflows', sampleWorkflows('v3'),
      '--rollout', `touch ${marker}`, '--promote', '--dry-run', '--plan-out', join(dir, 'dry.json'), '--output', 'json', ...conn(env.s)]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ verdict: 'dry-run' });
    expect(existsSync(marker)).toBe(false);

    // The six now carry OUR auto_upgrade override and fail on v3; under the block policy that stops the deploy.
    const blocked = await runCli(['deploy', '--deployment', env.s.deploymentName, '--candidate-build-id', 'v3', '--workflows', sampleWorkflows('v3'),
      '--rollout', `touch ${marker}`, '--promote', '--on-auto-upgrade-failure', 'block', '--plan-out', join(dir, 'blocked.json'), '--output', 'json', ...conn(env.s)]);
    expect(blocked.exitCode).toBe(1);
    expect(JSON.parse(blocked.stdout)).toMatchObject({ verdict: 'blocked', counts: { executions: 6 } });
    expect(existsSync(marker)).toBe(false);
    expect((await describeDeployment(env.t, env.s.deploymentName))?.currentVersion).toBe(`${env.s.deploymentName}:v2`);
    for (const id of ids) expect(await optionsUpdates(env.t, id)).toBe(1);
  });
});

/**
 * The net after the rollout, on a real server with real workers: research-agent v4 replays every
 * v1 history cleanly, so deploy upgrades them all; then
 *  - "pin": a question arrived while it slept; when the timer fires every v4 task fails with a
 *    non-determinism error. watch pins it back to v1, whose worker completes it, work intact;
 *  - "reset": v4 already completed a task for it (it answered a question), then a long question
 *    makes v4 throw: it cannot go back, so watch reports the reset point and the command.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerReport } from '../../cli/pipeline/overrides.js';
import type { WatchJournalEntry, WatchReport } from '../../cli/pipeline/watch.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeExecution } from '../../cli/temporal/executions.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';
import { rolloutEnv, stopRolloutWorkers } from '../helpers/rollout.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

const root = join(import.meta.dirname, '..', '..');
const rolloutScript = join(root, 'dist', 'sample-workers', 'research-agent', 'rollout.js');
/** Long enough for the deploy to finish before the timer fires, on a busy 2-core machine. */
const FOLLOW_UP = '75s';
/**
 * v4's activities: v4 answers as soon as a first question arrives, so "reset" would finish (its
 * answer and synthesize) before the long question reached it if they were quick.
 */
const V4_ACTIVITY_MS = 30_000;

describe('watch: research-agent v4 breaks after it was upgraded', () => {
  let t: TemporalHandle;
  let s: Scenario;
  let v1: SampleWorker;
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-watch-'));
  const pidFile = join(dir, 'rollout.pids');
  const journal = join(dir, 'watch.journal.jsonl');
  const id = (name: string) => `${s.taskQueue}-${name}`;
  const conn = () => ['--address', s.address, '--namespace', s.namespace];
  const history = async (workflowId: string, runId?: string) => (await t.client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
  const completedOn = (events: Awaited<ReturnType<typeof history>>) => events.flatMap((e) => (e.workflowTaskCompletedEventAttributes ? [{ eventId: Number(e.eventId), buildId: e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId }] : []));

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'watch');
    t = await connectTest();
    v1 = await startWorker(s, 'v1');
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (const name of ['pin', 'reset']) {
      await t.client.workflow.start('ResearchFollowUpWorkflow', { taskQueue: s.taskQueue, workflowId: id(name), args: [`topic ${name}`, { followUpAfter: FOLLOW_UP }] });
    }
    for (const name of ['pin', 'reset']) await eventually('asleep on its follow-up timer', async () => (await history(id(name))).some((e) => e.timerStartedEventAttributes));
    await t.client.workflow.getHandle(id('pin')).signal('ask', 'what about costs?');
    await eventually('the question is in its history', async () => (await history(id('pin'))).some((e) => e.workflowExecutionSignaledEventAttributes) && (await t.client.workflow.getHandle(id('pin')).describe()).historyLength > 0);
    await eventually('visibility lists both', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === 2);
  });

  afterAll(async () => {
    stopRolloutWorkers(pidFile);
    await v1?.stop();
    await t?.close();
  });

  it('deploy of v4 upgrades both: their histories replay cleanly', async () => {
    const r = await runCli(
      ['deploy', '--deployment', s.deploymentName, '--candidate-build-id', 'v4', '--workflows', sampleWorkflows('v4'), '--rollout', `node ${rolloutScript} v4`, '--promote',
        '--plan-out', join(dir, 'plan.json'), '--output', 'json', ...conn()],
      { env: rolloutEnv(s, { pidFile, logDir: dir, activityDelayMs: V4_ACTIVITY_MS }), timeoutMs: 170_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { verdict: string; counts: Record<string, number> };
    expect(report.verdict).toBe('deployed');
    expect(report.counts).toMatchObject({ executions: 2, upgraded: 2 });
    // The timer has not fired yet: the replay really saw a history that ends while it is pending.
    expect((await history(id('pin'))).some((e) => e.timerFiredEventAttributes)).toBe(false);
  });

  it('watch pins back the one v4 never completed a task for, and reports the other with its reset point', async () => {
    // "reset": v4 answers a first question (a task completed on v4; its researchStep takes
    // V4_ACTIVITY_MS), then throws on a long one that arrives meanwhile.
    const reset = t.client.workflow.getHandle(id('reset'));
    await reset.signal('ask', 'short question');
    await eventually('a task completed on v4', async () => completedOn(await history(id('reset'))).some((c) => c.buildId === 'v4'));
    await reset.signal('ask', 'x'.repeat(300));
    // "pin": the timer fires and v4 fails its task.
    await eventually('the timer fired and v4 failed the task', async () => (await history(id('pin'))).some((e) => e.workflowTaskFailedEventAttributes), 150_000);
    await eventually('v4 failed the task of "reset"', async () => (await history(id('reset'))).some((e) => e.workflowTaskFailedEventAttributes));

    const r = await runCli(['watch', '--deployment', s.deploymentName, '--for', '3s', '--confirm-timeout', '120s', '--journal', journal, '--output', 'json', ...conn()], { timeoutMs: 170_000 });
    expect(r.exitCode, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as WatchReport;
    expect(report).toMatchObject({ schemaVersion: 1, candidate: `${s.deploymentName}:v4`, verdict: 'broke' });
    const byId = Object.fromEntries(report.items.map((i) => [i.workflowId, i]));
    expect(Object.keys(byId).sort()).toEqual([id('pin'), id('reset')].sort());

    const pin = byId[id('pin')]!;
    // Moving to v4 when it failed: server 1.31 ignores an override then, so it is reset to its last
    // task (the v1 one after the question), the pinned override applied to the new run.
    const lastV1Task = completedOn(await history(id('pin'), pin.runId)).at(-1)!;
    expect(lastV1Task.buildId).toBe('v1');
    expect(pin).toMatchObject({ status: 'pinned-back', pinnedTo: `${s.deploymentName}:v1`, method: 'reset-to-last-task', resetEventId: lastV1Task.eventId, failure: { kind: 'nde' } });
    expect(pin.failure.message).toMatch(/TimerMachine/);
    expect(pin.newRunId).toBe((await t.client.workflow.getHandle(id('pin')).describe()).runId);

    const resetItem = byId[id('reset')]!;
    const resetEvents = await history(id('reset'));
    const completed = completedOn(resetEvents);
    const firstOnV4 = completed.findIndex((c) => c.buildId === 'v4');
    const lastOnV1 = completed[firstOnV4 - 1]!;
    expect(lastOnV1.buildId).toBe('v1');
    expect(resetItem).toMatchObject({ status: 'reset-needed', failure: { kind: 'other' }, resetEventId: lastOnV1.eventId, from: `${s.deploymentName}:v1` });
    expect(resetItem.failure.message).toMatch(/question too long/);
    expect(resetItem.resetCommand).toContain(`--workflow-id ${id('reset')}`);
    expect(resetItem.resetCommand).toContain(`--event-id ${lastOnV1.eventId}`);
    expect(resetItem.resetCommand).toContain('--versioning-override-build-id v1');
    // Reported, not changed: still auto_upgrade, still on v4.
    expect((await describeExecution(t, { workflowId: id('reset'), runId: resetItem.runId })).override).toEqual({ kind: 'auto_upgrade' });

    const entries = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as WatchJournalEntry);
    expect(entries.filter((e) => e.workflowId === id('pin')).map((e) => `${e.action} ${e.status}`)).toEqual(['pin-back started', 'pin-back done', 'pin-back confirmed']);
    expect(entries.some((e) => e.workflowId === id('reset'))).toBe(false);
  });

  it('the pinned-back execution completes on v1 with its work intact', async () => {
    // The latest run: the one the pin-back made.
    const result = await t.client.workflow.getHandle(id('pin')).result();
    expect(result).toContain('from 4 findings');
    expect(result).toContain('question: what about costs?');
    const events = await history(id('pin'));
    const builds = completedOn(events).map((c) => c.buildId);
    expect(new Set(builds)).toEqual(new Set(['v1']));
    // The research ran once: plan, three steps, the question, synthesize.
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes).length).toBe(6);
    expect((await describeExecution(t, { workflowId: id('pin'), runId: (await t.client.workflow.getHandle(id('pin')).describe()).runId })).override).toEqual({ kind: 'pinned', version: `${s.deploymentName}:v1` });
  });

  it('a second watch resumes: nothing pinned twice; the execution v4 ran is reported again', async () => {
    const r = await runCli(['watch', '--deployment', s.deploymentName, '--for', '1s', '--journal', journal, '--output', 'json', ...conn()]);
    expect(r.exitCode, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as WatchReport;
    expect(report.items.map((i) => `${i.workflowId} ${i.status}`)).toEqual([`${id('reset')} reset-needed`]);
    const entries = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as WatchJournalEntry);
    expect(entries.filter((e) => e.action === 'pin-back' && e.status === 'done')).toHaveLength(1);
  });

  it('the ledger lists our override on "reset", why (from the deploy\'s journal), not needed; clear --not-needed clears it', async () => {
    // Two upgrades go out one by one (apply's --direct-max), not as a batch job with a reason: the journal says why.
    const deployJournal = join(dir, 'plan.json.journal.jsonl');
    const r = await runCli(['status', '--deployment', s.deploymentName, '--overrides', '--journal', deployJournal, '--output', 'json', ...conn()]);
    expect(r.exitCode, r.stderr).toBe(0);
    const ledger = JSON.parse(r.stdout) as LedgerReport;
    const entry = ledger.entries.find((e) => e.workflowId === id('reset'));
    expect(entry).toMatchObject({ ours: true, setBy: 'safe-deploy', override: { kind: 'auto_upgrade' }, version: `${s.deploymentName}:v4`, needed: false });
    expect(entry?.why).toMatch(/^upgrade \(.*plan\.json\.journal\.jsonl/);
    expect(entry?.setAt).toMatch(/^\d{4}-/);

    const dry = await runCli(['overrides', 'clear', '--deployment', s.deploymentName, '--not-needed', '--dry-run', '--output', 'json', ...conn()]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect((JSON.parse(dry.stdout) as { cleared: { workflowId: string; status: string }[] }).cleared).toEqual([expect.objectContaining({ workflowId: id('reset'), status: 'would' })]);
    const runId = (await t.client.workflow.getHandle(id('reset')).describe()).runId;
    expect((await describeExecution(t, { workflowId: id('reset'), runId })).override).toEqual({ kind: 'auto_upgrade' });

    const cleared = await runCli(['overrides', 'clear', '--deployment', s.deploymentName, '--not-needed', '--journal', join(dir, 'overrides.jsonl'), '--output', 'json', ...conn()]);
    expect(cleared.exitCode, cleared.stderr).toBe(0);
    expect((JSON.parse(cleared.stdout) as { cleared: { workflowId: string; status: string }[] }).cleared).toEqual([expect.objectContaining({ workflowId: id('reset'), status: 'done' })]);
    expect((await describeExecution(t, { workflowId: id('reset'), runId })).override).toBeUndefined();
    expect(readFileSync(join(dir, 'overrides.jsonl'), 'utf8')).toContain('"status":"done"');
  });

  it('watch --reset resets the one v4 ran to its reset point; the new run is pinned to v1 and runs there', async () => {
    const before = await t.client.workflow.getHandle(id('reset')).describe();
    const r = await runCli(['watch', '--deployment', s.deploymentName, '--for', '1s', '--reset', '--journal', journal, '--output', 'json', ...conn()]);
    expect(r.exitCode, r.stderr).toBe(1);
    const item = (JSON.parse(r.stdout) as WatchReport).items.find((i) => i.workflowId === id('reset'));
    expect(item).toMatchObject({ status: 'reset', runId: before.runId });
    const latest = await t.client.workflow.getHandle(id('reset')).describe();
    expect(latest.runId).toBe(item?.newRunId);
    expect((await describeExecution(t, { workflowId: id('reset'), runId: latest.runId })).override).toEqual({ kind: 'pinned', version: `${s.deploymentName}:v1` });
    await eventually('the new run completed a task on v1 after the reset point', async () =>
      completedOn(await history(id('reset'), latest.runId)).some((c) => c.eventId > (item?.resetEventId ?? Infinity) && c.buildId === 'v1'));
    expect(readFileSync(journal, 'utf8')).toContain('"action":"reset","status":"done"');
  });
});

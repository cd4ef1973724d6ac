/**
 * The race apply exists to close: executions signalled to proceed while their upgrade is being
 * sent. The candidate replays every history up to the proceed gate and none past it, so an
 * auto_upgrade override set after v1 handled the signal would be an override on a stale verdict
 * (the next workflow task on the candidate fails with a nondeterminism error). The signals go out
 * the moment the journal shows the batch `started`; the batch is throttled (--rps) so that most
 * land before their override. Every execution must end either upgraded with nothing unreplayed
 * before its override, or reverted to PINNED on v1; none may fail a workflow task.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { historyEvents, latestByWorkflow, overrideWindowsMs, workflowTaskFailures } from '../helpers/apply-state.js';
import { BIN, runCli } from '../helpers/cli.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

const candidateWorkflows = join(import.meta.dirname, '..', 'fixtures', 'gate-breaking', 'workflows.ts');
const N = 8;

/**
 * Not part of `npm test` yet: it passed 5 of 9 runs on a loaded 2-core machine. In the failing runs
 * the revert was in place, but the server had already handed a workflow task to the candidate's
 * worker, and the execution did not finish within the test's wait. Run it with
 * SAFE_DEPLOY_RACE_TEST=1 npx vitest run --project integration test/integration/apply-race.int.test.ts
 */
describe.skipIf(!process.env.SAFE_DEPLOY_RACE_TEST)('apply: executions signalled while their upgrade is sent', () => {
  let t: TemporalHandle;
  let s: Scenario;
  const workers: SampleWorker[] = [];
  const ids = Array.from({ length: N }, (_, i) => `race-${i}`);
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-race-'));
  const plan = join(dir, 'plan.json');
  const journal = `${plan}.journal.jsonl`;

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'race');
    t = await connectTest();
    // Slow activities: after v1 handles the signal, `synthesize` runs 8 s before the next
    // workflow task, which would go to the candidate if our override stayed.
    workers.push(await startWorker(s, 'v1', { activityDelayMs: 8000 }));
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (const id of ids) await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${id}`, args: [id] });
    for (const id of ids) {
      await eventually('at the gate', async () => (await t.client.workflow.getHandle(`${s.taskQueue}-${id}`).query<string>('status')) === 'awaiting_proceed', 90_000);
    }
    await eventually('visible', async () => (await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === N);
    const planned = await runCli(['plan', '--deployment', s.deploymentName, '--candidate-build-id', 'v2', '--workflows', candidateWorkflows, '--out', plan, '--address', s.address, '--namespace', s.namespace]);
    expect(planned.exitCode, planned.stderr).toBe(0);
    workers.push(await startWorker(s, 'v2', { workflowsPath: candidateWorkflows, activityDelayMs: 20 }));
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v2' });
  }, 240_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await t?.close();
  });

  it('leaves no execution upgraded on a stale verdict, and none fails a workflow task', async () => {
    const planned = JSON.parse(readFileSync(plan, 'utf8')) as { executions: { workflowId: string; action: string; receipt: { lastEventId: string } }[] };
    expect(planned.executions.map((e) => e.action)).toEqual(Array(N).fill('upgrade'));

    const apply = execa('node', [BIN, 'apply', plan, '--phase', 'upgrade', '--direct-max', '0', '--rps', '2', '--workflows', candidateWorkflows, '--output', 'json', '--address', s.address, '--namespace', s.namespace], { reject: false });
    await eventually('the batch journaled as started', async () => existsSync(journal) && readFileSync(journal, 'utf8').includes('"status":"started"'), 120_000);
    await Promise.all(ids.map((id) => t.client.workflow.getHandle(`${s.taskQueue}-${id}`).signal('proceed')));
    const r = await apply;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = JSON.parse(String(r.stdout)) as { counts: Record<string, number> };

    const latest = latestByWorkflow(journal);
    // Read back once every execution has finished: an options update that arrives while a workflow
    // task is in flight is written to the history only after that task completes.
    for (const id of ids) {
      const h = t.client.workflow.getHandle(`${s.taskQueue}-${id}`);
      const finished = await Promise.race([h.result().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 60_000))]);
      const trace = async () => (await historyEvents(t, h.workflowId)).map((x) => `${x.eventId} ${x.eventType}${x.workflowTaskStartedEventAttributes ? `(${x.workflowTaskStartedEventAttributes.identity})` : ''}${x.workflowTaskTimedOutEventAttributes ? `(${x.workflowTaskTimedOutEventAttributes.timeoutType})` : ''}`).join(', ');
      expect(finished, `${id} did not finish (journal: ${JSON.stringify(latest.get(h.workflowId))}): ${finished || (await trace())}`).toBe(true);
    }
    let reverted = 0;
    for (const e of planned.executions) {
      const entry = latest.get(e.workflowId);
      expect(['done', 'reverted'], e.workflowId).toContain(entry?.status);
      const events = await historyEvents(t, e.workflowId);
      const trace = events.map((x) => `${x.eventId} ${x.eventType}`).join(', ');
      expect(workflowTaskFailures(events), `${e.workflowId} failed a workflow task: ${trace}`).toBe(0);
      const updates = events.filter((x) => x.workflowExecutionOptionsUpdatedEventAttributes);
      const ours = events.findIndex((x) => x.workflowExecutionOptionsUpdatedEventAttributes?.versioningOverride?.autoUpgrade);
      // What v1 did after the receipt and before our override: only the candidate could have replayed it.
      const v1Commands = events.slice(0, ours).filter((x) => Number(x.eventId) > Number(e.receipt.lastEventId) && x.activityTaskScheduledEventAttributes);
      if (entry?.status === 'reverted') {
        reverted++;
        expect(v1Commands.length, `${e.workflowId}: ${trace}`).toBeGreaterThan(0);
        expect(updates.length, `${e.workflowId}: ${trace}`).toBe(2);
        expect(updates[1]?.workflowExecutionOptionsUpdatedEventAttributes?.versioningOverride?.pinned?.version?.buildId, e.workflowId).toBe('v1');
      } else {
        expect(v1Commands, `${e.workflowId}: upgraded on top of events the candidate never replayed: ${trace}`).toEqual([]);
        expect(updates.length, `${e.workflowId}: ${trace}`).toBe(1);
      }
    }
    expect(reverted).toBe(report.counts.reverted);
    // The race happened (the batch is throttled to 2/s; the signals all went out at once).
    expect(reverted).toBeGreaterThan(0);
    process.stderr.write(`race: ${reverted} of ${N} reverted, ${N - reverted} upgraded cleanly; re-check-to-override window (batch, --rps 2): ${(await overrideWindowsMs(t, journal)).join(', ')} ms\n`);
  }, 480_000);
});

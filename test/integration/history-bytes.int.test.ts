/**
 * Live histories reach the replay as the server's bytes: never decoded into messages on the main
 * thread, yet the same bytes and facts as the SDK's fetchHistory, over several pages, and replayed
 * by `check --deployment` like any other history.
 */
import protoRoot from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyFacts } from '../../cli/core/history-facts.js';
import { buildVisibilityQuery } from '../../cli/core/selection.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { eventsNewestFirst, fetchHistories, fetchHistory, listExecutions, NEWEST_FIRST_PAGE_SIZE } from '../../cli/temporal/histories.js';
import { isEncoded, type ReplayItem } from '../../cli/temporal/replay-item.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

const { History } = protoRoot.temporal.api.history.v1;
/** More events than the server's default page (256), so the history comes in several pages. */
const NOISE_SIGNALS = 300;

describe('live histories as bytes', () => {
  let t: TemporalHandle;
  let s: Scenario;
  let worker: SampleWorker;
  const ids = ['quiet', 'noisy'];

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'bytes');
    t = await connectTest();
    worker = await startWorker(s, 'v1');
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (const id of ids) {
      const h = await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${id}`, args: [id] });
      await eventually('paused at the gate', async () => (await h.query<string>('status')) === 'awaiting_proceed');
    }
    // Stopped first: the signals then only add events, and nothing grows while the test reads.
    await worker.stop();
    const noisy = t.client.workflow.getHandle(`${s.taskQueue}-noisy`);
    for (let i = 0; i < NOISE_SIGNALS; i++) await noisy.signal('noise');
    await eventually('visibility to list the executions', async () => {
      const { count } = await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`);
      return count === 2;
    });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  const query = () => buildVisibilityQuery({ deployment: s.deploymentName });

  async function fetched(): Promise<ReplayItem[]> {
    const items: ReplayItem[] = [];
    for await (const item of fetchHistories(t, listExecutions(t, query()), { concurrency: 2 })) items.push(item);
    return items.sort((a, b) => a.workflowId.localeCompare(b.workflowId));
  }

  it('the noisy history spans more than one page', async () => {
    const first = await t.connection.workflowService.getWorkflowExecutionHistory({ namespace: t.namespace, execution: { workflowId: `${s.taskQueue}-noisy` } });
    expect(first.nextPageToken?.length ?? 0).toBeGreaterThan(0);
  });

  it('gives the bytes and facts of the SDK-decoded history, without decoding it', async () => {
    const items = await fetched();
    expect(items.map((i) => i.workflowId)).toEqual([`${s.taskQueue}-noisy`, `${s.taskQueue}-quiet`]);
    for (const item of items) {
      expect(isEncoded(item.history)).toBe(true);
      if (!isEncoded(item.history)) continue;
      const decoded = await fetchHistory(t, { workflowId: item.workflowId, runId: item.facts.runId, historyLength: 0 });
      expect(Buffer.from(item.history.delimited).equals(Buffer.from(History.encodeDelimited(decoded).finish()))).toBe(true);
      expect(item.facts).toEqual({ ...historyFacts(decoded), workflowId: item.workflowId, runId: item.facts.runId });
    }
    const noisy = items[0]!;
    expect(noisy.facts.eventCount).toBeGreaterThan(NOISE_SIGNALS);
    expect(noisy.facts.version).toBe(`${s.deploymentName}:v1`);
  });

  it('check --deployment replays both, the several-page history included', async () => {
    const r = await runCli(['check', '--deployment', s.deploymentName, '--address', s.address, '--namespace', s.namespace, '--workflows', sampleWorkflows('v2'), '--output', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { summary: { total: number; compatible: number }; results: { workflowId: string; lastEventId: string }[] };
    expect(report.summary).toMatchObject({ total: 2, compatible: 2 });
    const noisy = report.results.find((x) => x.workflowId === `${s.taskQueue}-noisy`);
    expect(Number(noisy?.lastEventId)).toBeGreaterThan(NOISE_SIGNALS);
  });

  it('reads a history newest first, page by page', async () => {
    const e = { workflowId: `${s.taskQueue}-noisy`, runId: '' };
    const forward = (await fetchHistory(t, { ...e, historyLength: 0 })).events ?? [];
    const ids = (events: { eventId?: unknown }[]) => events.map((x) => Number(String(x.eventId)));
    const newestFirst = [];
    for await (const event of eventsNewestFirst(t, e)) newestFirst.push(event);
    expect(forward.length).toBeGreaterThan(NOISE_SIGNALS);
    expect(ids(newestFirst)).toEqual(ids(forward).reverse());
    expect(newestFirst.map((x) => x.eventType)).toEqual(forward.map((x) => x.eventType).reverse());

    // A caller that stops early has the last events, newest first.
    const firstPage = [];
    for await (const event of eventsNewestFirst(t, e)) {
      firstPage.push(event);
      if (firstPage.length === NEWEST_FIRST_PAGE_SIZE) break;
    }
    expect(ids(firstPage)).toEqual(ids(forward).reverse().slice(0, NEWEST_FIRST_PAGE_SIZE));
  });
});

/**
 * Records test/fixtures/breaking/histories/ from real executions: starts the local dev server and
 * a worker running test/fixtures/breaking/before.ts, runs each workflow until it waits on its
 * one-day timer, and saves its history in the Temporal CLI's JSON format (historyToJson writes the
 * same document as `temporal workflow show --output json`).
 *
 *   npm run build && node dist/tools/record-breaking-histories.js
 *
 * test/unit/breaking-messages.test.ts replays them against after.ts through the real SDK.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { packageRoot } from '../cli/paths.js';
import { startDevServer } from '../cli/temporal/dev-server.js';
import { historyToJson } from '../cli/temporal/history-json.js';
import * as activities from '../test/fixtures/breaking/activities.js';

const FIXTURES = join(packageRoot(), 'test', 'fixtures', 'breaking');
const WORKFLOWS = ['SleepWorkflow', 'LocalActivityWorkflow', 'ActivityTypeWorkflow', 'ChildrenReorderedWorkflow', 'ChildrenRemovedWorkflow', 'RetiredWorkflow'];
const TASK_QUEUE = 'breaking';

async function main(): Promise<void> {
  const server = await startDevServer();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const worker = await Worker.create({
    connection: await (await import('@temporalio/worker')).NativeConnection.connect({ address: server.address }),
    namespace: server.namespace,
    taskQueue: TASK_QUEUE,
    workflowsPath: join(FIXTURES, 'before.ts'),
    activities,
  });
  const running = worker.run();
  try {
    mkdirSync(join(FIXTURES, 'histories'), { recursive: true });
    for (const type of WORKFLOWS) {
      const workflowId = `breaking-${type}`;
      const handle = await client.workflow.start(type, { taskQueue: TASK_QUEUE, workflowId });
      // Done when the workflow's own one-day timer is started (the last command of its task).
      for (let i = 0; ; i++) {
        const history = await handle.fetchHistory();
        const events = history.events ?? [];
        const timerStarted = events.some((e) => e.timerStartedEventAttributes?.startToFireTimeout?.seconds?.toString() === '86400');
        if (timerStarted && type === 'SleepWorkflow' && !events.some((e) => e.workflowExecutionSignaledEventAttributes)) {
          await handle.signal('wake');
          continue;
        }
        // SleepWorkflow: also the task that handled the signal.
        const signalled = events.findIndex((e) => e.workflowExecutionSignaledEventAttributes);
        const settled = type !== 'SleepWorkflow' || (signalled >= 0 && events.slice(signalled).some((e) => e.activityTaskScheduledEventAttributes));
        if (timerStarted && settled) {
          writeFileSync(join(FIXTURES, 'histories', `${workflowId}.json`), historyToJson(history));
          process.stdout.write(`recorded ${workflowId}: ${events.length} events\n`);
          break;
        }
        if (i > 600) throw new Error(`${workflowId} did not reach its timer: ${events.map((e) => e.eventType).join(",")}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await server.stop();
  }
}

await main();

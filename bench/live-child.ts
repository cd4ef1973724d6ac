/**
 * Measured processes of bench/live.ts other than the CLI:
 *  - `sdk ADDRESS QUERY WORKFLOWS`: what a user would write with the SDK alone,
 *    `client.workflow.list({ query }).intoHistories()` into `Worker.runReplayHistories`;
 *  - `fetch ADDRESS QUERY CONCURRENCY`: safe-deploy's own listing and download, no replay (where
 *    the live path's time goes).
 * Prints one JSON line.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { connect, resolveConnection } from '../cli/temporal/connection.js';
import { fetchHistories, listExecutions } from '../cli/temporal/histories.js';

async function main(): Promise<void> {
  const [mode, address, query, arg] = process.argv.slice(2);
  if (!address || !query || !arg) throw new Error('usage: live-child sdk|fetch ADDRESS QUERY WORKFLOWS|CONCURRENCY');
  // The SDK's INFO logs (a replay worker starting and stopping per history) would swamp the output.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const started = performance.now();
  let count = 0;
  let failed = 0;
  if (mode === 'sdk') {
    const histories = client.workflow.list({ query }).intoHistories();
    for await (const r of Worker.runReplayHistories({ workflowsPath: arg }, histories)) {
      count++;
      if (r.error) failed++;
    }
  } else if (mode === 'fetch') {
    const t = await connect(resolveConnection({ address, namespace: 'default' }, {}));
    for await (const item of fetchHistories(t, listExecutions(t, query), { concurrency: Number(arg) })) {
      count++;
      if (!item.facts.eventCount) failed++;
    }
    await t.close();
  } else throw new Error(`unknown mode ${mode}`);
  process.stdout.write(JSON.stringify({ count, failed, seconds: (performance.now() - started) / 1000 }) + '\n');
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

/**
 * Re-records histories/research-agent/ from real executions: starts the local dev server and a v1
 * research-agent worker, drives the executions into the states the corpus needs, and saves each
 * history with `temporal workflow show --output json` (the format users download).
 *
 *   npm run histories:record                   (writes histories/research-agent/*.json)
 *   npm run histories:record -- --sdk python   (the Python agent: histories/research-agent-python/)
 *
 * File name = the workflow ID, URI-encoded, + .json: replay needs the real workflow ID (child
 * workflow IDs are derived from it), and that format does not carry it on older servers.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { packageRoot } from '../cli/paths.js';
import { startDevServer } from '../cli/temporal/dev-server.js';
import { newScenario, startWorker, type SampleSdk } from '../sample-workers/research-agent/launcher.js';

const sdkArg = process.argv.indexOf('--sdk');
const SDK: SampleSdk = sdkArg > 0 && process.argv[sdkArg + 1] === 'python' ? 'python' : 'typescript';
const OUT_DIR = join(packageRoot(), 'histories', SDK === 'python' ? 'research-agent-python' : 'research-agent');

async function until<T>(what: string, fn: () => Promise<T | false | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const server = await startDevServer();
  const s = newScenario(server.address, server.namespace, 'research-agent', true);
  // Slow enough activities that a polling workflow can be caught with a request in flight.
  const worker = await startWorker(s, 'v1', { activityDelayMs: 400, sdk: SDK });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const saved: string[] = [];
  try {
    await execa(server.binary, ['worker', 'deployment', 'set-current-version', '--deployment-name', s.deploymentName,
      '--build-id', 'v1', '--yes', '--address', server.address]).catch(async () => {
      // The version appears only after the worker's first poll.
      await new Promise((r) => setTimeout(r, 2000));
      await execa(server.binary, ['worker', 'deployment', 'set-current-version', '--deployment-name', s.deploymentName,
        '--build-id', 'v1', '--yes', '--address', server.address]);
    });
    const start = (type: string, workflowId: string, args: unknown[]) =>
      client.workflow.start(type, { taskQueue: s.taskQueue, workflowId, args });

    const paused = await Promise.all([
      start('ResearchWorkflow', 'research-paused-quantum-batteries', ['quantum batteries']),
      start('ResearchWorkflow', 'research-paused-coral-reefs', ['coral reef restoration']),
      start('ResearchWorkflow', 'research-paused-fusion', ['compact fusion reactors']),
    ]);
    const completed = await start('ResearchWorkflow', 'research-completed-tidal-power', ['tidal power']);
    const idle = await start('ResearchPollingWorkflow', 'research-poller-idle', []);
    const busy = await start('ResearchPollingWorkflow', 'research-poller-busy', []);
    for (const [i, topic] of ['solid-state batteries', 'kelp farming', 'perovskite cells'].entries()) {
      await busy.signal('submit_request', { id: `r${i + 1}`, topic });
    }

    for (const h of [...paused, completed]) {
      await until(`${h.workflowId} at the gate`, async () => (await h.query<string>('status')) === 'awaiting_proceed');
    }
    await completed.signal('proceed');
    await completed.result();
    type State = { pending: unknown[]; completed: unknown[] };
    await until('busy poller: one request done, others queued', async () => {
      const st = await busy.query<State>('state');
      return st.completed.length >= 1 && st.pending.length >= 2;
    });
    await until('idle poller running', async () => (await idle.query<State>('state')) !== undefined);

    const toSave = [...paused, completed, idle, busy].map((h) => h.workflowId);
    toSave.push('research-poller-busy/req-r1');
    mkdirSync(OUT_DIR, { recursive: true });
    for (const f of readdirSync(OUT_DIR)) if (f.endsWith('.json')) rmSync(join(OUT_DIR, f));
    for (const workflowId of toSave) {
      const { stdout } = await execa(server.binary, ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json',
        '--address', server.address, '--namespace', server.namespace]);
      const file = join(OUT_DIR, `${encodeURIComponent(workflowId)}.json`);
      writeFileSync(file, stdout.endsWith('\n') ? stdout : stdout + '\n');
      saved.push(file);
    }
  } finally {
    await connection.close();
    await worker.stop();
    await server.stop();
  }
  process.stdout.write(`recorded ${saved.length} histories into ${OUT_DIR}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

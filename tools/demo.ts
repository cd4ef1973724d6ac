/**
 * `npm run demo`: the worker-versioning lab's story, told with real processes on the embedded local
 * Temporal server. v1 research executions are in flight; v2 (compatible) is deployed and they drain
 * off v1 at once; v3 (breaking) is deployed and nothing breaks: pinned executions finish on their
 * build, the idle polling workflow is nudged and continues-as-new onto v3. Act 4 is the net: v4
 * replays a sleeping follow-up execution cleanly and breaks when its timer fires; `deploy --watch`
 * pins it back to v3, which finishes it with its research intact.
 *
 *   npm run demo                 (the TypeScript research agent)
 *   npm run demo -- --python     (the Python one, acts 1 to 3: its workers and candidates in the project's venv)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { execa } from 'execa';
import { Client, Connection } from '@temporalio/client';
import { packageRoot } from '../cli/paths.js';
import { startDevServer, type DevServer } from '../cli/temporal/dev-server.js';
import { ensurePythonEnv } from '../sample-workers/research-agent-py/python-env.js';
import { newScenario, pythonAgentDir, startWorker, workerEnv, type SampleSdk, type SampleWorker } from '../sample-workers/research-agent/launcher.js';

const c = new Chalk({ level: process.stdout.isTTY ? 1 : 0 });
const root = packageRoot();
const bin = join(root, 'bin', 'safe-deploy.js');
const rollout = join(root, 'dist', 'sample-workers', 'research-agent', 'rollout.js');
const work = mkdtempSync(join(tmpdir(), 'safe-deploy-demo-'));
const pidFile = join(work, 'rollout.pids');
const sdk: SampleSdk = process.argv.includes('--python') ? 'python' : 'typescript';

/** The candidate flags of a version: its workflows file (and, for Python, the interpreter). */
async function candidate(version: 'v2' | 'v3'): Promise<string[]> {
  if (sdk === 'typescript') return ['--workflows', join(root, `sample-workers/research-agent/${version}/workflows.ts`)];
  return ['--workflows', join(pythonAgentDir(), version, 'workflows.py'), '--python', await ensurePythonEnv()];
}
const rolloutCommand = (version: 'v2' | 'v3') => `node ${rollout} ${version}${sdk === 'python' ? ' python' : ''}`;

const say = (text: string) => process.stdout.write(`${c.cyan('▸')} ${text}\n`);
const act = (title: string) => process.stdout.write(`\n${c.bold.magenta(`━━ ${title} ━━`)}\n`);

async function until<T>(fn: () => Promise<T | false | undefined>, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  let server: DevServer | undefined;
  let v1: SampleWorker | undefined;
  let connection: Connection | undefined;
  try {
    act('Setting the scene');
    if (sdk === 'python') say(`the Python research agent, in ${await ensurePythonEnv()}`);
    server = await startDevServer();
    say(`local Temporal dev server at ${server.address}`);
    const s = newScenario(server.address, server.namespace, 'research-agent', true);
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: server.namespace });
    const cli = async (args: string[], env: Record<string, string> = {}): Promise<number> => {
      process.stdout.write(c.dim(`$ safe-deploy ${args.join(' ')}\n`));
      const r = await execa('node', [bin, ...args, '--address', server!.address], { stdout: 'inherit', stderr: 'inherit', reject: false, env });
      return r.exitCode ?? -1;
    };
    const rolloutEnv = { ...Object.fromEntries(Object.entries(workerEnv(s, 'v1', 'v1', 300)).filter(([k]) => k !== 'TEMPORAL_WORKER_BUILD_ID')), ROLLOUT_PID_FILE: pidFile, ROLLOUT_LOG_DIR: work };

    act('Act 1 — v1 is in production, research in flight');
    v1 = await startWorker(s, 'v1', { activityDelayMs: 300, sdk });
    await execa(server.binary, ['worker', 'deployment', 'set-current-version', '--deployment-name', s.deploymentName, '--build-id', 'v1', '--yes', '--address', server.address]).catch(async () => {
      await new Promise((r) => setTimeout(r, 2000));
      await execa(server!.binary, ['worker', 'deployment', 'set-current-version', '--deployment-name', s.deploymentName, '--build-id', 'v1', '--yes', '--address', server!.address]);
    });
    say('v1 workers are polling; v1 is the current version of Worker Deployment "research-agent"');
    const topics = ['quantum batteries', 'coral reef restoration', 'compact fusion'];
    const research = topics.map((_, i) => `research-${i + 1}`);
    for (const [i, topic] of topics.entries()) await client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: research[i] as string, args: [topic] });
    await client.workflow.start('ResearchPollingWorkflow', { taskQueue: s.taskQueue, workflowId: 'research-inbox', args: [] });
    for (const id of research) await until(async () => (await client.workflow.getHandle(id).query<string>('status')) === 'awaiting_proceed', `${id} at the gate`);
    await until(async () => (await client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`)).count === 4, 'visibility');
    say('three research executions did their (expensive) research and wait at the "proceed" gate; an inbox workflow idles');
    say('all four are PINNED to v1: a naive deploy that moved them would replay their histories on new code');

    act('Act 2 — deploy v2, a replay-compatible change (a patched review step)');
    let code = await cli(['deploy', '--deployment', s.deploymentName, '--candidate-build-id', 'v2', ...(await candidate('v2')),
      '--long-running-type', 'ResearchPollingWorkflow', '--rollout', rolloutCommand('v2'), '--promote', '--plan-out', join(work, 'plan-v2.json')], rolloutEnv);
    if (code !== 0) throw new Error(`deploy v2 exited ${code}`);
    say('every history replayed cleanly on v2, so every execution got an auto_upgrade override: v1 can drain now, not in weeks');
    for (const id of research.slice(0, 2)) {
      await client.workflow.getHandle(id).signal('proceed');
      await client.workflow.getHandle(id).result();
    }
    say('research-1 and research-2 proceeded and finished on v2 (with v2\'s new review step)');
    await cli(['status', '--deployment', s.deploymentName]);

    act('Act 3 — deploy v3, a breaking change (fact_check after each step, a new polling loop)');
    for (const [i, topic] of ['tidal power', 'perovskite cells'].entries()) {
      const id = `research-${i + 4}`;
      research.push(id);
      await client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: id, args: [topic] });
      await until(async () => (await client.workflow.getHandle(id).query<string>('status')) === 'awaiting_proceed', `${id} at the gate`);
    }
    await client.workflow.getHandle('research-inbox').signal('submit_request', { id: 'q1', topic: 'kelp farming' });
    say('two more research executions started on v2 and wait at the gate; the inbox got a request');
    await until(async () => (await client.workflow.count(`TemporalWorkerDeploymentVersion = '${s.deploymentName}:v2' AND ExecutionStatus = 'Running'`)).count >= 2, 'visibility');
    code = await cli(['deploy', '--deployment', s.deploymentName, '--candidate-build-id', 'v3', ...(await candidate('v3')),
      '--long-running-type', 'ResearchPollingWorkflow', '--rollout', rolloutCommand('v3'), '--promote', '--nudge-confirm-timeout', '90s', '--plan-out', join(work, 'plan-v3.json')], rolloutEnv);
    if (code !== 0) throw new Error(`deploy v3 exited ${code}`);
    say('nothing was moved onto code that cannot replay it; the inbox was woken and continued-as-new onto v3');
    for (const id of research.slice(2)) {
      await client.workflow.getHandle(id).signal('proceed');
      await client.workflow.getHandle(id).result();
    }
    say('every waiting research execution proceeded and finished on the build it was pinned to');

    act('The executions, start to finish');
    const rows: string[][] = [['Workflow', 'Runs', 'First task on', 'Last task on', 'Status', 'NDE']];
    for (const id of [...research, 'research-inbox']) {
      const runs = [];
      let runId: string | undefined = (await client.workflow.getHandle(id).describe()).runId;
      const first = (await client.workflow.getHandle(id).describe()).raw.workflowExecutionInfo?.firstRunId ?? runId;
      const history = await client.workflow.getHandle(id, first ?? undefined).fetchHistory();
      const latest = await client.workflow.getHandle(id).fetchHistory();
      runs.push(first);
      if (runId !== first) runs.push(runId);
      const builds = (h: typeof history) => (h.events ?? []).flatMap((e) => e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId ?? []);
      const ndes = [...(history.events ?? []), ...(latest.events ?? [])].filter((e) => e.workflowTaskFailedEventAttributes).length;
      const status = (await client.workflow.getHandle(id).describe()).status.name;
      rows.push([id, runId === first ? '1' : '2+', builds(history)[0] ?? '-', builds(latest).at(-1) ?? '-', status, String(ndes)]);
      runId = undefined;
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    for (const r of rows) process.stdout.write(r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ') + '\n');
    const inbox = await client.workflow.getHandle('research-inbox').query<{ runs: number; completed: { id: string }[]; pending: { id: string }[] }>('state');
    say(`the inbox is on its continue-as-new generation ${inbox.runs}, with ${inbox.completed.length} completed and ${inbox.pending.length} pending request(s): nothing lost`);

    if (sdk === 'python') {
      say('Act 4 (the watch after a deploy) needs a v4 of the agent, which only the TypeScript one has: skipped');
      process.stdout.write(`\n${c.green.bold('Demo complete: two deploys, zero non-determinism errors.')}\n`);
      return;
    }
    act('Act 4 — the net: v4 replays cleanly, then breaks (sleep became condition(fn, timeout))');
    const followUp = 'follow-up-1';
    await client.workflow.start('ResearchFollowUpWorkflow', { taskQueue: s.taskQueue, workflowId: followUp, args: ['grid storage', { followUpAfter: '45s' }] });
    await until(async () => ((await client.workflow.getHandle(followUp).fetchHistory()).events ?? []).some((e) => e.timerStartedEventAttributes), `${followUp} asleep`);
    await client.workflow.getHandle(followUp).signal('ask', 'what does it cost per kWh?');
    await until(async () => (await client.workflow.count(`TemporalWorkerDeploymentVersion = '${s.deploymentName}:v3' AND WorkflowType = 'ResearchFollowUpWorkflow' AND ExecutionStatus = 'Running'`)).count === 1, 'visibility');
    say(`${followUp} did its research on v3, sleeps 45s for follow-up questions, and got one`);
    code = await cli(['deploy', '--deployment', s.deploymentName, '--candidate-build-id', 'v4', '--workflows', join(root, 'sample-workers/research-agent/v4/workflows.ts'),
      '--long-running-type', 'ResearchPollingWorkflow', '--rollout', `node ${rollout} v4`, '--promote', '--nudge-confirm-timeout', '90s', '--plan-out', join(work, 'plan-v4.json'), '--watch', '90s'], rolloutEnv);
    if (code !== 1) throw new Error(`deploy v4 --watch exited ${code}, expected 1 (the watch found a broken execution)`);
    say('its history replayed cleanly on v4, so it was upgraded; when the timer fired every v4 task failed, and the watch pinned it back to v3');
    const answer = await client.workflow.getHandle(followUp).result();
    const builds = ((await client.workflow.getHandle(followUp).fetchHistory()).events ?? []).flatMap((e) => e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId ?? []);
    say(`${followUp} finished on ${builds.at(-1)} with its research intact: ${answer.slice(0, 90)}...`);
    process.stdout.write(`\n${c.green.bold('Demo complete: three deploys; the one that broke later was caught and pinned back.')}\n`);
  } finally {
    await connection?.close().catch(() => undefined);
    for (const pid of readPids()) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already stopped
      }
    }
    await v1?.stop().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    await server?.stop();
    say('all workers and the local server stopped');
  }
}

function readPids(): number[] {
  try {
    return readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

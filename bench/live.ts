/**
 * Live-path benchmark: `safe-deploy check --deployment` on N running executions of the local dev
 * server, side by side (alternating, in one run) with what a user would write with the SDK alone
 * (`client.workflow.list({ query }).intoHistories()` into `Worker.runReplayHistories`) and with
 * `safe-deploy check --histories` on the same histories as files. Also times safe-deploy's listing
 * and download alone (no replay), to say where the live path's time goes. Prints; asserts nothing.
 *
 *   node dist/bench/live.js [--sizes 1000,5000] [--rounds 3] [--concurrency 8,32] [--rtt-ms 50] [--no-split-cores]
 *
 * With --rtt-ms (0: off), the live checks also run through a proxy that delays each direction by
 * half of it: a server a network round trip away, where --concurrency matters. Unless
 * --no-split-cores, the checks run again with the server pinned to core 1 and each run to core 0
 * (taskset): on a 2-core machine, what a runner beside a remote server has.
 *
 * The executions are made once per size and server version (v1 research executions paused at the
 * proceed gate) and kept as a snapshot of the dev server's --db-filename under
 * os.tmpdir()/safe-deploy-bench/, with their histories as files; each run starts a server on a copy
 * of the snapshot.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { buildVisibilityQuery } from '../cli/core/selection.js';
import { promoteCandidate } from '../cli/pipeline/promote.js';
import { connect, resolveConnection, type TemporalHandle } from '../cli/temporal/connection.js';
import { FAST_SQLITE, parseServerVersion, resolveTemporalBinary, startDevServer, type DevServer } from '../cli/temporal/dev-server.js';
import { mapConcurrent } from '../cli/util/concurrency.js';
import { newScenario, startWorker } from '../sample-workers/research-agent/launcher.js';
import { measureNode, median, processCpuSeconds, table, type ProcessMeasurement } from './measure.js';
import { benchArgs, intList, positiveInt } from './args.js';
import { BENCH_DIR } from './corpus.js';
import { startDelayProxy } from './delay-proxy.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'safe-deploy.js');
const CHILD = join(import.meta.dirname, 'live-child.js');
const CANDIDATE = join(ROOT, 'sample-workers', 'research-agent', 'v2', 'workflows.ts');

interface Options {
  sizes: number[];
  rounds: number;
  concurrency: number[];
  /** The round trip the proxied rows add (0: no proxied rows). */
  rttMs: number;
  /** Also run the checks with the server on one core and the run on the other (needs taskset). */
  splitCores: boolean;
}

function parseArgs(argv: string[]): Options {
  const args = benchArgs(argv, { strings: ['sizes', 'rounds', 'concurrency', 'rtt-ms'], flags: ['no-split-cores'] });
  return {
    sizes: intList(args, 'sizes', [1000, 5000]),
    rounds: positiveInt(args, 'rounds', 3),
    concurrency: intList(args, 'concurrency', [8, 32]),
    rttMs: args['rtt-ms'] === '0' ? 0 : positiveInt(args, 'rtt-ms', 50),
    splitCores: args['no-split-cores'] !== true && availableParallelism() >= 2,
  };
}

export interface Snapshot {
  db: string;
  histories: string;
  deployment: string;
}

/** The sqlite files of a dev server database (the db and its -wal / -shm, when present). */
export function dbFiles(db: string): string[] {
  return ['', '-wal', '-shm'].map((s) => db + s).filter((f) => existsSync(f));
}

/** A snapshot's folder: per server version too, since a db file is made by, and for, one server. */
export async function snapshotDir(name: string): Promise<string> {
  const version = parseServerVersion(execFileSync(await resolveTemporalBinary({ build: true }), ['--version'], { encoding: 'utf8' }));
  return join(BENCH_DIR, `${name}-server-${version?.join('.') ?? 'unknown'}`);
}

/** Makes (once) N paused research executions on a dev server, and keeps its db and their histories. */
export async function ensureLiveSnapshot(n: number): Promise<Snapshot> {
  const label = 'live';
  const dir = await snapshotDir(`${label}-${n}`);
  const snapshot: Snapshot = { db: join(dir, 'temporal.db'), histories: join(dir, 'histories'), deployment: `bench-${label}-${n}` };
  if (existsSync(join(dir, 'complete'))) return snapshot;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(snapshot.histories, { recursive: true });
  const started = performance.now();
  console.log(`making ${n} running executions (once; kept in ${dir})...`);
  const server = await startDevServer({ dbFilename: snapshot.db, logFile: join(dir, 'server.log'), sqlitePragmas: FAST_SQLITE });
  const t = await connect(resolveConnection({ address: server.address, namespace: server.namespace }, {}));
  try {
    // A new database: the frontend's namespace cache learns of `default` some seconds after start.
    await waitFor(async () => (await t.client.workflow.count('ExecutionStatus = "Running"')).count >= 0, true);
    const s = newScenario(server.address, server.namespace, snapshot.deployment, true);
    const worker = await startWorker(s, 'v1', { activityDelayMs: 1 });
    try {
      await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
      const ids = Array.from({ length: n }, (_, i) => `${s.taskQueue}-${i}`);
      for await (const _ of mapConcurrent(ids, (id) => t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: id, args: [id] }), 32)) {
        // started
      }
      // Paused at the gate: their histories stop growing, so the files equal what the server holds.
      // Idle (no activity and no workflow task pending) is the gate: the activities before it run
      // one after another, each followed by a workflow task. Describe, not query: a query is a
      // workflow task of its own, and 10,000 of them were slower than making the executions.
      await waitAllIdle(t, ids);
    } finally {
      await worker.stop();
    }
    const query = buildVisibilityQuery({ deployment: snapshot.deployment });
    await waitFor(async () => (await t.client.workflow.count(query)).count, n);
    for await (const _ of mapConcurrent(
      t.client.workflow.list({ query }),
      async (info) => writeFileSync(join(snapshot.histories, `${info.workflowId}.json`), historyToJSON(await t.client.workflow.getHandle(info.workflowId, info.runId).fetchHistory())),
      16,
    )) {
      // written
    }
  } catch (err) {
    console.error('making the executions failed:', err);
    throw err;
  } finally {
    await t.close();
    await server.stop();
  }
  writeFileSync(join(dir, 'complete'), '');
  console.log(`made ${n} executions in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return snapshot;
}

/**
 * The live snapshot with v2 made current (a v2 worker polled, then promoted): its paused v1
 * executions are PINNED to a version that is no longer current, what apply upgrades and nudge wakes.
 */
export async function ensureV2CurrentSnapshot(n: number): Promise<Snapshot> {
  const base = await ensureLiveSnapshot(n);
  const dir = await snapshotDir(`v2-current-${n}`);
  const snapshot: Snapshot = { ...base, db: join(dir, 'temporal.db') };
  if (existsSync(join(dir, 'complete'))) return snapshot;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of dbFiles(base.db)) copyFileSync(f, snapshot.db + f.slice(base.db.length));
  const server = await startDevServer({ dbFilename: snapshot.db, logFile: join(dir, 'server.log'), sqlitePragmas: FAST_SQLITE });
  const t = await connect(resolveConnection({ address: server.address, namespace: server.namespace }, {}));
  try {
    const s = newScenario(server.address, server.namespace, base.deployment, true);
    const v2 = await startWorker(s, 'v2', { activityDelayMs: 1 });
    try {
      await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v2' });
    } finally {
      await v2.stop();
    }
  } finally {
    await t.close();
    await server.stop();
  }
  writeFileSync(join(dir, 'complete'), '');
  return snapshot;
}

async function idleAtGate(t: TemporalHandle, workflowId: string): Promise<boolean> {
  const { raw } = await t.client.workflow.getHandle(workflowId).describe();
  return !raw.pendingWorkflowTask && (raw.pendingActivities?.length ?? 0) === 0 && Number(raw.workflowExecutionInfo?.historyLength ?? 0) > 3;
}

/** Polls the executions not yet idle until none is left (a loaded server can take minutes). */
async function waitAllIdle(t: TemporalHandle, ids: string[], timeoutMs = 45 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = ids;
  while (pending.length > 0) {
    const still: string[] = [];
    for await (const { id, idle } of mapConcurrent(pending, async (id) => ({ id, idle: await idleAtGate(t, id).catch(() => false) }), 16)) {
      if (!idle) still.push(id);
    }
    pending = still;
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending.length} executions still not at the gate, e.g. ${pending.slice(0, 3).join(', ')}`);
    console.log(`  ${ids.length - pending.length}/${ids.length} at the gate`);
    await new Promise((r) => setTimeout(r, 5000));
  }
}

export async function waitFor<T>(fn: () => Promise<T>, want: T, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fn()) === want) return;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(want)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A dev server on a copy of the snapshot's database. */
export async function serveCopy(snapshot: Snapshot): Promise<{ server: DevServer; dispose: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-bench-db-'));
  const db = join(dir, 'temporal.db');
  for (const f of dbFiles(snapshot.db)) copyFileSync(f, db + f.slice(snapshot.db.length));
  const server = await startDevServer({ dbFilename: db, logFile: join(dir, 'server.log'), sqlitePragmas: FAST_SQLITE });
  return {
    server,
    dispose: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` against a dev server on a fresh copy of the snapshot's database, then removes it. */
export async function withServerCopy<T>(snapshot: Snapshot, fn: (server: DevServer) => Promise<T>): Promise<T> {
  const { server, dispose } = await serveCopy(snapshot);
  try {
    return await fn(server);
  } finally {
    await dispose();
  }
}

interface Row {
  label: string;
  runs: ProcessMeasurement[];
  counted: number[];
  /** CPU seconds the dev server used during each run: its share of the two cores. */
  serverCpu: number[];
}

function checkedCount(m: ProcessMeasurement): number {
  try {
    const doc = JSON.parse(m.stdout) as { results?: unknown[]; count?: number };
    return doc.results?.length ?? doc.count ?? -1;
  } catch {
    return -1;
  }
}

interface Command {
  label: string;
  args: string[];
}

/** Runs the commands one after another, `rounds` times (alternating), noting the server's CPU meanwhile. */
async function runRounds(commands: Command[], rounds: number, server: DevServer, options: { cpus?: string; title: string }): Promise<Row[]> {
  const rows: Row[] = commands.map((c) => ({ label: c.label, runs: [], counted: [], serverCpu: [] }));
  for (let round = 1; round <= rounds; round++) {
    for (const [i, c] of commands.entries()) {
      const serverBefore = processCpuSeconds(server.pid);
      const m = await measureNode(c.args, { cwd: ROOT, ...(options.cpus && { cpus: options.cpus }) });
      rows[i]?.serverCpu.push(processCpuSeconds(server.pid) - serverBefore);
      rows[i]?.runs.push(m);
      rows[i]?.counted.push(checkedCount(m));
    }
    process.stdout.write(`  ${options.title}: round ${round}/${rounds} done\n`);
  }
  return rows;
}

function printRows(title: string, rows: Row[], note: string): void {
  const files = rows.find((r) => r.label.startsWith('safe-deploy check --histories')) as Row;
  console.log('');
  console.log(title);
  console.log(
    table(
      ['', 'wall s (min-max)', 'x files', 'CPU s', 'server CPU s', 'peak RSS MB', 'executions'],
      rows.map((r) => {
        const walls = r.runs.map((m) => m.seconds);
        const perRound = r.runs.map((m, i) => m.seconds / (files.runs[i]?.seconds ?? NaN));
        return [
          r.label,
          `${median(walls).toFixed(2)} (${Math.min(...walls).toFixed(2)}-${Math.max(...walls).toFixed(2)})`,
          `${median(perRound).toFixed(2)}`,
          median(r.runs.map((m) => m.cpuSeconds)).toFixed(1),
          median(r.serverCpu).toFixed(1),
          (median(r.runs.map((m) => m.maxRssKb)) / 1024).toFixed(0),
          [...new Set(r.counted)].join('/'),
        ];
      }),
    ),
  );
  console.log(`(x files: the ratio to the files run of the same round, median over rounds; files median ${median(files.runs.map((r) => r.seconds)).toFixed(2)} s.`);
  console.log(` server CPU s: what the local dev server used meanwhile. ${note})`);
}

/** Sets the CPU affinity of every thread of a running process. */
const pin = (pid: number | undefined, cpus: string) => execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });

async function benchSize(n: number, options: Options): Promise<void> {
  const snapshot = await ensureLiveSnapshot(n);
  const { server, dispose } = await serveCopy(snapshot);
  const proxy = options.rttMs > 0 ? await startDelayProxy(server.address, options.rttMs / 2) : undefined;
  const query = buildVisibilityQuery({ deployment: snapshot.deployment });
  const live = ['check', '--deployment', snapshot.deployment, '--workflows', CANDIDATE, '--address', server.address, '--output', 'json'];
  const liveChecks = options.concurrency.map((c) => ({ label: `safe-deploy check --deployment (--concurrency ${c})`, args: [BIN, ...live, '--concurrency', String(c)] }));
  const filesCheck = { label: 'safe-deploy check --histories (same histories as files)', args: [BIN, 'check', '--histories', snapshot.histories, '--workflows', CANDIDATE, '--output', 'json'] };
  const commands: Command[] = [
    ...liveChecks,
    ...(proxy
      ? options.concurrency.map((c) => ({
          label: `  the same, ${options.rttMs} ms round trip away (--concurrency ${c})`,
          args: [BIN, ...live.map((a) => (a === server.address ? proxy.address : a)), '--concurrency', String(c)],
        }))
      : []),
    { label: 'SDK: list().intoHistories() -> runReplayHistories', args: [CHILD, 'sdk', server.address, query, CANDIDATE] },
    filesCheck,
    ...options.concurrency.map((c) => ({ label: `  listing + download only (--concurrency ${c}, no replay)`, args: [CHILD, 'fetch', server.address, query, String(c)] })),
  ];
  let shared: Row[];
  let split: Row[] | undefined;
  try {
    // Warm-up: the bundle cache and the OS file cache, not counted.
    await measureNode([BIN, ...live], { cwd: ROOT });
    shared = await runRounds(commands, options.rounds, server, { title: 'shared cores' });
    if (options.splitCores) {
      // A remote server's CPU is not the runner's: the server gets core 1, each measured run core 0.
      pin(server.pid, '1');
      try {
        split = await runRounds([...liveChecks, filesCheck], options.rounds, server, { cpus: '0', title: 'one core each' });
      } finally {
        pin(server.pid, '0-1');
      }
    }
  } finally {
    await proxy?.close();
    await dispose();
  }
  const header = `${n} running executions on the local dev server (${options.rounds} alternating rounds; whole processes; medians)`;
  printRows(`Live path, ${header}`, shared, 'It shares the two cores with the measured run; a remote server would not.');
  if (split) printRows(`Live path with the server on a core of its own and each run on the other (as beside a remote server), ${header}`, split, 'It ran on the other core.');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  for (const n of options.sizes) await benchSize(n, options);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/**
 * nudge's and watch's memory as the number of pinned executions grows: N running executions PINNED
 * to v1 of a deployment whose current version is v2, made once and kept as a snapshot (the
 * v2-current snapshot of 1,000 research executions, plus executions started with a pinned
 * versioning override and no worker: cheap to make, and candidates like any other). No worker
 * runs, so no execution moves: nudge signals every one, describes it again and reports it as a
 * straggler, the most it has to keep track of; watch (one scan, --dry-run) lists and describes
 * every one; status describes every one; plan replays every one against v2 and describes it (its
 * check's results are all it keeps: the plan is written as it is made). Each run gets a fresh copy of the snapshot. Each build runs as it is and with V8's
 * heap capped at --heap-mb (128), since peak RSS alone says little (V8 grows its heap lazily).
 * With --baseline DIR (a checkout of an earlier commit, built), that build runs beside this one.
 * Prints; asserts nothing.
 *
 *   node dist/bench/nudge-watch-memory.js [--sizes 10000,100000] [--commands nudge,watch,status,plan] [--heap-mb 128] [--rps 2000]
 *     [--baseline /tmp/sd-before] [--builds this,this-capped,baseline,baseline-capped] [--make-only]
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, resolveConnection } from '../cli/temporal/connection.js';
import { FAST_SQLITE, startDevServer } from '../cli/temporal/dev-server.js';
import { mapConcurrent } from '../cli/util/concurrency.js';
import { benchArgs, intList, positiveInt } from './args.js';
import { dbFiles, ensureV2CurrentSnapshot, snapshotDir, waitFor, withServerCopy, type Snapshot } from './live.js';
import { measureNode } from './measure.js';
import { buildRuns, memoryTable, unfinished, type MemoryRow } from './memory-runs.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BASE = 1000;

type Command = 'nudge' | 'watch' | 'status' | 'plan';

const CANDIDATE = join(ROOT, 'sample-workers', 'research-agent', 'v2', 'workflows.ts');

function parseArgs(argv: string[]): { sizes: number[]; commands: Command[]; heapMb: number; rps: number; makeOnly: boolean; builds?: string[]; baseline?: string } {
  const args = benchArgs(argv, { strings: ['sizes', 'commands', 'heap-mb', 'rps', 'baseline', 'builds'], flags: ['make-only'] });
  const baseline = args['baseline'];
  return {
    sizes: intList(args, 'sizes', [10_000, 100_000]),
    commands: typeof args['commands'] === 'string' ? (args['commands'].split(',') as Command[]) : ['nudge', 'watch', 'status', 'plan'],
    heapMb: positiveInt(args, 'heap-mb', 128),
    rps: positiveInt(args, 'rps', 2000),
    makeOnly: args['make-only'] === true,
    ...(typeof args['builds'] === 'string' && { builds: args['builds'].split(',') }),
    ...(typeof baseline === 'string' && { baseline }),
  };
}

/** The v2-current snapshot of BASE research executions, plus n - BASE started PINNED to v1 (made once). */
async function ensurePinnedSnapshot(n: number): Promise<Snapshot> {
  const base = await ensureV2CurrentSnapshot(BASE);
  const dir = await snapshotDir(`nudge-${n}`);
  const snapshot: Snapshot = { ...base, db: join(dir, 'temporal.db') };
  if (existsSync(join(dir, 'complete'))) return snapshot;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of dbFiles(base.db)) copyFileSync(f, snapshot.db + f.slice(base.db.length));
  const started = performance.now();
  console.log(`making ${n - BASE} more executions pinned to v1 (once; kept in ${dir})...`);
  const server = await startDevServer({ dbFilename: snapshot.db, logFile: join(dir, 'server.log'), sqlitePragmas: FAST_SQLITE });
  const t = await connect(resolveConnection({ address: server.address, namespace: server.namespace }, {}));
  try {
    const query = `TemporalWorkerDeployment = '${base.deployment}'`;
    let taskQueue = '';
    for await (const e of t.client.workflow.list({ query, pageSize: 1 })) {
      taskQueue = e.taskQueue;
      break;
    }
    const ids = Array.from({ length: n - BASE }, (_, i) => `pinned-${i}`);
    let made = 0;
    for await (const _ of mapConcurrent(
      ids,
      (id) =>
        t.client.workflow.start('ResearchWorkflow', {
          taskQueue,
          workflowId: id,
          args: [id],
          versioningOverride: { pinnedTo: { deploymentName: base.deployment, buildId: 'v1' } },
        }),
      64,
    )) {
      if (++made % 10_000 === 0) console.log(`  ${made}/${ids.length}`);
    }
    await waitFor(async () => (await t.client.workflow.count(query)).count, n, 15 * 60_000);
  } finally {
    await t.close();
    await server.stop();
  }
  writeFileSync(join(dir, 'complete'), '');
  console.log(`made them in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return snapshot;
}

function commandArgs(command: Command, deployment: string, rps: number, address: string, planFile: string): string[] {
  const common = ['--deployment', deployment, '--output', 'json', '--address', address];
  switch (command) {
    case 'plan':
      return ['plan', ...common, '--candidate-build-id', 'v2', '--workflows', CANDIDATE, '--out', planFile];
    case 'nudge':
      return ['nudge', ...common, '--rps', String(rps), '--confirm-timeout', '1s'];
    case 'watch':
      return ['watch', ...common, '--rps', String(rps), '--for', '1s', '--dry-run'];
    case 'status':
      return ['status', ...common];
  }
}

/** What the run reported, in a few words; undefined when there is no report to read. */
function whatItDid(command: Command, stdout: string, planFile: string): string | undefined {
  try {
    if (command === 'plan') {
      const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { executions: { action: string }[] };
      const upgrades = plan.executions.filter((e) => e.action === 'upgrade').length;
      return `${plan.executions.length} planned, ${upgrades} upgrade; ${(statSync(planFile).size / 1e6).toFixed(0)} MB of plan`;
    }
    if (command === 'nudge') {
      const report = JSON.parse(stdout) as { summary: Record<string, number>; results: unknown[] };
      const s = report.summary;
      return `signalled ${s['nudged']}: moved ${s['moved']}, stragglers ${s['stragglers']}, closed ${s['closed']}; ${report.results.length} results reported`;
    }
    if (command === 'status') {
      const { executions } = JSON.parse(stdout) as { executions: { total: number; described: number } };
      return `${executions.described} of ${executions.total} described`;
    }
    const report = JSON.parse(stdout) as { rounds: number; scanned: number; counts: { failing: number } };
    return `${report.rounds} scan: ${report.scanned} described, ${report.counts.failing} failing`;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { sizes, commands, heapMb, rps, makeOnly, builds: only, baseline } = parseArgs(process.argv.slice(2));
  if (makeOnly) {
    for (const size of sizes) await ensurePinnedSnapshot(size);
    return;
  }
  const builds = buildRuns(ROOT, heapMb, baseline, only);
  const rows: (MemoryRow & { command: Command })[] = [];
  for (const size of sizes) {
    const snapshot = await ensurePinnedSnapshot(size);
    for (const command of commands) {
      for (const { build, root, node } of builds) {
        const planDir = mkdtempSync(join(tmpdir(), 'safe-deploy-bench-plan-'));
        const planFile = join(planDir, 'plan.json');
        await withServerCopy(snapshot, async (server) => {
          const m = await measureNode([...node, join(root, 'bin', 'safe-deploy.js'), ...commandArgs(command, snapshot.deployment, rps, server.address, planFile)], { cwd: root });
          const did = whatItDid(command, m.stdout, planFile);
          const row = { command, size, build, seconds: m.seconds, rssMb: m.maxRssKb / 1024, finished: did !== undefined, did: did ? `${did} (exit ${m.exitCode})` : unfinished(m.exitCode) };
          rows.push(row);
          console.log(`  ${command} ${size}, ${build}: ${m.seconds.toFixed(1)} s, ${row.rssMb.toFixed(0)} MB; ${row.did}`);
        }).finally(() => rmSync(planDir, { recursive: true, force: true }));
      }
    }
  }
  for (const command of commands) {
    console.log('');
    console.log(
      command === 'plan'
        ? 'plan (check against v2 + describe each, --out FILE) on the same executions; fresh copy of one snapshot per run'
        : command === 'nudge'
        ? `nudge (--rps ${rps}, --confirm-timeout 1s, --output json) on executions PINNED to v1 with v2 current, no worker; fresh copy of one snapshot per run`
        : command === 'watch'
          ? `watch (--for 1s: one scan; --dry-run, --rps ${rps}, --output json) on the same executions; fresh copy of one snapshot per run`
          : 'status (--output json: describes each, read only) on the same executions; fresh copy of one snapshot per run',
    );
    console.log(memoryTable('pinned executions', rows.filter((r) => r.command === command)));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * nudge's memory as the number of pinned executions grows: N running executions PINNED to v1 of a
 * deployment whose current version is v2, made once and kept as a snapshot (the v2-current
 * snapshot of 1,000 research executions, plus executions started with a pinned versioning
 * override and no worker: cheap to make, and candidates like any other). No worker runs, so no
 * execution moves: every one is signalled, described again and reported as a straggler, the most
 * nudge has to keep track of. Each run gets a fresh copy of the snapshot. Each build runs as it is
 * and with V8's heap capped at --heap-mb (128), since peak RSS alone says little (V8 grows its heap
 * lazily). With --baseline DIR (a checkout of an earlier commit, built), that build runs beside
 * this one. Prints; asserts nothing.
 *
 *   node dist/bench/nudge-memory.js [--sizes 10000,100000] [--heap-mb 128] [--rps 2000] [--baseline /tmp/sd-before]
 *     [--builds this,this-capped,baseline,baseline-capped] [--make-only]
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

function parseArgs(argv: string[]): { sizes: number[]; heapMb: number; rps: number; makeOnly: boolean; builds?: string[]; baseline?: string } {
  const args = benchArgs(argv, { strings: ['sizes', 'heap-mb', 'rps', 'baseline', 'builds'], flags: ['make-only'] });
  const baseline = args['baseline'];
  return {
    sizes: intList(args, 'sizes', [10_000, 100_000]),
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

async function main(): Promise<void> {
  const { sizes, heapMb, rps, makeOnly, builds: only, baseline } = parseArgs(process.argv.slice(2));
  if (makeOnly) {
    for (const size of sizes) await ensurePinnedSnapshot(size);
    return;
  }
  const builds = buildRuns(ROOT, heapMb, baseline, only);
  const rows: MemoryRow[] = [];
  for (const size of sizes) {
    const snapshot = await ensurePinnedSnapshot(size);
    for (const { build, root, node } of builds) {
      await withServerCopy(snapshot, async (server) => {
        const m = await measureNode(
          [...node, join(root, 'bin', 'safe-deploy.js'), 'nudge', '--deployment', snapshot.deployment, '--rps', String(rps), '--confirm-timeout', '1s', '--output', 'json', '--address', server.address],
          { cwd: root },
        );
        let did: string;
        let finished = true;
        try {
          const report = JSON.parse(m.stdout) as { summary: Record<string, number>; results: unknown[] };
          const s = report.summary;
          did = `signalled ${s['nudged']}: moved ${s['moved']}, stragglers ${s['stragglers']}, closed ${s['closed']}; ${report.results.length} results reported (exit ${m.exitCode})`;
        } catch {
          finished = false;
          did = unfinished(m.exitCode);
        }
        rows.push({ size, build, seconds: m.seconds, rssMb: m.maxRssKb / 1024, finished, did });
        console.log(`  ${size}, ${build}: ${m.seconds.toFixed(1)} s, ${(m.maxRssKb / 1024).toFixed(0)} MB; ${did}`);
      });
    }
  }
  console.log('');
  console.log(`nudge (--rps ${rps}, --confirm-timeout 1s, --output json) on executions PINNED to v1 with v2 current, no worker; fresh copy of one snapshot per run`);
  console.log(memoryTable('pinned executions', rows));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

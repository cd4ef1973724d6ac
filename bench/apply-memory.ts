/**
 * apply's memory as plans grow: a plan of R real executions of the local dev server (PINNED on v1,
 * v2 current, planned by `safe-deploy plan`) padded with executions that no longer exist, to 10,000
 * and 100,000 in all. Each run gets a fresh copy of the snapshot and does the whole job: upgrades
 * the real ones (re-checked, changed, read back), finds the rest gone (skipped), journals every
 * step and prints its JSON report. Each build runs twice: as it is, and with V8's heap capped at
 * --heap-mb (128): peak RSS alone says little, since V8 grows its heap lazily, while a run that
 * finishes in a fixed heap at every size is one whose memory does not grow with the plan. With
 * --baseline DIR (a checkout of an earlier commit, built), that build runs beside this one on the
 * same plans. With --dry-run, apply runs with --dry-run: it describes and re-checks every
 * execution, changes nothing and reports what it would change. Prints; asserts nothing.
 *
 *   node dist/bench/apply-memory.js [--real 5000] [--sizes 10000,100000] [--heap-mb 128] [--baseline /tmp/sd-before] [--dry-run]
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan, PlannedExecution } from '../cli/core/plan.js';
import { benchArgs, intList, positiveInt } from './args.js';
import { ensureV2CurrentSnapshot, withServerCopy } from './live.js';
import { measureNode } from './measure.js';
import { buildRuns, memoryTable, unfinished, type MemoryRow } from './memory-runs.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CANDIDATE = join(ROOT, 'sample-workers', 'research-agent', 'v2', 'workflows.ts');

function parseArgs(argv: string[]): { real: number; sizes: number[]; heapMb: number; dryRun: boolean; baseline?: string } {
  const args = benchArgs(argv, { strings: ['real', 'sizes', 'heap-mb', 'baseline'], flags: ['dry-run'] });
  const baseline = args['baseline'];
  return {
    real: positiveInt(args, 'real', 5000),
    sizes: intList(args, 'sizes', [10_000, 100_000]),
    heapMb: positiveInt(args, 'heap-mb', 128),
    dryRun: args['dry-run'] === true,
    ...(typeof baseline === 'string' && { baseline }),
  };
}

/** An upgrade planned for an execution that has since gone: apply describes it and skips it. */
function gone(i: number, like: PlannedExecution): PlannedExecution {
  const runId = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  return { ...like, workflowId: `gone-${i}`, runId, receipt: { ...like.receipt, runId } };
}

function paddedPlan(plan: Plan, size: number): Plan {
  const like = plan.executions[0] as PlannedExecution;
  const padding = Array.from({ length: Math.max(0, size - plan.executions.length) }, (_, i) => gone(i, like));
  return { ...plan, executions: [...plan.executions, ...padding] };
}

async function main(): Promise<void> {
  const { real, sizes, heapMb, dryRun, baseline } = parseArgs(process.argv.slice(2));
  const snapshot = await ensureV2CurrentSnapshot(real);
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-bench-apply-memory-'));
  const planFile = join(dir, 'plan.json');
  await withServerCopy(snapshot, async (server) => {
    const planned = await measureNode(
      [join(ROOT, 'bin', 'safe-deploy.js'), 'plan', '--deployment', snapshot.deployment, '--candidate-build-id', 'v2', '--workflows', CANDIDATE, '--out', planFile, '--address', server.address],
      { cwd: ROOT },
    );
    if (planned.exitCode !== 0) throw new Error(`safe-deploy plan exited ${planned.exitCode}`);
  });
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
  const builds = buildRuns(ROOT, heapMb, baseline);
  const rows: MemoryRow[] = [];
  for (const size of sizes) {
    const file = join(dir, `plan-${size}.json`);
    writeFileSync(file, JSON.stringify(paddedPlan(plan, size), null, 2));
    const mb = (statSync(file).size / 2 ** 20).toFixed(0);
    console.log(`plan of ${size}: ${plan.executions.length} real, ${size - plan.executions.length} gone, ${mb} MB`);
    for (const { build, root, node } of builds) {
      const journal = join(dir, `plan-${size}-${rows.length}.journal.jsonl`);
      await withServerCopy(snapshot, async (server) => {
        const m = await measureNode(
          // No candidate: nothing grows in the snapshot, so nothing needs replaying again (and a
          // build's bundle hash is its own: another build's plan would be refused with one).
          [...node, join(root, 'bin', 'safe-deploy.js'), 'apply', file, '--phase', 'upgrade', '--journal', journal, ...(dryRun ? ['--dry-run'] : []), '--output', 'json', '--address', server.address],
          { cwd: root },
        );
        let did: string;
        let finished = true;
        try {
          const report = JSON.parse(m.stdout) as { counts: Record<string, number>; entries: unknown[]; wouldChange: unknown[]; error?: { message: string } };
          if (report.error) console.log(`  ${build}: stopped: ${report.error.message}`);
          const c = report.counts;
          did = dryRun
            ? `would change ${report.wouldChange.length}, skipped ${c['skipped']}; ${report.entries.length} entries reported (exit ${m.exitCode})`
            : `done ${c['done']}, skipped ${c['skipped']}, failed ${c['failed']}; ${report.entries.length} entries reported (exit ${m.exitCode})`;
        } catch {
          finished = false;
          did = unfinished(m.exitCode);
        }
        rows.push({ size, build, seconds: m.seconds, rssMb: m.maxRssKb / 1024, finished, did });
        console.log(`  ${build}: ${m.seconds.toFixed(1)} s, ${(m.maxRssKb / 1024).toFixed(0)} MB; ${did}`);
      });
    }
  }
  console.log('');
  console.log(`apply --phase upgrade${dryRun ? ' --dry-run' : ' (one by one, the default)'} on plans of ${real} real executions padded with gone ones; fresh copy of one snapshot per run`);
  console.log(memoryTable('executions in the plan', rows));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

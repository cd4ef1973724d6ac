/**
 * Replay benchmark: measures (and prints; it asserts nothing) how fast and in how much memory
 * `safe-deploy check --histories` replays large history corpora, and how that compares with the
 * one-history-at-a-time approach of the existing replay GitHub Action (Worker.runReplayHistory per
 * history, bundling each time).
 *
 *   npm run bench -- [--sizes 1000,10000] [--parallel N] [--skip-per-history]
 *                    [--compare-size 200] [--per-history-sample N] [--profile]
 *
 * Corpora are copies of histories/research-agent/*.json with distinct workflow IDs, generated once
 * under os.tmpdir()/safe-deploy-bench/ and reused. Every measured run is a process of its own: the
 * check runs are the real CLI (bin/safe-deploy.js), so start-up and imports count; their peak RSS and
 * CPU time come from process.resourceUsage() at exit (bench/report-rusage.ts, loaded with --import).
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, ensureCorpus } from './corpus.js';
import { measureNode } from './measure.js';
import { benchArgs, intList, positiveInt } from './args.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SOURCE_DIR = join(ROOT, 'histories', 'research-agent');
const CANDIDATE = join(ROOT, 'sample-workers', 'research-agent', 'v2', 'workflows.ts');
const SELF = fileURLToPath(import.meta.url);
const BIN = join(ROOT, 'bin', 'safe-deploy.js');

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  sizes: number[];
  parallel: number;
  skipPerHistory: boolean;
  compareSize: number;
  perHistorySample: number;
  profile: boolean;
}

function parseArgs(argv: string[]): Options {
  const args = benchArgs(argv, { strings: ['sizes', 'parallel', 'compare-size', 'per-history-sample'], flags: ['skip-per-history', 'profile'] });
  const compareSize = positiveInt(args, 'compare-size', 200);
  return {
    sizes: intList(args, 'sizes', [1000, 10000]),
    parallel: positiveInt(args, 'parallel', availableParallelism()),
    skipPerHistory: args['skip-per-history'] === true,
    compareSize,
    // Default: all of --compare-size.
    perHistorySample: Math.min(positiveInt(args, 'per-history-sample', compareSize), compareSize),
    profile: args.profile === true,
  };
}

// ---------------------------------------------------------------------------------------------
// Corpus generation

// ---------------------------------------------------------------------------------------------
// Child processes: one measured run each

type ChildTask = { kind: 'per-history'; dir: string; limit: number } | { kind: 'parse'; dir: string; limit: number };

/** Where the check's bundle came from: bundled in the run, or the bundle cache (primed by an earlier run). */
type BundleMode = 'bundled' | 'cached';

interface CheckMeasurement {
  histories: number;
  bundle: BundleMode;
  /** The whole `safe-deploy check` process: node start-up, imports, bundling, replay, report. */
  processSeconds: number;
  /** The check's own durationMs from its JSON report (no node start-up and imports). */
  checkSeconds: number;
  verdicts: Record<string, number>;
  exitCode: number;
  cpuSeconds: number;
  maxRssKb: number;
}

interface PerHistoryMeasurement {
  kind: 'per-history';
  histories: number;
  seconds: number;
  firstSeconds: number;
  ok: number;
  failed: number;
  maxRssKb: number;
}

/** Milliseconds per history for each step of loading a history file (on the main thread). */
interface ParseMeasurement {
  kind: 'parse';
  histories: number;
  readFile: number;
  jsonParse: number;
  /** parseHistoryJson: JSON.parse + the descriptor walk + the proto type's fromObject. */
  parseHistoryJson: number;
  /** For comparison: the SDK's historyFromJSON on the already-parsed JSON (not part of ours). */
  historyFromJson: number;
  /** History -> protobuf bytes, what the main thread does to hand a history to a replay thread. */
  encode: number;
  maxRssKb: number;
}

type AnyMeasurement = PerHistoryMeasurement | ParseMeasurement;
type Measurement = AnyMeasurement & { processSeconds: number };

async function runChild(task: ChildTask, options: Options, label: string): Promise<Measurement> {
  const execArgv = [...process.execArgv];
  if (options.profile) execArgv.push('--cpu-prof', `--cpu-prof-dir=${join(BENCH_DIR, 'profiles')}`, `--cpu-prof-name=${label}.cpuprofile`);
  const started = performance.now();
  return await new Promise<Measurement>((resolve, reject) => {
    const child = fork(SELF, ['--child', JSON.stringify(task)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: AnyMeasurement | undefined;
    child.on('message', (m) => (result = m as AnyMeasurement));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const processSeconds = (performance.now() - started) / 1000;
      if (result && code === 0) resolve({ ...result, processSeconds });
      else reject(new Error(`benchmark child (${label}) exited with ${signal ?? code}`));
    });
  });
}

/**
 * Runs `safe-deploy check --histories dir --workflows CANDIDATE --output json` and measures it.
 * `priming`: a run with --bundle-cache that misses and so fills the cache for the `cached` runs.
 */
async function runCliCheck(dir: string, options: Options, bundle: BundleMode | 'priming', cacheDir: string, label: string): Promise<CheckMeasurement> {
  const nodeArgs: string[] = [];
  if (options.profile) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(BENCH_DIR, 'profiles')}`, `--cpu-prof-name=${label}.cpuprofile`);
  const args = [BIN, 'check', '--histories', dir, '--workflows', CANDIDATE, '--output', 'json', '--parallel', String(options.parallel)];
  args.push(...(bundle === 'bundled' ? ['--no-bundle-cache'] : ['--bundle-cache', cacheDir]));
  const run = await measureNode([...nodeArgs, ...args], { cwd: ROOT });
  const { exitCode, seconds: processSeconds } = run;
  const report = JSON.parse(run.stdout) as {
    results: { verdict: string }[];
    durationMs: number;
    candidate: { bundleCache?: string };
  };
  const expectedCache = { bundled: 'off', priming: 'miss', cached: 'hit' }[bundle];
  if (report.candidate.bundleCache !== expectedCache) {
    throw new Error(`check ${label}: expected bundleCache ${expectedCache}, the report says ${report.candidate.bundleCache}`);
  }
  const verdicts: Record<string, number> = {};
  for (const r of report.results) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
  const usage = { maxRssKb: run.maxRssKb, cpuSeconds: run.cpuSeconds };
  return {
    histories: report.results.length,
    bundle: bundle === 'priming' ? 'bundled' : bundle,
    processSeconds,
    checkSeconds: report.durationMs / 1000,
    verdicts,
    exitCode,
    cpuSeconds: usage.cpuSeconds,
    maxRssKb: usage.maxRssKb,
  };
}

async function childMain(task: ChildTask): Promise<void> {
  let measurement: AnyMeasurement;
  if (task.kind === 'parse') {
    measurement = await measureParsing(task.dir, task.limit);
  } else {
    // What the replay GitHub Action does: one Worker.runReplayHistory per history file, which
    // bundles the workflow code and builds a replay worker every time.
    const { Worker } = await import('@temporalio/worker');
    const { historyFromJSON } = await import('@temporalio/common/lib/proto-utils.js');
    const { installQuietRuntime } = await import('../cli/temporal/replayer.js');
    await installQuietRuntime();
    const files = readdirSync(task.dir)
      .filter((f) => f.endsWith('.json'))
      .sort((a, b) => a.localeCompare(b))
      .slice(0, task.limit);
    let ok = 0;
    let failed = 0;
    let firstSeconds = 0;
    const started = performance.now();
    for (const [i, f] of files.entries()) {
      const json = JSON.parse(await readFile(join(task.dir, f), 'utf8')) as {
        events: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[];
      };
      const workflowId = json.events[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? basename(f, '.json');
      try {
        await Worker.runReplayHistory({ workflowsPath: CANDIDATE }, historyFromJSON(json), workflowId);
        ok++;
      } catch {
        failed++;
      }
      if (i === 0) firstSeconds = (performance.now() - started) / 1000;
    }
    measurement = {
      kind: 'per-history',
      histories: files.length,
      seconds: (performance.now() - started) / 1000,
      firstSeconds,
      ok,
      failed,
      maxRssKb: process.resourceUsage().maxRSS,
    };
  }
  // Exit explicitly: a Temporal runtime left in this process would keep it alive.
  process.send?.(measurement, () => process.exit(0));
}

async function measureParsing(dir: string, limit: number): Promise<ParseMeasurement> {
  const { parseHistoryJson } = await import('../cli/temporal/history-json.js');
  const { historyFromJSON } = await import('@temporalio/common/lib/proto-utils.js');
  const { default: proto } = await import('@temporalio/proto');
  const History = proto.temporal.api.history.v1.History;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort((a, b) => a.localeCompare(b))
    .slice(0, limit);
  const total = { readFile: 0, jsonParse: 0, parseHistoryJson: 0, historyFromJson: 0, encode: 0 };
  const time = <T>(key: keyof typeof total, f: () => T): T => {
    const t = performance.now();
    const r = f();
    total[key] += performance.now() - t;
    return r;
  };
  // Two passes; only the second counts (the first warms the JIT up, as a long run would).
  for (const pass of [0, 1]) {
    if (pass === 1) for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] = 0;
    for (const f of files) {
      const t = performance.now();
      const text = readFileSync(join(dir, f), 'utf8'); // as history-files.ts reads them
      total.readFile += performance.now() - t;
      const json = time('jsonParse', () => JSON.parse(text) as unknown);
      time('historyFromJson', () => historyFromJSON(json));
      const history = time('parseHistoryJson', () => parseHistoryJson(text, f));
      time('encode', () => History.encode(history).finish());
    }
  }
  const per = (ms: number) => ms / files.length;
  return {
    kind: 'parse',
    histories: files.length,
    readFile: per(total.readFile),
    jsonParse: per(total.jsonParse),
    parseHistoryJson: per(total.parseHistoryJson),
    historyFromJson: per(total.historyFromJson),
    encode: per(total.encode),
    maxRssKb: process.resourceUsage().maxRSS,
  };
}

// ---------------------------------------------------------------------------------------------
// Output

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const mb = (kb: number) => kb / 1024;
const fmt = (n: number, digits = 1) => n.toFixed(digits);
const verdictText = (v: Record<string, number>) =>
  Object.entries(v)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const sizes = [...new Set(options.sizes)].sort((a, b) => a - b);
  const smallestSize = sizes[0];
  mkdirSync(BENCH_DIR, { recursive: true });
  const cacheDir = mkdtempSync(join(BENCH_DIR, 'bundle-cache-'));
  console.log('safe-deploy replay benchmark');
  console.log(`  node ${process.version}, ${availableParallelism()} CPUs, parallel=${options.parallel} replay workers`);
  console.log(`  candidate: ${CANDIDATE.slice(ROOT.length + 1)} (compatible with every recorded history)`);
  console.log(`  corpora: copies of ${SOURCE_DIR.slice(ROOT.length + 1)}/*.json under ${BENCH_DIR}`);
  console.log('  every check below is `safe-deploy check --histories DIR --workflows ... --output json`, a process of its own');
  console.log('');

  const checkRow = (m: CheckMeasurement): string[] => [
    String(m.histories),
    m.bundle === 'cached' ? 'cache hit' : 'bundled',
    fmt(m.processSeconds, 2),
    fmt(m.checkSeconds, 2),
    fmt(m.histories / m.processSeconds, 0),
    fmt((m.cpuSeconds * 1000) / m.histories, 2),
    fmt(mb(m.maxRssKb), 0),
    verdictText(m.verdicts) + (m.exitCode !== 0 ? ` (exit ${m.exitCode})` : ''),
  ];
  const checkHeaders = ['histories', 'bundle', 'wall s', 'check s', 'histories/s', 'CPU ms/history', 'peak RSS MB', 'verdicts'];

  // 1. Offline check over growing corpora, bundling in every run (--no-bundle-cache): the first
  //    check of a new candidate, the conservative case.
  const checks = new Map<number, CheckMeasurement>();
  for (const size of sizes) {
    const { dir, generatedMs } = ensureCorpus(SOURCE_DIR, size);
    if (generatedMs !== undefined) console.log(`generated ${size} histories in ${fmt(generatedMs / 1000)} s`);
    const m = await runCliCheck(dir, options, 'bundled', cacheDir, `check-${size}`);
    checks.set(size, m);
    console.log(`check ${size}: ${fmt(m.processSeconds)} s, ${fmt(m.histories / m.processSeconds, 0)} histories/s, peak RSS ${fmt(mb(m.maxRssKb), 0)} MB`);
  }
  console.log('');
  console.log('Offline check, bundling in the run (wall = the whole process; check s = its report\'s durationMs, without node start-up and imports)');
  console.log(table(checkHeaders, [...checks.values()].map(checkRow)));
  console.log(
    'CPU ms/history = CPU time of the whole process (all threads, start-up and bundling included) per history; on 2 cores ' +
      'the ceiling is about 2000 / that histories/s, less whatever else the machine is running.',
  );
  console.log('');

  // Where the main thread's time per history goes: loading the history file.
  if (smallestSize !== undefined) {
    const p = await runChild({ kind: 'parse', dir: ensureCorpus(SOURCE_DIR, smallestSize).dir, limit: smallestSize }, options, 'parse');
    if (p.kind !== 'parse') throw new Error('unexpected measurement');
    const build = Math.max(0, p.parseHistoryJson - p.jsonParse);
    const mainThread = p.readFile + p.parseHistoryJson + p.encode;
    console.log(`Loading a history file on the main thread (mean of ${p.histories}, ms/history, second pass)`);
    console.log(
      table(
        ['step', 'ms/history', 'share'],
        [
          ['readFileSync', fmt(p.readFile, 3), `${fmt((p.readFile / mainThread) * 100, 0)}%`],
          ['JSON.parse', fmt(p.jsonParse, 3), `${fmt((p.jsonParse / mainThread) * 100, 0)}%`],
          ['descriptor walk + fromObject (history-json.ts)', fmt(build, 3), `${fmt((build / mainThread) * 100, 0)}%`],
          ['= parseHistoryJson total', fmt(p.parseHistoryJson, 3), `${fmt((p.parseHistoryJson / mainThread) * 100, 0)}%`],
          ['protobuf encode for the replay thread', fmt(p.encode, 3), `${fmt((p.encode / mainThread) * 100, 0)}%`],
          ['main thread total per history', fmt(mainThread, 3), '100%'],
        ],
      ),
    );
    console.log(`(for comparison, the SDK's historyFromJSON on the parsed JSON: ${fmt(p.historyFromJson, 3)} ms/history; main-thread ceiling ~${fmt(1000 / mainThread, 0)} histories/s)`);
    console.log('');
  }

  // 2. The same histories, one replay (and one bundle) per history, vs safe-deploy check: bundling
  //    in the run, and again with the bundle cache the first run filled (a re-check of the same
  //    candidate: a laptop re-run, or plan/deploy after check in one CI job).
  let comparison: { perHistorySeconds: number; extrapolated: boolean; first: number; restMean: number; bundled: CheckMeasurement; cached: CheckMeasurement } | undefined;
  if (!options.skipPerHistory) {
    const n = options.compareSize;
    const { dir, generatedMs } = ensureCorpus(SOURCE_DIR, n);
    if (generatedMs !== undefined) console.log(`generated ${n} histories in ${fmt(generatedMs / 1000)} s`);
    const sample = options.perHistorySample;
    console.log(`per-history replay of ${sample} histories (about ${fmt(sample * 0.46, 0)} s)...`);
    const per = await runChild({ kind: 'per-history', dir, limit: sample }, options, `per-history-${sample}`);
    if (per.kind !== 'per-history') throw new Error('unexpected measurement');
    // Fill the cache (a run with --bundle-cache that misses; not reported), then measure a run that
    // bundles and one that hits the cache.
    await runCliCheck(dir, options, 'priming', cacheDir, `check-${n}-priming`);
    // A run of ~2 s is at the mercy of whatever else the machine does: each is measured 3 times,
    // alternating, and the median is reported (with the range).
    const runs: Record<BundleMode, CheckMeasurement[]> = { bundled: [], cached: [] };
    for (let i = 0; i < 3; i++) {
      for (const mode of ['bundled', 'cached'] as const) runs[mode].push(await runCliCheck(dir, options, mode, cacheDir, `check-${n}-${mode}-${i}`));
    }
    const median = (ms: CheckMeasurement[]): CheckMeasurement => [...ms].sort((a, b) => a.processSeconds - b.processSeconds)[Math.floor(ms.length / 2)]!;
    const range = (ms: CheckMeasurement[]) => ms.map((m) => fmt(m.processSeconds, 2)).join(', ');
    const bundled = median(runs.bundled);
    const cached = median(runs.cached);
    console.log(`safe-deploy check on ${n}: bundling ${range(runs.bundled)} s; bundle cache hit ${range(runs.cached)} s (medians below)`);
    const extrapolated = per.histories < n;
    // Per history: the first call (cold webpack) plus the mean of the others for the rest of the n.
    // Its process start-up and imports count, as they do for safe-deploy check.
    const restMean = per.histories > 1 ? (per.seconds - per.firstSeconds) / (per.histories - 1) : per.seconds;
    const startup = per.processSeconds - per.seconds;
    const perHistorySeconds = startup + (extrapolated ? per.firstSeconds + restMean * (n - 1) : per.seconds);
    comparison = { perHistorySeconds, extrapolated, first: per.firstSeconds, restMean, bundled, cached };
    console.log(`Per-history replay (Worker.runReplayHistory({ workflowsPath }) per history, as the replay GitHub Action does) vs safe-deploy check, on ${n} histories; whole processes`);
    console.log(
      table(
        ['approach', 'histories run', 'wall s', `s for ${n}`, 's/history', 'peak RSS MB', 'result', 'ratio'],
        [
          [
            'per-history',
            String(per.histories),
            fmt(per.processSeconds, 2),
            fmt(perHistorySeconds, 1) + (extrapolated ? ' (extrapolated)' : ''),
            fmt(per.seconds / per.histories, 3),
            fmt(mb(per.maxRssKb), 0),
            `ok ${per.ok}, failed ${per.failed}`,
            '1x',
          ],
          ...[bundled, cached].map((m) => [
            `safe-deploy check, ${m.bundle === 'cached' ? 'bundle cache hit' : 'bundling'}`,
            String(m.histories),
            fmt(m.processSeconds, 2),
            fmt(m.processSeconds, 1),
            fmt(m.processSeconds / m.histories, 4),
            fmt(mb(m.maxRssKb), 0),
            verdictText(m.verdicts),
            `${fmt(perHistorySeconds / m.processSeconds, 1)}x`,
          ]),
        ],
      ),
    );
    if (extrapolated) {
      console.log(
        `NOTE: per-history was measured on the first ${per.histories} of the ${n} histories and EXTRAPOLATED to ${n} ` +
          `(first one ${fmt(per.firstSeconds, 2)} s + ${n - 1} x ${fmt(restMean, 3)} s, the mean of the other ${per.histories - 1}).`,
      );
    }
    console.log('');
  }

  // 3. Targets.
  const largest = sizes[sizes.length - 1];
  const big = largest !== undefined ? checks.get(largest) : undefined;
  const small = smallestSize !== undefined ? checks.get(smallestSize) : undefined;
  const ten = checks.get(10000);
  const rows: string[][] = [];
  const mark = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'MET' : 'NOT MET');
  rows.push([
    '10,000 histories checked in < 60 s',
    ten ? `${fmt(ten.processSeconds, 1)} s (${fmt(ten.histories / ten.processSeconds, 0)}/s)` : '-',
    mark(ten ? ten.processSeconds < 60 && ten.histories === 10000 : undefined),
  ]);
  const peak = Math.max(...[...checks.values()].map((m) => m.maxRssKb));
  rows.push(['peak RSS < 1 GB', checks.size ? `${fmt(mb(peak), 0)} MB (max over runs)` : '-', mark(checks.size ? mb(peak) < 1024 : undefined)]);
  // "Flat": the largest corpus costs at most 25% (or at most 64 MB) more memory than the smallest.
  const flat =
    big && small && big !== small ? mb(big.maxRssKb) <= Math.max(mb(small.maxRssKb) * 1.25, mb(small.maxRssKb) + 64) : undefined;
  rows.push([
    'peak RSS flat as count grows (<= +25% or +64 MB)',
    big && small && big !== small
      ? `${small.histories}: ${fmt(mb(small.maxRssKb), 0)} MB -> ${big.histories}: ${fmt(mb(big.maxRssKb), 0)} MB (${fmt(((big.maxRssKb - small.maxRssKb) / small.maxRssKb) * 100, 0)}%)`
      : '-',
    mark(flat),
  ]);
  const compatible = [...checks.values()].every((m) => m.histories > 0 && (m.verdicts['compatible'] ?? 0) === m.histories && m.exitCode === 0);
  rows.push(['v2: every history compatible, exit 0', compatible ? 'yes' : 'no', mark(checks.size ? compatible : undefined)]);
  for (const key of ['bundled', 'cached'] as const) {
    const m = comparison?.[key];
    rows.push([
      `>= 50x faster than per-history (${options.compareSize} histories), ${key === 'cached' ? 'bundle cache hit' : 'bundling in the run'}`,
      comparison && m
        ? `${fmt(comparison.perHistorySeconds / m.processSeconds, 1)}x (${fmt(comparison.perHistorySeconds, 1)} s${comparison.extrapolated ? ' extrapolated' : ''} vs ${fmt(m.processSeconds, 2)} s)`
        : '-',
      mark(comparison && m ? comparison.perHistorySeconds / m.processSeconds >= 50 : undefined),
    ]);
  }
  // Where 50x is reached when bundling in the run: check(N) ~ fixed + N * marginal (from the
  // smallest and largest runs), per-history(N) = first + (N - 1) * restMean.
  if (comparison && big && small && big !== small) {
    const marginal = (big.processSeconds - small.processSeconds) / (big.histories - small.histories);
    const fixed = small.processSeconds - small.histories * marginal;
    const denominator = comparison.restMean - 50 * marginal;
    const n = denominator > 0 ? Math.ceil((50 * fixed - comparison.first + comparison.restMean) / denominator) : undefined;
    rows.push([
      '  (where >= 50x starts when bundling, estimated)',
      n !== undefined
        ? `from ~${n} histories (check ~${fmt(fixed, 2)} s fixed + ${fmt(marginal * 1000, 2)} ms/history; per-history ${fmt(comparison.restMean, 3)} s/history)`
        : 'never (marginal cost too high)',
      '',
    ]);
  }
  console.log('Summary');
  console.log(table(['target', 'measured', 'status'], rows));
  rmSync(cacheDir, { recursive: true, force: true });
}

if (process.argv[2] === '--child') {
  const task = JSON.parse(process.argv[3] ?? '{}') as ChildTask;
  childMain(task).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

/**
 * Python replay beside TypeScript replay on the same scenario: the research agent's recorded
 * corpus of each SDK (histories/research-agent, histories/research-agent-python), copied to N
 * histories, checked against v2 of the same SDK's agent by the real CLI, with one replay worker and
 * with one per core. Measures and prints; asserts nothing.
 *
 *   npm run bench:python -- [--sizes 500,2000] [--parallel N]
 *
 * Python runs use the project's environment (.safe-deploy/python, made on first use).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ensurePythonEnv } from '../sample-workers/research-agent-py/python-env.js';
import { ensureCorpus } from './corpus.js';
import { measureNode, table } from './measure.js';
import { benchArgs, intList, positiveInt } from './args.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'safe-deploy.js');

interface Run {
  sdk: 'typescript' | 'python';
  histories: number;
  parallel: number;
  /** The whole CLI process: start-up, candidate, replay, report. */
  processSeconds: number;
  /** The check's own durationMs (its JSON report). */
  checkSeconds: number;
  compatible: number;
  sdkLabel: string;
}

function parseArgs(argv: string[]): { sizes: number[]; parallel: number } {
  const args = benchArgs(argv, { strings: ['sizes', 'parallel'] });
  return { sizes: intList(args, 'sizes', [500, 2000]), parallel: positiveInt(args, 'parallel', availableParallelism()) };
}

async function check(sdk: Run['sdk'], dir: string, parallel: number, python: string): Promise<Run> {
  const candidate =
    sdk === 'typescript'
      ? ['--workflows', join(ROOT, 'sample-workers', 'research-agent', 'v2', 'workflows.ts')]
      : ['--workflows', join(ROOT, 'sample-workers', 'research-agent-py', 'v2', 'workflows.py'), '--python', python];
  const m = await measureNode([BIN, 'check', '--histories', dir, ...candidate, '--parallel', String(parallel), '--output', 'json'], { cwd: ROOT });
  if (m.exitCode !== 0) throw new Error(`check (${sdk}, parallel ${parallel}) exited ${m.exitCode}`);
  const processSeconds = m.seconds;
  const report = JSON.parse(m.stdout) as {
    durationMs: number;
    summary: { total: number; compatible: number };
    candidate: { sdk?: { language: string; version: string; runtime?: string } };
  };
  return {
    sdk,
    histories: report.summary.total,
    parallel,
    processSeconds,
    checkSeconds: report.durationMs / 1000,
    compatible: report.summary.compatible,
    sdkLabel: report.candidate.sdk?.language === 'python' ? `temporalio ${report.candidate.sdk.version} (Python ${report.candidate.sdk.runtime ?? '?'})` : `@temporalio/worker ${report.candidate.sdk?.version ?? '?'}`,
  };
}

async function main(): Promise<void> {
  const { sizes, parallel } = parseArgs(process.argv.slice(2));
  const python = await ensurePythonEnv();
  const corpus = { typescript: join(ROOT, 'histories', 'research-agent'), python: join(ROOT, 'histories', 'research-agent-python') };
  const rows: string[][] = [];
  const labels = new Set<string>();
  for (const size of sizes) {
    for (const sdk of ['typescript', 'python'] as const) {
      const { dir } = ensureCorpus(corpus[sdk], size);
      for (const p of [...new Set([1, parallel])]) {
        const r = await check(sdk, dir, p, python);
        labels.add(r.sdkLabel);
        rows.push([sdk, String(r.histories), String(r.parallel), r.checkSeconds.toFixed(1), (r.histories / r.checkSeconds).toFixed(0), r.processSeconds.toFixed(1), `${r.compatible}/${r.histories}`]);
        process.stderr.write(`bench: ${sdk} ${size} histories, ${p} worker(s): ${r.checkSeconds.toFixed(1)} s\n`);
      }
    }
  }
  console.log(`Python and TypeScript replay, research agent v2 on its own SDK's recorded corpus (${availableParallelism()} cores)`);
  console.log(`replayed with: ${[...labels].join('; ')}`);
  console.log(table(['SDK', 'histories', 'workers', 'check s', 'histories/s', 'process s', 'compatible'], rows));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

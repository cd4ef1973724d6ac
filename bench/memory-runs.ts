/**
 * What the memory benchmarks (apply-memory, nudge-memory) share: each build run as it is and with
 * V8's heap capped, and one table of how each run went.
 */
import { table } from './measure.js';

export interface BuildRun {
  /** this, this-capped, baseline, baseline-capped: what --builds picks. */
  key: string;
  build: string;
  root: string;
  node: string[];
}

/** This checkout (and a baseline checkout, when given), each uncapped and capped at `heapMb`. */
export function buildRuns(root: string, heapMb: number, baseline?: string, only?: string[]): BuildRun[] {
  const roots: [string, string][] = [['this build', root], ...(baseline ? [[`baseline (${baseline})`, baseline] as [string, string]] : [])];
  return roots
    .flatMap(([name, dir], i) => [
      { key: i ? 'baseline' : 'this', build: name, root: dir, node: [] as string[] },
      { key: i ? 'baseline-capped' : 'this-capped', build: `${name}, heap capped at ${heapMb} MB`, root: dir, node: [`--max-old-space-size=${heapMb}`] },
    ])
    .filter((b) => !only || only.includes(b.key));
}

export interface MemoryRow {
  size: number;
  build: string;
  seconds: number;
  rssMb: number;
  finished: boolean;
  did: string;
}

/** A run with no report: a V8 heap that ran out aborts the process (measureNode says 128 for a signal). */
export function unfinished(exitCode: number): string {
  return `did not finish (exit ${exitCode}${exitCode === 128 ? ', killed by a signal: out of memory, its stderr says' : ''}), no report`;
}

export function memoryTable(sizeHeader: string, rows: readonly MemoryRow[]): string {
  const first = rows[0];
  return table(
    [sizeHeader, 'build', 'wall s', 'executions/s', 'peak RSS MB', 'RSS vs the first row', 'did'],
    rows.map((r) =>
      r.finished
        ? [String(r.size), r.build, r.seconds.toFixed(1), (r.size / r.seconds).toFixed(0), r.rssMb.toFixed(0), first ? `${(r.rssMb / first.rssMb).toFixed(2)}x` : '-', r.did]
        : [String(r.size), r.build, r.seconds.toFixed(1), '-', '-', '-', r.did],
    ),
  );
}

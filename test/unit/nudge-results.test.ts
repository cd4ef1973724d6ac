import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sortNudgeResults, summarizeNudge, type NudgeOutcome, type NudgeResult } from '../../cli/core/nudge.js';
import { NudgeResultStore } from '../../cli/pipeline/nudge-results.js';
import { SpillDir } from '../../cli/util/spill-file.js';

/** Array.fromAsync is Node 22's. */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

const OUTCOMES: NudgeOutcome[] = ['moved', 'straggler', 'closed'];
const result = (i: number): NudgeResult => ({
  workflowId: `wf-${String(1000 - i).padStart(4, '0')}`,
  runId: `run-${i}`,
  workflowType: i % 2 ? 'Poller' : 'Agent',
  fromVersion: 'd:v1',
  outcome: OUTCOMES[i % 3] as NudgeOutcome,
  signalsSent: i % 5,
});

async function stored(results: NudgeResult[], sortLimit?: number) {
  const dir = SpillDir.create('safe-deploy-nudge-results-test-');
  const store = new NudgeResultStore(dir, sortLimit);
  for (const r of results) await store.add(r);
  return { dir, summary: store.summary, results: await store.finish() };
}

describe('NudgeResultStore', () => {
  it('reads back every result in report order, and counts them as they come', async () => {
    const all = Array.from({ length: 300 }, (_, i) => result(i));
    const { dir, summary, results } = await stored(all);
    expect(results.count).toBe(300);
    expect(summary).toEqual(summarizeNudge(all));
    const back = await collect(results);
    expect(back).toEqual(sortNudgeResults(all));
    // Read again: a reporter sizes its columns in one pass and writes in another.
    expect(await collect(results)).toEqual(back);
    await results.close();
    expect(existsSync(dir.path)).toBe(false);
    await expect(collect(results)).rejects.toThrow(/closed/);
  });

  it('past the sort limit an outcome keeps the order results came in, stragglers still first', async () => {
    const all = Array.from({ length: 90 }, (_, i) => result(i));
    const { results } = await stored(all, 20);
    const back = await collect(results);
    expect(back.map((r) => r.outcome)).toEqual([...Array(30).fill('straggler'), ...Array(30).fill('closed'), ...Array(30).fill('moved')]);
    expect(back.filter((r) => r.outcome === 'moved')).toEqual(all.filter((r) => r.outcome === 'moved'));
    expect(back.filter((r) => r.outcome === 'moved')).not.toEqual(sortNudgeResults(all.filter((r) => r.outcome === 'moved')));
    await results.close();
  });
});

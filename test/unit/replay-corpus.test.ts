/**
 * The recorded corpus against the three sample versions, through the SDK directly and through
 * safe-deploy's replayer (one bundle per version, histories streamed through it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { listHistoryFiles, readHistoryFiles } from '../../cli/temporal/history-files.js';
import { parseHistoryJson } from '../../cli/temporal/history-json.js';
import { loadCandidate } from '../../cli/temporal/candidate.js';
import { installQuietRuntime, replayAll, type ReplayItemResult } from '../../cli/temporal/replayer.js';
import { THREAD_QUEUE_BYTES, threadQueueFull } from '../../cli/temporal/replay-threads.js';

const root = join(import.meta.dirname, '..', '..');
const corpus = join(root, 'histories', 'research-agent');
const workflows = (v: string) => join(root, 'sample-workers', 'research-agent', v, 'workflows.ts');
const PAUSED = ['research-paused-coral-reefs', 'research-paused-fusion', 'research-paused-quantum-batteries'];

beforeAll(() => installQuietRuntime());

describe('the SDK replayer on history files', () => {
  it('replays a JSON history file loaded by parseHistoryJson', async () => {
    const history = parseHistoryJson(readFileSync(join(corpus, 'research-paused-fusion.json'), 'utf8'), 'research-paused-fusion.json');
    await expect(Worker.runReplayHistory({ workflowsPath: workflows('v1') }, history, 'research-paused-fusion')).resolves.toBeUndefined();
  });

  it('reports a paused v1 research history as a DeterminismViolationError against v3', async () => {
    const history = parseHistoryJson(readFileSync(join(corpus, 'research-paused-fusion.json'), 'utf8'), 'research-paused-fusion.json');
    const error = await Worker.runReplayHistory({ workflowsPath: workflows('v3') }, history, 'research-paused-fusion').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeterminismViolationError);
    expect(String((error as Error).message)).toContain('[TMPRL1100]');
  });
});

async function replayCorpus(version: string): Promise<Map<string, ReplayItemResult>> {
  const candidate = await loadCandidate({ workflowsPath: workflows(version) });
  const results = new Map<string, ReplayItemResult>();
  for await (const r of replayAll(candidate, readHistoryFiles(await listHistoryFiles([corpus])), { parallel: 2 })) {
    results.set(r.item.workflowId, r);
  }
  return results;
}

describe('the recorded research-agent corpus', () => {
  it('holds paused, completed and polling histories recorded on v1', async () => {
    const files = await listHistoryFiles([corpus]);
    const items = [];
    for await (const item of readHistoryFiles(files)) items.push(item);
    const ids = items.map((i) => i.workflowId);
    expect(ids).toEqual(expect.arrayContaining([...PAUSED, 'research-completed-tidal-power', 'research-poller-idle', 'research-poller-busy']));
    for (const item of items) expect(item.facts.version).toBe('research-agent:v1');
  });

  it.each(['v1', 'v2'])('replays cleanly against %s', async (version) => {
    const results = await replayCorpus(version);
    expect(results.size).toBe(7);
    for (const [id, r] of results) expect({ id, verdict: r.verdict, message: r.message }).toEqual({ id, verdict: 'compatible', message: undefined });
  });

  it('fails against v3: the paused research histories are nondeterministic, with the diverging event', async () => {
    const results = await replayCorpus('v3');
    for (const id of PAUSED) {
      const r = results.get(id);
      expect(r?.verdict, id).toBe('nondeterministic');
      expect(r?.message).toContain('[TMPRL1100]');
    }
    // The idle poller broke too (v3 replaced its idle timer by an activity).
    expect(results.get('research-poller-idle')?.verdict).toBe('nondeterministic');
  });
});

describe('replay threads', () => {
  it('gives each history its own verdict when a thread answers several at once', async () => {
    // 30 rounds of the corpus, the failing and the clean ones interleaved (the workflow IDs kept:
    // a child's ID derives from its parent's): a thread answers in batches, and an answer matched
    // to the wrong history would move a verdict.
    const candidate = await loadCandidate({ workflowsPath: workflows('v3') });
    const expected = await replayCorpus('v3');
    const files = await listHistoryFiles([corpus]);
    async function* rounds() {
      for (let round = 0; round < 30; round++) yield* readHistoryFiles(files);
    }
    const times = new Map<string, number>();
    for await (const r of replayAll(candidate, rounds(), { parallel: 2, threads: true })) {
      const id = r.item.workflowId;
      expect({ id, verdict: r.verdict }).toEqual({ id, verdict: expected.get(id)?.verdict });
      times.set(id, (times.get(id) ?? 0) + 1);
    }
    expect([...times.values()]).toEqual(files.map(() => 30));
    expect(new Set([...expected.values()].map((r) => r.verdict))).toEqual(new Set(['compatible', 'nondeterministic']));
  });

  it('queues up to 16 small histories on a thread, and a large one alone', () => {
    expect(threadQueueFull(15, 15 * 4096)).toBe(false);
    expect(threadQueueFull(16, 16 * 4096)).toBe(true);
    expect(threadQueueFull(2, THREAD_QUEUE_BYTES - 1)).toBe(false);
    expect(threadQueueFull(1, THREAD_QUEUE_BYTES)).toBe(true);
    // An idle thread always takes the next history, however large.
    expect(threadQueueFull(0, 0)).toBe(false);
  });

  it('replays the histories of a thread that ran out of heap again in one without the cap', async () => {
    const candidate = await loadCandidate({ workflowsPath: workflows('v3'), bundleCache: false });
    // 8 MB is too little for a thread to even load the SDK: every capped thread runs out of heap
    // with histories already handed to it, and each of those must still get its verdict.
    const results = new Map<string, ReplayItemResult>();
    const files = await listHistoryFiles([corpus]);
    for await (const r of replayAll(candidate, readHistoryFiles(files), { parallel: 2, threads: true, threadHeapMb: 8 })) {
      expect(results.has(r.item.workflowId), r.item.workflowId).toBe(false);
      results.set(r.item.workflowId, r);
    }
    expect(results.size).toBe(files.length);
    // The same verdict, history by history, as replaying with the normal cap.
    const expected = await replayCorpus('v3');
    for (const [id, r] of results) expect({ id, verdict: r.verdict }).toEqual({ id, verdict: expected.get(id)?.verdict });
    for (const id of PAUSED) expect(results.get(id)?.verdict, id).toBe('nondeterministic');
    // Results carry the item without its history: nothing holds a replayed history in memory.
    for (const r of results.values()) expect(r.item).not.toHaveProperty('history');
  });
});

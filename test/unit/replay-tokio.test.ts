/**
 * A replay thread's Temporal runtime runs one tokio worker thread (withOneTokioWorker in
 * replay-thread.ts), unless the user set TOKIO_WORKER_THREADS; the variable is not left behind
 * in the environment, where the commands safe-deploy runs (a rollout) would inherit it.
 * Counted from the thread names Linux keeps for this process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../cli/pipeline/check.js';
import { packageRoot } from '../../cli/paths.js';
import { ensureCorpus } from '../../bench/corpus.js';

const workflowsPath = join(packageRoot(), 'sample-workers', 'research-agent', 'v2', 'workflows.ts');

function tokioThreads(): number {
  let n = 0;
  for (const task of readdirSync('/proc/self/task')) {
    try {
      if (readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() === 'tokio-runtime-w') n++;
    } catch {
      // the thread ended as we read
    }
  }
  return n;
}

/** Waits for the runtimes of an earlier check to finish stopping. */
async function noTokioThreads(): Promise<void> {
  for (let i = 0; i < 500 && tokioThreads() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(tokioThreads()).toBe(0);
}

/** Samples held in a row before a count of tokio threads counts (50 ms). */
const HELD = 5;

/**
 * The tokio threads of a check replaying 200 histories in `parallel` threads: the largest count
 * held for HELD samples in a row. Not the peak: tokio's blocking-pool threads carry the same name
 * and come and go (one sample in a hundred sees one more, more often on a loaded machine). Not
 * the most frequent count either: threads started while the candidate bundles may be all there
 * are for most of a short run.
 */
async function tokioThreadsOfCheck(parallel = 2): Promise<number> {
  await noTokioThreads();
  const { dir } = ensureCorpus(join(packageRoot(), 'histories', 'research-agent'), 200);
  let held = 0;
  let run = { count: -1, samples: 0 };
  const sampler = setInterval(() => {
    const n = tokioThreads();
    run = n === run.count ? { count: n, samples: run.samples + 1 } : { count: n, samples: 1 };
    if (run.samples >= HELD) held = Math.max(held, n);
  }, 10);
  try {
    const { report } = await runCheck({ selection: { kind: 'histories', paths: [dir] }, candidate: { workflowsPath }, parallel });
    expect(report.summary.total).toBe(200);
  } finally {
    clearInterval(sampler);
  }
  return held;
}

// One core: tokio's own default is one worker thread too, so the count shows nothing there.
describe.skipIf(process.platform !== 'linux' || availableParallelism() < 2)('tokio threads of replay threads', () => {
  afterEach(() => {
    delete process.env['TOKIO_WORKER_THREADS'];
  });

  it('one per replay thread, and the variable is gone afterwards', async () => {
    expect(await tokioThreadsOfCheck()).toBe(2);
    expect(process.env['TOKIO_WORKER_THREADS']).toBeUndefined();
  });

  it('one per replay thread when four start side by side (they take turns with the environment)', async () => {
    expect(await tokioThreadsOfCheck(4)).toBe(4);
    expect(process.env['TOKIO_WORKER_THREADS']).toBeUndefined();
  });

  it("the user's TOKIO_WORKER_THREADS wins, and stays as it was", async () => {
    process.env['TOKIO_WORKER_THREADS'] = '3';
    expect(await tokioThreadsOfCheck()).toBe(6);
    expect(process.env['TOKIO_WORKER_THREADS']).toBe('3');
  });
});

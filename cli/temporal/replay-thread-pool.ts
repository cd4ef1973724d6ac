/**
 * Replay threads as processes-in-waiting: a thread runs replay-thread.ts with the modules of one
 * SDK. Threads can be started ahead of the replay (prewarmReplayThreads, while the candidate
 * bundles) and handed out to it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARE_ENV, Worker as Thread } from 'node:worker_threads';
import { packageRoot } from '../paths.js';
import type { ReplayThreadData } from './replay-thread.js';
import type { ReplaySdk } from './sdk.js';

/**
 * The compiled thread module. Next to this file when running from dist/; from the TypeScript
 * sources (vitest), the build's copy: a thread cannot load TypeScript.
 */
function threadModuleFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.js') ? join(dirname(here), 'replay-thread.js') : join(packageRoot(), 'dist', 'cli', 'temporal', 'replay-thread.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\``);
  return file;
}

/**
 * Heap cap (V8 old generation) of a replay thread. A thread needs ~35-45 MB; without a cap V8 lets
 * each isolate's heap grow far past that before collecting, so peak RSS rose with the length of the
 * run. A history too big for the cap is not lost: its thread's unanswered histories are replayed
 * again in a thread without the cap.
 * 256 MB, not 128: on Node 24 a thread capped at 128 MB kept V8's marking threads busy almost
 * without pause (3,000 histories in 29.5 s and 56 s of CPU, against 6.4 s at 192 MB and 6.2 s at
 * 256); Node 20 and 22 ran the same at either cap, with the same peak RSS.
 */
export const THREAD_HEAP_MB = 256;
/**
 * Young generation of a capped replay thread: Node 20 and 22 give a thread 32 MB; Node 24 gives it
 * 64 MB, which added ~160 MB to the peak RSS of a two-thread check and no speed.
 */
export const THREAD_YOUNG_MB = 32;
/** The lock every replay thread of this process takes to edit the shared environment (withOneTokioWorker, tokio-workers.ts). */
const envLock = new SharedArrayBuffer(4);
/** A replay thread of `sdk`; `heapMb` caps its heap (undefined: V8's default limit). */
export function newThread(sdk: ReplaySdk, heapMb: number | undefined): Thread {
  return new Thread(threadModuleFile(), {
    workerData: { modules: sdk.modules, envLock } satisfies ReplayThreadData,
    // The process environment itself, not a copy: the thread's Temporal runtime reads its tokio
    // settings from it (withOneTokioWorker, tokio-workers.ts).
    env: SHARE_ENV,
    ...(heapMb !== undefined && { resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: THREAD_YOUNG_MB } }),
  });
}

/**
 * Replay threads started while the candidate bundles (loadCandidate), so that loading the SDK in
 * them (~0.3 s) overlaps the bundling instead of delaying the first replay. They do not keep the
 * process alive, and stop if no replay claims them within WARM_THREAD_TTL_MS.
 */
const warmThreads: { thread: Thread; sdkPath: string; usable: boolean }[] = [];
const WARM_THREAD_TTL_MS = 60_000;

export function prewarmReplayThreads(sdk: ReplaySdk, count: number): void {
  while (warmThreads.length < count) {
    const warm = { thread: newThread(sdk, THREAD_HEAP_MB), sdkPath: sdk.path, usable: true };
    warm.thread.unref();
    warm.thread.once('error', () => (warm.usable = false));
    warm.thread.once('exit', () => {
      warm.usable = false;
      const i = warmThreads.indexOf(warm);
      if (i >= 0) warmThreads.splice(i, 1);
    });
    warmThreads.push(warm);
  }
  setTimeout(() => {
    for (const warm of warmThreads.splice(0)) void warm.thread.terminate();
  }, WARM_THREAD_TTL_MS).unref();
}

export function takeWarmThread(sdk: ReplaySdk): Thread | undefined {
  for (let warm = warmThreads.shift(); warm; warm = warmThreads.shift()) {
    warm.thread.removeAllListeners();
    if (!warm.usable || warm.sdkPath !== sdk.path) {
      void warm.thread.terminate();
      continue;
    }
    warm.thread.ref();
    return warm.thread;
  }
  return undefined;
}

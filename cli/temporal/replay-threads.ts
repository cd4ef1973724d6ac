/**
 * Replay in worker threads: one Temporal runtime and ONE replay worker per thread (replay-thread.ts).
 *
 * The main thread reads the histories (the caller's iterable: runCheck loads the files there, as
 * bytes already), encodes each as length-delimited History protobuf bytes unless it is, and hands
 * it to a thread that has fewer than THREAD_QUEUE (and THREAD_QUEUE_BYTES) in flight. Bytes, not
 * objects, cross to the thread: the SDK's core takes them as they are (replay-thread.ts), whichever
 * SDK version that is.
 */
import type { Worker as Thread } from 'node:worker_threads';
import { classifyReplay } from '../core/verdict.js';
import { BundleError } from '../errors.js';
import { Channel } from '../util/channel.js';
import type { Candidate } from './candidate.js';
import { delimitedBytes, withoutHistory, type ReplayedItem, type ReplayItem, type ReplayItemResult } from './replay-item.js';
import { newThread, takeWarmThread, THREAD_HEAP_MB } from './replay-thread-pool.js';
import type { FromThread, ToThread } from './replay-thread.js';

/**
 * Histories in flight per thread (sent, not yet answered), so it never waits for the parser; the
 * thread answers several at a time (ANSWER_BATCH, replay-thread.ts). 16 against 4: ~2% less CPU
 * on a 10k check.
 */
const THREAD_QUEUE = 16;
/** ...and their bytes, at most (a thread always has one): large histories are not held 16 deep. */
export const THREAD_QUEUE_BYTES = 4 * 1024 * 1024;

/** Is a thread with `count` histories of `bytes` in flight full? */
export function threadQueueFull(count: number, bytes: number): boolean {
  return count >= THREAD_QUEUE || (count > 0 && bytes >= THREAD_QUEUE_BYTES);
}

/** A history handed to a thread: the item (without its history) and the bytes sent. */
interface Sent {
  item: ReplayedItem;
  /** Kept until answered: a thread that runs out of heap has its histories replayed elsewhere. */
  bytes: Uint8Array;
}

interface ReplayThread {
  thread: Thread;
  /** Histories sent and not yet answered, in order (a replay worker answers in order). */
  inFlight: Sent[];
  inFlightBytes: number;
  sent: number;
  /** Histories it replays before it is replaced (RECYCLE_AFTER; staggered across the slots). */
  quota: number;
  done: boolean;
  outOfMemory: boolean;
}

/** A place for one replay worker; its thread is replaced after RECYCLE_AFTER histories. */
interface Slot {
  index: number;
  thread?: ReplayThread;
  /** The thread being replaced: its successor starts once it has exited, so threads never pile up. */
  retiring?: ReplayThread;
  /** False once a thread of this slot ran out of heap: its successors run without the cap. */
  capped: boolean;
}

/**
 * A replay thread is replaced by a fresh one after this many histories: the SDK's replay worker
 * keeps ~1 KB per history replayed (1.24.0, in-process as well), which would eventually fill the
 * capped heap. A fresh thread costs ~0.5 s of CPU.
 */
const RECYCLE_AFTER = 10_000;

/**
 * A replay worker that fails before any history has been replayed could not load the candidate:
 * a file that is not a bundle of this SDK, or workflow code that throws as it loads. Input, not a bug.
 */
function candidateLoadFailure(candidate: Candidate, error: { message: string }): BundleError {
  return new BundleError(
    `the SDK's replay worker could not load the candidate ${candidate.source}: ${error.message}`,
    'a --bundle must be the code bundleWorkflowCode wrote, with the @temporalio/worker version that replays it; workflow code must load without throwing',
  );
}

function threadFailure(error: { name: string; message: string; stack?: string }): Error {
  const err = new Error(`replay thread failed: ${error.message}`);
  if (error.stack) err.stack = `${err.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
  return err;
}

export async function* replayInThreads(
  candidate: Candidate,
  pull: () => Promise<IteratorResult<ReplayItem>>,
  count: number,
  heapMb = THREAD_HEAP_MB,
): AsyncGenerator<ReplayItemResult> {
  const out = new Channel<ReplayItemResult>();
  const live = new Set<ReplayThread>();
  let started = 0;
  let exhausted = false;
  let failed = false;
  let replayed = 0;
  const fail = (err: unknown): void => {
    if (failed) return;
    failed = true;
    out.close(err);
    for (const t of live) void t.thread.terminate();
  };
  const maybeClose = (): void => {
    if (exhausted && live.size === 0 && !failed) out.close();
  };

  const encode = (item: ReplayItem): Sent => ({ item: withoutHistory(item), bytes: delimitedBytes(item.history) });
  const send = (t: ReplayThread, sent: Sent): void => {
    t.inFlight.push(sent);
    t.inFlightBytes += sent.bytes.byteLength;
    t.sent++;
    // Copied, not transferred: the bytes stay here until the thread answers.
    t.thread.postMessage({ type: 'history', workflowId: sent.item.workflowId, bytes: sent.bytes } satisfies ToThread);
  };
  const end = (t: ReplayThread): void => {
    t.thread.postMessage({ type: 'end' } satisfies ToThread);
  };

  const start = (slot: Slot | undefined, capped: boolean, quota = RECYCLE_AFTER): ReplayThread => {
    const thread = (capped && heapMb === THREAD_HEAP_MB && takeWarmThread(candidate.sdk)) || newThread(candidate.sdk, capped ? heapMb : undefined);
    const init: ToThread = { type: 'init', code: candidate.code, replayName: `safe-deploy-${started++}` };
    if (candidate.codecModule) init.codecModule = candidate.codecModule;
    thread.postMessage(init);
    const t: ReplayThread = { thread, inFlight: [], inFlightBytes: 0, sent: 0, quota, done: false, outOfMemory: false };
    live.add(t);
    thread.on('message', (message: FromThread) => {
      if (message.type === 'results') {
        for (const answer of message.answers) {
          const sent = t.inFlight.shift();
          if (!sent) return fail(new Error('replay result without a matching history'));
          t.inFlightBytes -= sent.bytes.byteLength;
          replayed++;
          out.push({ item: sent.item, ...classifyReplay(answer ?? undefined) });
        }
        if (slot) pump(slot);
      } else if (message.type === 'done') {
        t.done = true;
      } else fail(replayed === 0 ? candidateLoadFailure(candidate, message.error) : threadFailure(message.error));
    });
    thread.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY' && capped) t.outOfMemory = true;
      else fail(err);
    });
    thread.on('exit', (code) => {
      live.delete(t);
      if (failed) return;
      if (slot?.retiring === t) {
        slot.retiring = undefined;
        pump(slot);
      }
      if (t.outOfMemory) {
        // Replay what it had not answered in a thread without the cap, and go on uncapped.
        if (slot) {
          slot.capped = false;
          if (slot.thread === t) slot.thread = undefined;
        }
        const retry = start(undefined, false);
        for (const sent of t.inFlight) send(retry, sent);
        end(retry);
        if (slot) pump(slot);
        return;
      }
      if (!t.done || t.inFlight.length > 0) return fail(new Error(`a replay thread stopped (exit code ${code}) before it finished`));
      maybeClose();
    });
    return t;
  };

  // Each slot keeps up to THREAD_QUEUE histories queued on its thread. The source is read by one
  // slot at a time, and only as the threads need histories, so memory does not grow with the corpus.
  let reading: Promise<unknown> = Promise.resolve();
  const busy = (slot: Slot): boolean =>
    failed || exhausted || (slot.thread ? threadQueueFull(slot.thread.inFlight.length, slot.thread.inFlightBytes) : slot.retiring !== undefined);
  const pump = (slot: Slot): void => {
    if (busy(slot)) return;
    reading = reading
      .then(async () => {
        if (busy(slot)) return;
        const next = await pull();
        if (next.done) {
          exhausted = true;
          for (const t of live) end(t);
          maybeClose();
          return;
        }
        // A slot's thread starts with its first history (none at all for an empty selection).
        // The first threads' quotas are staggered so that the slots are not all replaced at once.
        const firstQuota = started < count ? Math.round(RECYCLE_AFTER * (1 + slot.index / count)) : RECYCLE_AFTER;
        const t = (slot.thread ??= start(slot, slot.capped, firstQuota));
        send(t, encode(next.value));
        if (t.sent >= t.quota) {
          end(t);
          slot.thread = undefined;
          slot.retiring = t;
        }
        pump(slot);
      })
      .catch((err: unknown) => fail(err));
  };

  for (let i = 0; i < count; i++) pump({ index: i, capped: true });

  try {
    yield* out;
  } finally {
    // Every thread has exited unless the consumer stopped early or a thread failed: stop them.
    for (const t of live) void t.thread.terminate();
  }
}

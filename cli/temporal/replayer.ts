/**
 * Replays histories through the candidate: every history streams through `parallel` replay
 * workers, each of which replays one history at a time (Worker.runReplayHistories).
 *
 * With `parallel` > 1 each replay worker runs in a worker thread of its own (replay-threads.ts):
 * a replay worker runs the workflow code on the thread that created it, so in-process workers all
 * share the main thread, which also parses the histories; threads put every core to work.
 */
import { createRequire } from 'node:module';
import protoRoot from '@temporalio/proto';
import type { LogEntry } from '@temporalio/worker';
import { UsageError } from '../errors.js';
import { classifyReplay } from '../core/verdict.js';
import { Channel } from '../util/channel.js';
import type { Candidate } from './candidate.js';
import type { History } from './history-json.js';
import { isEncoded, withoutHistory, type EncodedHistory, type ReplayedItem, type ReplayItem, type ReplayItemResult } from './replay-item.js';
import { replayInThreads } from './replay-threads.js';
import { loadSdkWorker, type ReplaySdk } from './sdk.js';

export type { ReplayedItem, ReplayItem, ReplayItemResult } from './replay-item.js';

const OurHistory = protoRoot.temporal.api.history.v1.History;

/**
 * The SDK's worker package, loaded when a replay runs on this thread (the candidate's SDK, else
 * safe-deploy's own). Importing it costs ~0.25 s (it loads webpack too); a check that replays in
 * threads never needs it here.
 */
const loadWorkerPackage = (sdk?: ReplaySdk) => (sdk ? loadSdkWorker(sdk) : import('@temporalio/worker'));

const runtimesInstalled = new Set<string>();
/** The SDK's own logs go to stderr, and only its errors: replay failures are reported as data. */
export async function installQuietRuntime(sdk?: ReplaySdk): Promise<void> {
  const key = sdk?.path ?? '';
  if (runtimesInstalled.has(key)) return;
  runtimesInstalled.add(key);
  const { DefaultLogger, Runtime } = await loadWorkerPackage(sdk);
  const logger = new DefaultLogger('ERROR', (entry: LogEntry) => {
    process.stderr.write(`[temporal ${entry.level}] ${entry.message}\n`);
  });
  try {
    // shutdownSignals: [] — by default the runtime shuts its workers down on SIGINT itself, which
    // turns a Ctrl-C mid-replay into "channel closed" errors; safe-deploy handles the signal (exit 130).
    Runtime.install({ logger, shutdownSignals: [], telemetryOptions: { logging: { filter: 'ERROR', forward: {} } } });
  } catch {
    // already installed by the host process (tests): keep theirs
  }
}

export interface ReplayOptions {
  parallel?: number;
  signal?: AbortSignal;
  /**
   * Run each replay worker in a worker thread of its own. Default: yes (when the candidate's payload
   * codecs, if any, can be loaded by a thread), unless `items` is a short array. One thread for
   * `parallel` 1 as well: it gets the thread's replay speed-ups, and keeps the main thread free to
   * read histories.
   */
  threads?: boolean;
  /** Heap cap of a replay thread (V8 old generation, MB); exposed for tests and tuning. */
  threadHeapMb?: number;
}

/**
 * Replays every item through the candidate. Yields results in completion order. When `signal`
 * aborts, no new history is started; the ones in flight finish and are yielded.
 */
export async function* replayAll(
  candidate: Candidate,
  items: AsyncIterable<ReplayItem> | Iterable<ReplayItem>,
  options: ReplayOptions = {},
): AsyncGenerator<ReplayItemResult> {
  const parallel = Math.max(1, options.parallel ?? 1);
  const source = (Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : toAsync(items as Iterable<ReplayItem>));
  let sourceDone = false;
  const pull = async (): Promise<IteratorResult<ReplayItem>> => {
    if (sourceDone || options.signal?.aborted) return { value: undefined, done: true };
    const next = await source.next();
    if (next.done) sourceDone = true;
    return next;
  };

  const threadable = candidate.payloadCodecs.length === 0 || candidate.codecModule !== undefined;
  const fewItems = Array.isArray(items) && items.length < 2 * parallel;
  if (options.threads ?? (threadable && !fewItems)) {
    if (!threadable) throw new UsageError('replay threads need the payload codecs as a module path', 'load the candidate with `codecModule`');
    yield* replayInThreads(candidate, pull, parallel, options.threadHeapMb);
    return;
  }

  await installQuietRuntime(candidate.sdk);
  const { Worker } = await loadWorkerPackage(candidate.sdk);
  // Histories cross to the candidate's SDK as bytes, decoded by its own proto package.
  const { History } = (createRequire(import.meta.url)(candidate.sdk.modules.proto) as typeof import('@temporalio/proto')).temporal.api.history.v1;
  const out = new Channel<ReplayItemResult>();
  let running = parallel;
  const toSdk = (history: History | EncodedHistory): History =>
    isEncoded(history) ? History.decodeDelimited(history.delimited) : History.decode(OurHistory.encode(history).finish());
  for (let i = 0; i < parallel; i++) {
    void runOne(Worker, candidate, pull, toSdk, out, i).then(
      () => {
        if (--running === 0) out.close();
      },
      (err: unknown) => out.close(err),
    );
  }
  yield* out;
}

async function runOne(
  Worker: typeof import('@temporalio/worker').Worker,
  candidate: Candidate,
  pull: () => Promise<IteratorResult<ReplayItem>>,
  toSdk: (history: History | EncodedHistory) => History,
  out: Channel<ReplayItemResult>,
  index: number,
): Promise<void> {
  const inFlight: ReplayedItem[] = [];
  const feed: AsyncIterable<{ workflowId: string; history: History }> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const next = await pull();
        if (next.done) return { value: undefined, done: true };
        inFlight.push(withoutHistory(next.value));
        return { value: { workflowId: next.value.workflowId, history: toSdk(next.value.history) }, done: false };
      },
    }),
  };
  const results = Worker.runReplayHistories(
    {
      workflowBundle: { code: candidate.code },
      replayName: `safe-deploy-${index}`,
      dataConverter: candidate.payloadCodecs.length ? { payloadCodecs: candidate.payloadCodecs } : undefined,
    },
    feed,
  );
  for await (const result of results) {
    const item = inFlight.shift();
    if (!item) throw new Error('replay result without a matching history');
    out.push({ item, ...classifyReplay(result.error) });
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}


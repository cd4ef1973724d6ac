/**
 * The body of a replay thread (see replay-threads.ts): one Temporal runtime and ONE replay worker,
 * fed length-delimited History protobuf bytes by messages; it answers each with the error's name
 * and message only (all `classifyReplay` reads). It loads the SDK the candidate was bundled with,
 * by the module paths it is given (the user's project's @temporalio/worker, or safe-deploy's own),
 * and first turns off the SDK defaults that only cost time in a replay (replay-sdk-patches.ts).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { LogEntry } from '@temporalio/worker';
import { codecsOf, type CodecModule } from './codec-module.js';
import {
  bytesHistory,
  withBytesPushedAsIs,
  withoutDroppedLogLines,
  withoutEmptyCodecPass,
  withoutPromiseStackTraces,
  withoutWatchdog,
} from './replay-sdk-patches.js';
import type { ReplaySdk } from './sdk.js';
import { withOneTokioWorker } from './tokio-workers.js';

export type ReplayThreadModules = ReplaySdk['modules'];
export interface ReplayThreadData {
  modules: ReplayThreadModules;
  /** One Int32 shared by every replay thread of the process: held while a thread edits the environment. */
  envLock: SharedArrayBuffer;
}
export type ToThread =
  | { type: 'init'; code: string; codecModule?: string; replayName: string }
  | { type: 'history'; workflowId: string; bytes: Uint8Array }
  | { type: 'end' };
/** A replay's answer: null when it replayed cleanly, else the error's name and message. */
export type ReplayAnswer = { name: string; message: string } | null;
export type FromThread =
  /** The answers to the next histories sent, in the order they were sent. */
  | { type: 'results'; answers: ReplayAnswer[] }
  | { type: 'done' }
  | { type: 'fatal'; error: { name: string; message: string; stack?: string } };

/**
 * Answers sent together: one message per history woke the main thread once per history, which
 * cost ~4% of the CPU of a 10k check on 2 cores. A batch also goes whenever the thread has nothing
 * left to replay, so it never waits for histories behind answers it holds.
 */
const ANSWER_BATCH = 8;

type HistoryInput = { workflowId: string; history: temporal.api.history.v1.IHistory };

async function loadCodecs(codecModule: string | undefined): Promise<PayloadCodec[]> {
  if (!codecModule) return [];
  return codecsOf((await import(pathToFileURL(codecModule).href)) as CodecModule, codecModule);
}

function serve(port: NonNullable<typeof parentPort>, { modules, envLock }: ReplayThreadData): void {
  const require = createRequire(import.meta.url);
  withoutWatchdog();
  withoutPromiseStackTraces(modules);
  withoutEmptyCodecPass(modules);
  withoutDroppedLogLines(modules);
  const { Worker, Runtime, DefaultLogger } = require(modules.worker) as typeof import('@temporalio/worker');
  const History = (require(modules.proto) as typeof import('@temporalio/proto')).temporal.api.history.v1.History;
  const asIs = withBytesPushedAsIs(modules, Runtime);
  const toHistory = (bytes: Uint8Array) => (asIs ? bytesHistory(bytes) : History.decodeDelimited(bytes));
  try {
    withOneTokioWorker(envLock, () =>
      Runtime.install({
        logger: new DefaultLogger('ERROR', (entry: LogEntry) => process.stderr.write(`[temporal ${entry.level}] ${entry.message}\n`)),
        telemetryOptions: { logging: { filter: 'ERROR', forward: {} } },
        shutdownSignals: [], // the main thread handles Ctrl-C; the SDK's own handler would fail the replays
      }),
    );
  } catch {
    // already installed
  }

  // The thread may start before the bundle exists (see prewarmReplayThreads): 'init' brings it.
  let onInit!: (message: Extract<ToThread, { type: 'init' }>) => void;
  const initReceived = new Promise<Extract<ToThread, { type: 'init' }>>((resolve) => (onInit = resolve));
  const queue: Extract<ToThread, { type: 'history' }>[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  port.on('message', (message: ToThread) => {
    if (message.type === 'init') return onInit(message);
    if (message.type === 'end') ended = true;
    else queue.push(message);
    const w = wake;
    wake = undefined;
    w?.();
  });
  const feed: AsyncIterable<HistoryInput> = {
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<HistoryInput>> => {
        for (;;) {
          const message = queue.shift();
          if (message) return { value: { workflowId: message.workflowId, history: toHistory(message.bytes) }, done: false };
          if (ended) return { value: undefined, done: true };
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    }),
  };

  const replay = async (): Promise<void> => {
    const init = await initReceived;
    const payloadCodecs = await loadCodecs(init.codecModule);
    const results = Worker.runReplayHistories(
      {
        workflowBundle: { code: init.code },
        replayName: init.replayName,
        dataConverter: payloadCodecs.length ? { payloadCodecs } : undefined,
      },
      feed,
    );
    let answers: ReplayAnswer[] = [];
    const flush = (): void => {
      if (answers.length === 0) return;
      port.postMessage({ type: 'results', answers } satisfies FromThread);
      answers = [];
    };
    for await (const result of results) {
      answers.push(result.error ? { name: String(result.error.name), message: String(result.error.message) } : null);
      if (answers.length >= ANSWER_BATCH || queue.length === 0) flush();
    }
    flush();
  };
  replay().then(
    () => {
      port.postMessage({ type: 'done' } satisfies FromThread);
      port.close();
    },
    (err: unknown) => {
      const error = err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { name: 'Error', message: String(err) };
      port.postMessage({ type: 'fatal', error } satisfies FromThread);
      port.close();
    },
  );
}

if (parentPort) serve(parentPort, workerData as ReplayThreadData);

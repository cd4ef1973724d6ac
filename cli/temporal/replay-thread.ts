/**
 * The body of a replay thread (see replay-threads.ts): one Temporal runtime and ONE replay worker,
 * fed length-delimited History protobuf bytes by messages; it answers each with the error's name
 * and message only (all `classifyReplay` reads). It loads the SDK the candidate was bundled with,
 * by the module paths it is given (the user's project's @temporalio/worker, or safe-deploy's own).
 *
 * Two SDK defaults that only cost time in a replay are turned off here (this isolate only; neither
 * changes the commands the workflow code issues, so verdicts are unaffected):
 *  - the promise hook that records a stack trace for every promise a workflow creates (it serves the
 *    `__stack_trace` query, which a replay never receives): about a fifth of the replay CPU;
 *  - the vm watchdog: replay workers run with an isolate timeout of 2^32-1 ms (49 days, i.e. none),
 *    for which node starts and joins a watchdog thread on every call into the workflow sandbox.
 * Measured on 2 cores, 10,000 histories: 30.6 s with both off, 56.0 s with the SDK's defaults.
 * Both reach into the SDK's internals (`lib/workflow/vm-shared.js`, present in 1.12 - 1.24): on
 * another layout the try/catch keeps the SDK's defaults, which is slower, never wrong.
 *
 * A third: the bytes go to the SDK's core as they came (withBytesPushedAsIs), where the SDK would
 * have them decoded here only to encode them again for its core (`Runtime.pushHistory`).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import type { PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { LogEntry } from '@temporalio/worker';
import { codecsOf, type CodecModule } from './codec-module.js';

export interface ReplayThreadModules {
  worker: string;
  proto: string;
  vmShared: string;
}
export interface ReplayThreadData {
  modules: ReplayThreadModules;
}
export type ToThread =
  | { type: 'init'; code: string; codecModule?: string; replayName: string }
  | { type: 'history'; workflowId: string; bytes: Uint8Array }
  | { type: 'end' };
export type FromThread =
  | { type: 'result'; error?: { name: string; message: string } }
  | { type: 'done' }
  | { type: 'fatal'; error: { name: string; message: string; stack?: string } };

type HistoryInput = { workflowId: string; history: temporal.api.history.v1.IHistory };

/** A history the SDK passes on to `Runtime.pushHistory` untouched, carrying its bytes. */
const BYTES = Symbol('delimited History bytes');
type BytesHistory = temporal.api.history.v1.IHistory & { [BYTES]: Uint8Array };

/** The SDK's own `Runtime.pushHistory` (1.12.3 and 1.24.0 alike): encodeDelimited, then the native call. */
const PUSH_HISTORY_BODY = /History\.encodeDelimited\(history\)\.finish\(\)[\s\S]*native\.pushHistory\(pusher, workflowId, encoded\)/;

/**
 * Lets `Runtime.pushHistory` hand a BytesHistory's bytes to the core as they are: the core decodes
 * length-delimited History bytes, which is what the SDK encodes the History into, and what the
 * main thread sends. Returns false (decode them here, as the SDK expects) on another layout.
 */
function withBytesPushedAsIs(workerModule: string, Runtime: unknown): boolean {
  try {
    const proto = (Runtime as { prototype?: { pushHistory?: unknown } }).prototype;
    const pushHistory = proto?.pushHistory;
    // Only where the method is the one this replaces: another SDK may push otherwise.
    if (!proto || typeof pushHistory !== 'function' || !PUSH_HISTORY_BODY.test(String(pushHistory))) return false;
    const native = (createRequire(workerModule)('@temporalio/core-bridge') as { native?: { pushHistory?: unknown } }).native;
    const pushNative = native?.pushHistory;
    if (typeof pushNative !== 'function') return false;
    proto.pushHistory = function (this: unknown, pusher: unknown, workflowId: string, history: BytesHistory): unknown {
      const bytes = history[BYTES];
      if (!bytes) return pushHistory.call(this, pusher, workflowId, history);
      return pushNative(pusher, workflowId, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    };
    return true;
  } catch {
    return false;
  }
}

/**
 * What the SDK is handed for bytes it need not read: `Worker.runReplayHistories` only checks that
 * the first event's ID is not a string (a ProtoJSON history) before it pushes the history.
 */
function bytesHistory(bytes: Uint8Array): BytesHistory {
  return { events: [{}], [BYTES]: bytes };
}

function withoutWatchdog(): void {
  const runInContext = vm.Script.prototype.runInContext;
  vm.Script.prototype.runInContext = function (this: vm.Script, context: vm.Context, options?: vm.RunningScriptOptions) {
    if (options && typeof options.timeout === 'number' && options.timeout >= 0x7fffffff) {
      const { timeout: _timeout, ...rest } = options;
      return runInContext.call(this, context, rest);
    }
    return runInContext.call(this, context, options);
  };
}

function withoutPromiseStackTraces(require: NodeJS.Require, vmShared: string): void {
  try {
    const { globalHandlers } = require(vmShared) as { globalHandlers: { install(): void; stopPromiseHook(): void } };
    globalHandlers.install();
    globalHandlers.stopPromiseHook();
  } catch {
    // another SDK layout: keep its defaults
  }
}

async function loadCodecs(codecModule: string | undefined): Promise<PayloadCodec[]> {
  if (!codecModule) return [];
  return codecsOf((await import(pathToFileURL(codecModule).href)) as CodecModule, codecModule);
}

function serve(port: NonNullable<typeof parentPort>, { modules }: ReplayThreadData): void {
  const require = createRequire(import.meta.url);
  withoutWatchdog();
  withoutPromiseStackTraces(require, modules.vmShared);
  const { Worker, Runtime, DefaultLogger } = require(modules.worker) as typeof import('@temporalio/worker');
  const History = (require(modules.proto) as typeof import('@temporalio/proto')).temporal.api.history.v1.History;
  const asIs = withBytesPushedAsIs(modules.worker, Runtime);
  const toHistory = (bytes: Uint8Array) => (asIs ? bytesHistory(bytes) : History.decodeDelimited(bytes));
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR', (entry: LogEntry) => process.stderr.write(`[temporal ${entry.level}] ${entry.message}\n`)),
      telemetryOptions: { logging: { filter: 'ERROR', forward: {} } },
      shutdownSignals: [], // the main thread handles Ctrl-C; the SDK's own handler would fail the replays
    });
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
    for await (const result of results) {
      const error = result.error && { name: String(result.error.name), message: String(result.error.message) };
      port.postMessage((error ? { type: 'result', error } : { type: 'result' }) satisfies FromThread);
    }
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

/**
 * SDK defaults that only cost time in a replay thread, turned off in that thread's isolate. None
 * changes the commands the workflow code issues, so verdicts are unaffected. Each reaches into the
 * SDK's internals and first checks that the code it replaces is the code it expects (1.12 - 1.24):
 * on another layout it leaves the SDK as it is, which is slower, never wrong.
 *
 * Measured on 2 cores, 10,000 histories: 30.6 s with the promise hook and the watchdog off, 56.0 s
 * with the SDK's defaults; the codec and logger patches below take a further ~8% of the CPU.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import type { temporal } from '@temporalio/proto';
import type { ReplaySdk } from './sdk.js';

type ReplayThreadModules = ReplaySdk['modules'];

/** Does `method` exist and read as `body`? The guard of every patch here. */
const reads = (method: unknown, body: RegExp): method is (...args: never[]) => unknown =>
  typeof method === 'function' && body.test(String(method));

/**
 * The vm watchdog: replay workers run with an isolate timeout of 2^32-1 ms (49 days, i.e. none),
 * for which node starts and joins a watchdog thread on every call into the workflow sandbox.
 */
export function withoutWatchdog(): void {
  const runInContext = vm.Script.prototype.runInContext;
  vm.Script.prototype.runInContext = function (this: vm.Script, context: vm.Context, options?: vm.RunningScriptOptions) {
    if (options && typeof options.timeout === 'number' && options.timeout >= 0x7fffffff) {
      const { timeout: _timeout, ...rest } = options;
      return runInContext.call(this, context, rest);
    }
    return runInContext.call(this, context, options);
  };
}

/**
 * The promise hook that records a stack trace for every promise a workflow creates: it serves the
 * `__stack_trace` query, which a replay never receives. About a fifth of the replay CPU.
 */
export function withoutPromiseStackTraces(modules: ReplayThreadModules): void {
  try {
    const { globalHandlers } = createRequire(import.meta.url)(modules.vmShared) as { globalHandlers: { install(): void; stopPromiseHook(): void } };
    globalHandlers.install();
    globalHandlers.stopPromiseHook();
  } catch {
    // another SDK layout: keep its defaults
  }
}

interface CodecRunner {
  codecs: unknown[];
}
const DECODE_ACTIVATION = /WorkflowActivation\.fromObject\(activation\)[\s\S]*\.visit\)\(decodedActivation,/;
const ENCODE_COMPLETION = /WorkflowActivationCompletion\.fromObject\(completion\)[\s\S]*\.visit\)\(encodedCompletion,/;

/**
 * The payload codec pass over every activation and completion when there are no codecs. The SDK
 * converts the message (fromObject), then walks every payload in it through the codecs, which,
 * with none, hands each payload back as it was; the walk (and the AbortController it makes) is
 * ~4% of a replay thread's CPU. With no codecs this keeps the conversion and skips the walk.
 */
export function withoutEmptyCodecPass(modules: ReplayThreadModules): boolean {
  try {
    const require = createRequire(modules.worker);
    const { WorkflowCodecRunner } = require(join(dirname(modules.worker), 'workflow-codec-runner.js')) as {
      WorkflowCodecRunner?: { prototype: Record<string, unknown> };
    };
    const { coresdk } = require(modules.proto) as typeof import('@temporalio/proto');
    const runner = WorkflowCodecRunner?.prototype;
    const decode = runner?.decodeActivation;
    const encode = runner?.encodeCompletion;
    if (!runner || !reads(decode, DECODE_ACTIVATION) || !reads(encode, ENCODE_COMPLETION)) return false;
    const { WorkflowActivation } = coresdk.workflow_activation;
    const { WorkflowActivationCompletion } = coresdk.workflow_completion;
    runner.decodeActivation = function (this: CodecRunner, activation: unknown): unknown {
      if (this.codecs.length > 0) return (decode as (a: unknown) => unknown).call(this, activation);
      return Promise.resolve(WorkflowActivation.fromObject(activation as Record<string, unknown>));
    };
    runner.encodeCompletion = function (this: CodecRunner, completion: unknown): unknown {
      if (this.codecs.length > 0) return (encode as (c: unknown) => unknown).call(this, completion);
      return Promise.resolve(WorkflowActivationCompletion.fromObject(completion as Record<string, unknown>));
    };
    return true;
  } catch {
    return false;
  }
}

const COMPOSED_LOG = /this\.parentLogger\.\w+\([\s\S]*resolveMetadata\(/;

/**
 * The metadata the SDK's composed loggers gather for every trace and debug line (a few objects
 * per activation) before the runtime logger drops the line: a replay thread's runtime logger
 * keeps ERROR only (replay-thread.ts), so below WARN nothing is ever written. Returns false on
 * another layout.
 */
export function withoutDroppedLogLines(modules: ReplayThreadModules): boolean {
  try {
    const require = createRequire(modules.worker);
    const { LoggerWithComposedMetadata } = require(require.resolve('@temporalio/common/lib/logger')) as {
      LoggerWithComposedMetadata?: { prototype: Record<string, unknown> };
    };
    const logger = LoggerWithComposedMetadata?.prototype;
    if (!logger || !reads(logger.trace, COMPOSED_LOG) || !reads(logger.debug, COMPOSED_LOG)) return false;
    logger.trace = logger.debug = () => undefined;
    return true;
  } catch {
    return false;
  }
}

/** A history the SDK passes on to `Runtime.pushHistory` untouched, carrying its bytes. */
const BYTES = Symbol('delimited History bytes');
export type BytesHistory = temporal.api.history.v1.IHistory & { [BYTES]: Uint8Array };

/** The SDK's own `Runtime.pushHistory` (1.12.3 and 1.24.0 alike): encodeDelimited, then the native call. */
const PUSH_HISTORY_BODY = /History\.encodeDelimited\(history\)\.finish\(\)[\s\S]*native\.pushHistory\(pusher, workflowId, encoded\)/;

/**
 * Lets `Runtime.pushHistory` hand a BytesHistory's bytes to the core as they are, where the SDK
 * would have them decoded here only to encode them again for its core: the core decodes
 * length-delimited History bytes, which is what the SDK encodes the History into, and what the
 * main thread sends. Returns false (decode them here, as the SDK expects) on another layout.
 */
export function withBytesPushedAsIs(modules: ReplayThreadModules, Runtime: unknown): boolean {
  try {
    const proto = (Runtime as { prototype?: { pushHistory?: unknown } }).prototype;
    const pushHistory = proto?.pushHistory;
    // Only where the method is the one this replaces: another SDK may push otherwise.
    if (!proto || !reads(pushHistory, PUSH_HISTORY_BODY)) return false;
    const native = (createRequire(modules.worker)('@temporalio/core-bridge') as { native?: { pushHistory?: unknown } }).native;
    const pushNative = native?.pushHistory;
    if (typeof pushNative !== 'function') return false;
    proto.pushHistory = function (this: unknown, pusher: unknown, workflowId: string, history: BytesHistory): unknown {
      const bytes = history[BYTES];
      if (!bytes) return (pushHistory as (...args: unknown[]) => unknown).call(this, pusher, workflowId, history);
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
export function bytesHistory(bytes: Uint8Array): BytesHistory {
  return { events: [{}], [BYTES]: bytes };
}

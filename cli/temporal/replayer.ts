/**
 * The candidate and the replay of histories through it. The workflow code is bundled ONCE per run
 * (or a prebuilt bundle is used), then every history streams through `parallel` replay workers,
 * each of which replays one history at a time (Worker.runReplayHistories).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PayloadCodec } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type LogEntry } from '@temporalio/worker';
import { BundleError, UsageError } from '../errors.js';
import { classifyReplay, type ReplayOutcome } from '../core/verdict.js';
import type { HistoryFacts } from '../core/history-facts.js';
import { Channel } from '../util/channel.js';
import type { History } from './history-json.js';

export interface CandidateOptions {
  /** Workflow source (TS or JS) to bundle. */
  workflowsPath?: string;
  /** A bundle prebuilt with bundleWorkflowCode (same @temporalio/worker version). */
  bundlePath?: string;
  payloadConverterPath?: string;
  failureConverterPath?: string;
  /** A module exporting `payloadCodecs: PayloadCodec[]` (or a default export of that array). */
  codecModule?: string;
  interceptorModules?: string[];
}

export interface Candidate {
  /** What the bundle was made from, for reports. */
  source: string;
  /** sha256 of the bundle's code: the identity of what was replayed. */
  bundleHash: string;
  code: string;
  payloadCodecs: PayloadCodec[];
}

export interface ReplayItem {
  workflowId: string;
  history: History;
  facts: HistoryFacts;
  /** Where the history came from: a file path, or `server`. */
  origin: string;
}

export interface ReplayItemResult extends ReplayOutcome {
  item: ReplayItem;
}

let runtimeInstalled = false;
/** The SDK's own logs go to stderr, and only its errors: replay failures are reported as data. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const logger = new DefaultLogger('ERROR', (entry: LogEntry) => {
    process.stderr.write(`[temporal ${entry.level}] ${entry.message}\n`);
  });
  try {
    Runtime.install({ logger, telemetryOptions: { logging: { filter: 'ERROR', forward: {} } } });
  } catch {
    // already installed by the host process (tests): keep theirs
  }
}

/** Webpack prints its whole module stats; users need its ERROR blocks, without stack frames. */
function trimCompilerMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split('\n').filter((l) => l.trim() && !/^\s+at /.test(l));
  const errors: string[] = [];
  lines.forEach((line, i) => {
    if (/^ERROR\b/.test(line)) errors.push(...lines.slice(i, i + 3));
  });
  return (errors.length > 0 ? errors : lines).slice(0, 12).join('\n');
}

async function loadCodecs(modulePath: string | undefined): Promise<PayloadCodec[]> {
  if (!modulePath) return [];
  const path = resolve(modulePath);
  let mod: { payloadCodecs?: PayloadCodec[]; default?: PayloadCodec[] | { payloadCodecs?: PayloadCodec[] } };
  try {
    mod = (await import(pathToFileURL(path).href)) as typeof mod;
  } catch (err) {
    throw new UsageError(`cannot load codec module ${modulePath}: ${trimCompilerMessage(err)}`, 'pass a compiled JS module exporting `payloadCodecs`');
  }
  const codecs = mod.payloadCodecs ?? (Array.isArray(mod.default) ? mod.default : mod.default?.payloadCodecs);
  if (!Array.isArray(codecs)) {
    throw new UsageError(`codec module ${modulePath} exports no payloadCodecs array`, 'export const payloadCodecs = [new MyCodec()]');
  }
  return codecs;
}

export async function loadCandidate(options: CandidateOptions): Promise<Candidate> {
  const payloadCodecs = await loadCodecs(options.codecModule);
  if (options.bundlePath) {
    const path = resolve(options.bundlePath);
    if (!existsSync(path)) throw new UsageError(`bundle not found: ${options.bundlePath}`, 'build one with bundleWorkflowCode, or pass --workflows');
    const code = readFileSync(path, 'utf8');
    return { source: options.bundlePath, bundleHash: hashCode(code), code, payloadCodecs };
  }
  if (!options.workflowsPath) throw new UsageError('no candidate given', 'pass --workflows PATH (workflow source) or --bundle FILE');
  const workflowsPath = resolve(options.workflowsPath);
  if (!existsSync(workflowsPath)) {
    throw new UsageError(`workflows path not found: ${options.workflowsPath}`, 'point --workflows at the file (or folder index) that exports your workflows');
  }
  for (const extra of [options.payloadConverterPath, options.failureConverterPath, ...(options.interceptorModules ?? [])]) {
    if (extra && !existsSync(resolve(extra))) throw new UsageError(`module not found: ${extra}`, 'check the path of the converter / interceptor module');
  }
  installQuietRuntime();
  // Webpack's actual complaint arrives through the logger, not in the thrown error.
  const bundlerErrors: string[] = [];
  try {
    const { code } = await bundleWorkflowCode({
      workflowsPath,
      payloadConverterPath: options.payloadConverterPath && resolve(options.payloadConverterPath),
      failureConverterPath: options.failureConverterPath && resolve(options.failureConverterPath),
      workflowInterceptorModules: options.interceptorModules?.map((m) => resolve(m)),
      logger: new DefaultLogger('ERROR', (entry) => {
        bundlerErrors.push([entry.message, ...Object.values(entry.meta ?? {}).map(String)].join('\n'));
      }),
    });
    return { source: options.workflowsPath, bundleHash: hashCode(code), code, payloadCodecs };
  } catch (err) {
    const detail = [...bundlerErrors, err instanceof Error ? err.message : String(err)].join('\n');
    const hint = /Can't resolve '@temporalio\/workflow/.test(detail)
      ? 'the workflows must live in a project where @temporalio/workflow is installed (same version as the workers)'
      : 'fix the compile error above, then run again';
    throw new BundleError(`the candidate workflow code does not bundle:\n${trimCompilerMessage(detail)}`, hint);
  }
}

export function hashCode(code: string): string {
  return 'sha256:' + createHash('sha256').update(code).digest('hex').slice(0, 16);
}

export interface ReplayOptions {
  parallel?: number;
  signal?: AbortSignal;
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
  installQuietRuntime();
  const parallel = Math.max(1, options.parallel ?? 1);
  const source = (Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : toAsync(items as Iterable<ReplayItem>));
  let sourceDone = false;
  const pull = async (): Promise<IteratorResult<ReplayItem>> => {
    if (sourceDone || options.signal?.aborted) return { value: undefined, done: true };
    const next = await source.next();
    if (next.done) sourceDone = true;
    return next;
  };

  const out = new Channel<ReplayItemResult>();
  let running = parallel;
  for (let i = 0; i < parallel; i++) {
    void runOne(candidate, pull, out, i).then(
      () => {
        if (--running === 0) out.close();
      },
      (err: unknown) => out.close(err),
    );
  }
  yield* out;
}

async function runOne(
  candidate: Candidate,
  pull: () => Promise<IteratorResult<ReplayItem>>,
  out: Channel<ReplayItemResult>,
  index: number,
): Promise<void> {
  const inFlight: ReplayItem[] = [];
  const feed: AsyncIterable<{ workflowId: string; history: History }> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const next = await pull();
        if (next.done) return { value: undefined, done: true };
        inFlight.push(next.value);
        return { value: { workflowId: next.value.workflowId, history: next.value.history }, done: false };
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

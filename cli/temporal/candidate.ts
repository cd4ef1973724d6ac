/**
 * The candidate: the workflow code about to ship, bundled ONCE per run (or a prebuilt bundle), with
 * the payload codecs its histories need. Its bundle hash identifies what a verdict was proven on.
 * A bundle made from source is kept in the bundle cache and reused while its inputs are unchanged.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PayloadCodec } from '@temporalio/common';
import type { BundleCacheUse } from '../core/check-report.js';
import { BundleError, UsageError } from '../errors.js';
import { bundleCacheDir, readCachedBundle, recordBundleInputs, writeCachedBundle, type BundleInputs } from './bundle-cache.js';
import { codecsOf, type CodecModule } from './codec-module.js';
import { prewarmReplayThreads } from './replay-thread-pool.js';
import { loadSdkWorker, resolveReplaySdk, type ReplaySdk } from './sdk.js';

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
  /** Where bundles made from source are cached; false: do not cache; undefined: the default folder. */
  bundleCache?: string | false;
  /**
   * Replay threads to start while the candidate bundles (loading the SDK in them overlaps the
   * bundling): the replay's parallelism; 0 when the caller replays one history at a time.
   */
  prewarmThreads?: number;
}

export interface Candidate {
  /** What the bundle was made from, for reports. */
  source: string;
  /** sha256 of the bundle's code: the identity of what was replayed. */
  bundleHash: string;
  code: string;
  payloadCodecs: PayloadCodec[];
  /** The absolute path of the module `payloadCodecs` came from, so replay threads can load it too. */
  codecModule?: string;
  /** `hit`: the bundle came from the bundle cache; `off`: no cache (disabled, or a prebuilt bundle). */
  bundleCache: BundleCacheUse;
  /** The SDK that bundles and replays it: the project's own @temporalio/worker where it has one. */
  sdk: ReplaySdk;
  /** What the workflows module exports, when known (bundled from source): named when a type is missing. */
  workflowExports?: string[];
}

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
  let mod: CodecModule;
  try {
    mod = (await import(pathToFileURL(path).href)) as typeof mod;
  } catch (err) {
    throw new UsageError(`cannot load codec module ${modulePath}: ${trimCompilerMessage(err)}`, 'pass a compiled JS module exporting `payloadCodecs`');
  }
  return codecsOf(mod, modulePath);
}

export async function loadCandidate(options: CandidateOptions): Promise<Candidate> {
  const payloadCodecs = await loadCodecs(options.codecModule);
  if (!options.bundlePath && options.workflowsPath && !existsSync(resolve(options.workflowsPath))) {
    throw new UsageError(`workflows path not found: ${options.workflowsPath}`, 'point --workflows at the file (or folder index) that exports your workflows');
  }
  const sdk = resolveReplaySdk({ workflowsPath: options.bundlePath ? undefined : options.workflowsPath });
  const prewarm = Math.min(options.prewarmThreads ?? 0, availableParallelism());
  if (prewarm > 0) prewarmReplayThreads(sdk, prewarm);
  if (options.bundlePath) {
    const path = resolve(options.bundlePath);
    if (!existsSync(path)) throw new UsageError(`bundle not found: ${options.bundlePath}`, 'build one with bundleWorkflowCode, or pass --workflows');
    if (!statSync(path).isFile()) throw new UsageError(`--bundle ${options.bundlePath} is a folder, not a bundle file`, 'pass the file bundleWorkflowCode wrote, or pass --workflows');
    const code = readFileSync(path, 'utf8');
    // The SDK's replay worker needs the source map bundleWorkflowCode inlines; without it every thread would fail.
    if (!/\/\/# sourceMappingURL=data:[^\n]*base64,/.test(code)) {
      throw new BundleError(
        `${options.bundlePath} is not a workflow bundle: it has no inline source map, which bundleWorkflowCode writes`,
        'write the `code` that bundleWorkflowCode returns to the file as it is, or pass --workflows',
      );
    }
    return { source: options.bundlePath, bundleHash: hashCode(code), code, payloadCodecs, ...codecModuleOf(options), bundleCache: 'off', sdk };
  }
  if (!options.workflowsPath) throw new UsageError('no candidate given', 'pass --workflows PATH (workflow source) or --bundle FILE');
  const workflowsPath = resolve(options.workflowsPath);
  for (const extra of [options.payloadConverterPath, options.failureConverterPath, ...(options.interceptorModules ?? [])]) {
    if (extra && !existsSync(resolve(extra))) throw new UsageError(`module not found: ${extra}`, 'check the path of the converter / interceptor module');
  }
  const inputs: BundleInputs = {
    workflowsPath,
    payloadConverterPath: options.payloadConverterPath && resolve(options.payloadConverterPath),
    failureConverterPath: options.failureConverterPath && resolve(options.failureConverterPath),
    interceptorModules: options.interceptorModules?.map((m) => resolve(m)),
    workerPackageJson: sdk.workerPackageJson,
  };
  const source = options.workflowsPath;
  const cacheDir = bundleCacheDir(options.bundleCache);
  const candidate = (code: string, bundleCache: BundleCacheUse, workflowExports: string[] | undefined): Candidate => ({
    source,
    bundleHash: hashCode(code),
    code,
    payloadCodecs,
    ...codecModuleOf(options),
    bundleCache,
    sdk,
    ...(workflowExports && { workflowExports }),
  });
  if (cacheDir) {
    const cached = readCachedBundle(cacheDir, inputs);
    if (cached.hit) return candidate(cached.code, 'hit', cached.workflowExports);
  }
  const { code, workflowExports } = await bundle(sdk, inputs, cacheDir);
  return candidate(code, cacheDir ? 'miss' : 'off', workflowExports);
}

/** Runs webpack through the SDK; stores the result in the cache when there is one. */
async function bundle(sdk: ReplaySdk, inputs: BundleInputs, cacheDir: string | undefined): Promise<{ code: string; workflowExports?: string[] }> {
  // Loaded here, not at the top: on a cache hit the main thread never loads the SDK's worker (~0.3 s).
  const { bundleWorkflowCode, DefaultLogger } = await loadSdkWorker(sdk);
  // Recorded always: what the workflows module exports is used with or without the cache.
  const recording = recordBundleInputs(inputs.workflowsPath);
  // Webpack's actual complaint arrives through the logger, not in the thrown error.
  const bundlerErrors: string[] = [];
  let code: string;
  try {
    ({ code } = await bundleWorkflowCode({
      workflowsPath: inputs.workflowsPath,
      payloadConverterPath: inputs.payloadConverterPath,
      failureConverterPath: inputs.failureConverterPath,
      workflowInterceptorModules: inputs.interceptorModules,
      webpackConfigHook: recording.webpackConfigHook,
      logger: new DefaultLogger('ERROR', (entry) => {
        bundlerErrors.push([entry.message, ...Object.values(entry.meta ?? {}).map(String)].join('\n'));
      }),
    }));
  } catch (err) {
    const detail = [...bundlerErrors, err instanceof Error ? err.message : String(err)].join('\n');
    const hint = /Can't resolve '@temporalio\/workflow/.test(detail)
      ? 'the workflows must live in a project where @temporalio/workflow is installed (same version as the workers)'
      : 'fix the compile error above, then run again';
    throw new BundleError(`the candidate workflow code does not bundle:\n${trimCompilerMessage(detail)}`, hint);
  }
  if (cacheDir) writeCachedBundle(cacheDir, inputs, code, recording);
  return { code, ...(recording.workflowExports && { workflowExports: recording.workflowExports }) };
}

function codecModuleOf(options: CandidateOptions): Pick<Candidate, 'codecModule'> {
  return options.codecModule ? { codecModule: resolve(options.codecModule) } : {};
}

export function hashCode(code: string): string {
  return 'sha256:' + createHash('sha256').update(code).digest('hex').slice(0, 16);
}


/**
 * The candidates of a check, one per SDK (a TypeScript one, a Python one, or both for a mixed
 * deployment), and the replay that routes each history to the candidate of the SDK that wrote it
 * (its `sdkName`). A history of an SDK no candidate was given for is reported as such, not replayed.
 * Above this module nothing knows which engine replayed a history.
 */
import { createHash } from 'node:crypto';
import type { CandidateInfo, SdkInfo } from '../core/check-report.js';
import { otherSdkOutcome, sdkOfHistory, type SdkKind } from '../core/sdk.js';
import { withCandidateTypes } from '../core/verdict.js';
import { UsageError } from '../errors.js';
import { Channel } from '../util/channel.js';
import { loadCandidate, type Candidate, type CandidateOptions } from './candidate.js';
import { isPythonWorkflows, loadPythonCandidate, type PythonCandidate } from './python-candidate.js';
import { replayAllPython } from './python-replayer.js';
import { withoutHistory, type ReplayItem, type ReplayItemResult } from './replay-item.js';
import { replayAll } from './replayer.js';

export interface CandidatesOptions extends CandidateOptions {
  /** `--workflows`: TypeScript source or a Python module, told by its name unless `sdk` says. */
  workflows?: string[];
  sdk?: SdkKind;
  /** Python workflows: a module name or a file / package folder, optionally `:ClassA,ClassB`. */
  pythonWorkflows?: string;
  /** The Python interpreter (default: the project's .venv, VIRTUAL_ENV, python3). */
  python?: string;
}

export interface Candidates {
  typescript?: Candidate;
  python?: PythonCandidate;
  /** What reports and plans name: one candidate, or both as one (their hashes hashed together). */
  info: Omit<CandidateInfo, 'buildId'>;
}

/** A converter / codec given as a Python module: a `.py` file or a dotted module name. */
const isPythonModule = (spec: string | undefined): boolean => Boolean(spec && (/\.py$/i.test(spec) || /^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*$/.test(spec)));

/** Sorts `--workflows` values into the TypeScript and the Python one. */
export function sortWorkflows(options: CandidatesOptions): CandidatesOptions {
  const { workflows = [], sdk } = options;
  let { workflowsPath, pythonWorkflows } = options;
  for (const spec of workflows) {
    const python = sdk ? sdk === 'python' : isPythonWorkflows(spec);
    const taken = python ? pythonWorkflows : workflowsPath;
    if (taken) {
      throw new UsageError(
        `two ${python ? 'Python' : 'TypeScript'} candidates: ${taken} and ${spec}`,
        'give --workflows once per SDK (the module that exports or defines all your workflows)',
      );
    }
    if (python) pythonWorkflows = spec;
    else workflowsPath = spec;
  }
  return { ...options, workflows: undefined, workflowsPath, pythonWorkflows };
}

export async function loadCandidates(given: CandidatesOptions): Promise<Candidates> {
  const options = sortWorkflows(given);
  const wantTs = Boolean(options.workflowsPath || options.bundlePath);
  const pyWorkflows = options.pythonWorkflows;
  if (!wantTs && !pyWorkflows) throw new UsageError('no candidate given', 'pass --workflows PATH (TypeScript or Python workflow code) or --bundle FILE');
  // With both candidates, each converter goes to the SDK its module is written for.
  const toPython = (spec: string | undefined) => (spec && (!wantTs || isPythonModule(spec)) ? spec : undefined);
  const toTs = (spec: string | undefined) => (spec && !(pyWorkflows && isPythonModule(spec)) ? spec : undefined);
  const [typescript, python] = await Promise.all([
    wantTs
      ? loadCandidate({
          ...options,
          codecModule: toTs(options.codecModule),
          payloadConverterPath: toTs(options.payloadConverterPath),
          failureConverterPath: toTs(options.failureConverterPath),
        })
      : undefined,
    pyWorkflows
      ? loadPythonCandidate({
          workflows: pyWorkflows,
          python: options.python,
          codecModule: toPython(options.codecModule),
          payloadConverterPath: toPython(options.payloadConverterPath),
          failureConverterPath: toPython(options.failureConverterPath),
        })
      : undefined,
  ]);
  return { typescript, python, info: describe(typescript, python) };
}

function describe(ts: Candidate | undefined, py: PythonCandidate | undefined): Candidates['info'] {
  const tsSdk: SdkInfo | undefined = ts && { language: ts.sdk.language, version: ts.sdk.version, origin: ts.sdk.origin, path: ts.sdk.path };
  const pySdk: SdkInfo | undefined = py && { language: 'python', version: py.temporalioVersion, origin: 'project', path: py.python, runtime: py.pythonVersion };
  if (ts && tsSdk && py && pySdk) {
    const bundleHash = 'sha256:' + createHash('sha256').update(`${ts.bundleHash}\n${py.bundleHash}\n`).digest('hex').slice(0, 16);
    return { source: `${ts.source} + ${py.source}`, bundleHash, bundleCache: ts.bundleCache, sdk: tsSdk, sdks: [tsSdk, pySdk] };
  }
  if (py) return { source: py.source, bundleHash: py.bundleHash, bundleCache: 'off', sdk: pySdk };
  if (!ts) throw new UsageError('no candidate given', 'pass --workflows PATH');
  return { source: ts.source, bundleHash: ts.bundleHash, bundleCache: ts.bundleCache, sdk: tsSdk };
}

export interface RoutedReplayOptions {
  parallel?: number;
  signal?: AbortSignal;
}

/** Which candidate replays an item; undefined: none of its SDK was given. */
function routeOf(c: Candidates, item: ReplayItem): SdkKind | undefined {
  const kind = sdkOfHistory(item.facts.sdkName);
  if (kind) return c[kind] ? kind : undefined;
  if (item.facts.sdkName) return undefined; // another SDK (Go, Java, ...)
  // No completed workflow task yet, so no SDK named: the candidate that has the workflow type.
  if (c.python && (!c.typescript || item.facts.workflowType in c.python.workflows)) return 'python';
  return 'typescript';
}

/**
 * Replays every item on the candidate of its SDK. Results in completion order; when `signal`
 * aborts, no new history is started and the ones in flight finish.
 */
export async function* replayCandidates(
  c: Candidates,
  items: AsyncIterable<ReplayItem> | Iterable<ReplayItem>,
  options: RoutedReplayOptions = {},
): AsyncGenerator<ReplayItemResult> {
  const given = (['typescript', 'python'] as const).filter((k) => c[k]);
  // One candidate and an array (apply's single re-check): straight to its engine.
  if (given.length === 1 && Array.isArray(items) && items.every((i) => routeOf(c, i) === given[0])) {
    yield* engine(c, given[0] as SdkKind, items, options);
    return;
  }
  const out = new Channel<ReplayItemResult>();
  const feeds = new Map<SdkKind, Feed<ReplayItem>>(given.map((k) => [k, new Feed<ReplayItem>(2 * Math.max(1, options.parallel ?? 1))]));
  let open = feeds.size + 1;
  const done = (err?: unknown) => {
    if (err !== undefined) out.close(err);
    else if (--open === 0) out.close();
  };
  for (const [kind, feed] of feeds) {
    void (async () => {
      for await (const r of engine(c, kind, feed, options)) out.push(r);
    })()
      // An engine that stopped (interrupted) takes no more: routing to it must not wait.
      .finally(() => feed.close())
      .then(() => done(), done);
  }
  options.signal?.addEventListener('abort', () => feeds.forEach((f) => f.close()), { once: true });
  void (async () => {
    try {
      for await (const item of items) {
        if (options.signal?.aborted) break;
        const kind = routeOf(c, item);
        const feed = kind && feeds.get(kind);
        if (feed) await feed.push(item);
        else out.push({ item: withoutHistory(item), ...otherSdkOutcome(item.facts.sdkName ?? 'unknown', given) });
      }
    } finally {
      for (const feed of feeds.values()) feed.close();
    }
  })().then(() => done(), done);
  yield* out;
}

function engine(c: Candidates, kind: SdkKind, items: AsyncIterable<ReplayItem> | Iterable<ReplayItem>, options: RoutedReplayOptions): AsyncIterable<ReplayItemResult> {
  if (kind === 'python' && c.python) return namingTypes(replayAllPython(c.python, items, options), Object.keys(c.python.workflows).sort());
  if (kind === 'typescript' && c.typescript) return namingTypes(replayAll(c.typescript, items, options), c.typescript.workflowExports);
  throw new Error(`no ${kind} candidate`);
}

/** A history whose type the candidate lacks is told which types it has. */
async function* namingTypes(results: AsyncIterable<ReplayItemResult>, types: readonly string[] | undefined): AsyncGenerator<ReplayItemResult> {
  for await (const r of results) yield r.verdict === 'missing-workflow-type' ? { ...r, ...withCandidateTypes(r, types) } : r;
}

/** A bounded hand-over queue: `push` waits while it is full, so routing never piles histories up. */
class Feed<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private closed = false;
  private taker: (() => void) | undefined;
  private pusher: (() => void) | undefined;
  constructor(private readonly capacity: number) {}

  /** Waits while the queue is full; after close, drops the item (nobody will take it). */
  async push(item: T): Promise<void> {
    while (!this.closed && this.items.length >= this.capacity) await new Promise<void>((r) => (this.pusher = r));
    if (this.closed) return;
    this.items.push(item);
    this.wakeTaker();
  }

  close(): void {
    this.closed = true;
    this.wakeTaker();
    const p = this.pusher;
    this.pusher = undefined;
    p?.();
  }

  private wakeTaker(): void {
    const t = this.taker;
    this.taker = undefined;
    t?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        const p = this.pusher;
        this.pusher = undefined;
        p?.();
        yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((r) => (this.taker = r));
    }
  }
}

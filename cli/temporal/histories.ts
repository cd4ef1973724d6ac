/**
 * Live executions and their histories: list by visibility query, download concurrently and
 * lazily (bounded memory), and keep an optional on-disk cache keyed by run ID + last event ID, so a
 * history that has not grown is never downloaded twice.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { historyFacts, type HistoryFacts } from '../core/history-facts.js';
import { DEFAULT_DOWNLOAD_CONCURRENCY } from '../core/selection.js';
import { inShard, type Shard } from '../core/shard.js';
import { mapConcurrent } from '../util/concurrency.js';
import { SafeDeployError } from '../errors.js';
import { grpcCode, translateGrpcError } from './grpc-errors.js';

import { delimit, historyFactsFromBytes, readHistoryPage } from './history-bytes.js';
import type { TemporalHandle } from './connection.js';
import type { History } from './history-json.js';
import { historyBytes, type EncodedHistory } from './replay-item.js';
import type { ReplayItem } from './replayer.js';

const GRPC_NOT_FOUND = 5;
const GRPC_FAILED_PRECONDITION = 9;

const HistoryProto = proto.temporal.api.history.v1.History;
const HistoryRequest = proto.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;

export interface LiveExecution {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  /** As visibility reports it: may lag behind the execution (eventually consistent). */
  historyLength: number;
}

export interface ListOptions {
  limit?: number;
  shard?: Shard;
  signal?: AbortSignal;
}

/** How many executions match (for progress and for "not checked" counts). */
export async function countExecutions(t: TemporalHandle, query: string): Promise<number> {
  try {
    return (await t.client.workflow.count(query)).count;
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: 'count executions (query)' });
  }
}

export async function* listExecutions(t: TemporalHandle, query: string, options: ListOptions = {}): AsyncGenerator<LiveExecution> {
  let yielded = 0;
  try {
    for await (const info of t.client.workflow.list({ query })) {
      if (options.signal?.aborted) return;
      if (!inShard(info.workflowId, info.runId, options.shard)) continue;
      yield { workflowId: info.workflowId, runId: info.runId, workflowType: info.type, taskQueue: info.taskQueue, historyLength: info.historyLength };
      if (options.limit !== undefined && ++yielded >= options.limit) return;
    }
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: 'list executions (query)' });
  }
}

function cachePath(dir: string, runId: string, lastEventId: string | number): string {
  return join(dir, `${runId}@${lastEventId}.pb`);
}

/** A cached history's bytes (History, no length prefix), or undefined when it is not cached. */
async function readCachedBytes(dir: string, runId: string, lastEventId: number): Promise<Uint8Array | undefined> {
  try {
    return await readFile(cachePath(dir, runId, lastEventId));
  } catch {
    return undefined;
  }
}

async function readCached(dir: string, runId: string, lastEventId: number): Promise<History | undefined> {
  const bytes = await readCachedBytes(dir, runId, lastEventId);
  try {
    return bytes && HistoryProto.decode(bytes);
  } catch {
    return undefined;
  }
}

async function writeCachedBytes(dir: string, runId: string, bytes: Uint8Array, lastEventId: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const path = cachePath(dir, runId, lastEventId);
  const tmp = `${path}.${process.pid}.tmp`;
  // Written then renamed, so an interrupted run never leaves a truncated history in the cache.
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

async function writeCached(dir: string, runId: string, history: History, lastEventId: string): Promise<void> {
  await writeCachedBytes(dir, runId, HistoryProto.encode(HistoryProto.fromObject(history)).finish(), lastEventId);
}

async function currentHistoryLength(t: TemporalHandle, e: Pick<LiveExecution, 'workflowId' | 'runId'>): Promise<number> {
  try {
    const res = await t.connection.workflowService.describeWorkflowExecution({ namespace: t.namespace, execution: { workflowId: e.workflowId, runId: e.runId } });
    return Number(res.workflowExecutionInfo?.historyLength ?? 0);
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `describe ${e.workflowId}` });
  }
}

export interface FetchStats {
  downloaded: number;
  fromCache: number;
}

export async function fetchHistory(
  t: TemporalHandle,
  e: Pick<LiveExecution, 'workflowId' | 'runId' | 'historyLength'>,
  options: { cacheDir?: string; stats?: FetchStats } = {},
): Promise<History> {
  if (options.cacheDir) {
    // Visibility's historyLength lags; DescribeWorkflowExecution's is current and costs one small RPC.
    const length = await currentHistoryLength(t, e);
    const cached = length > 0 ? await readCached(options.cacheDir, e.runId, length) : undefined;
    if (cached) {
      if (options.stats) options.stats.fromCache++;
      return cached;
    }
  }
  let history: History;
  try {
    history = await t.client.workflow.getHandle(e.workflowId, e.runId).fetchHistory();
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `fetch the history of ${e.workflowId}` });
  }
  if (options.stats) options.stats.downloaded++;
  if (options.cacheDir) {
    const last = history.events?.[history.events.length - 1]?.eventId;
    await writeCached(options.cacheDir, e.runId, history, String(last ?? history.events?.length ?? 0));
  }
  return history;
}

/** Events per page of a newest-first read: what apply looks for is one of the last few. */
export const NEWEST_FIRST_PAGE_SIZE = 16;

/**
 * The history's events newest first, a small page at a time (GetWorkflowExecutionHistoryReverse),
 * read only as far as the caller iterates: finding an event near the end of a long history costs one
 * small page, not the whole history.
 */
export async function* eventsNewestFirst(
  t: TemporalHandle,
  e: Pick<LiveExecution, 'workflowId' | 'runId'>,
  pageSize = NEWEST_FIRST_PAGE_SIZE,
): AsyncGenerator<temporal.api.history.v1.IHistoryEvent> {
  let nextPageToken: Uint8Array | undefined;
  do {
    let page: temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryReverseResponse;
    try {
      page = await t.connection.workflowService.getWorkflowExecutionHistoryReverse({
        namespace: t.namespace,
        execution: { workflowId: e.workflowId, runId: e.runId },
        maximumPageSize: pageSize,
        nextPageToken,
      });
    } catch (err) {
      throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `read the history of ${e.workflowId}` });
    }
    yield* page.history?.events ?? [];
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
}

/** The connection's raw unary call (protobufjs' rpcImpl: bytes in, bytes out, through the SDK's interceptors). */
type RawCall = (method: { name: string }, request: Uint8Array, callback: (err: Error | null, response?: Uint8Array) => void) => unknown;

function rawCall(t: TemporalHandle): RawCall | undefined {
  const impl = (t.connection.workflowService as unknown as { rpcImpl?: unknown }).rpcImpl;
  return typeof impl === 'function' ? (impl as RawCall) : undefined;
}

function call(raw: RawCall, method: string, request: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    raw({ name: method }, request, (err, response) => (err ? reject(err) : response ? resolve(response) : reject(new Error(`${method}: empty response`))));
  });
}

/**
 * The history's pages as History bytes, never decoded; undefined when the server sends raw
 * history blobs instead (then the SDK's decoding path is used).
 */
async function downloadHistoryBytes(t: TemporalHandle, raw: RawCall, e: Pick<LiveExecution, 'workflowId' | 'runId'>): Promise<Uint8Array[] | undefined> {
  const pages: Uint8Array[] = [];
  let nextPageToken: Uint8Array | undefined;
  try {
    do {
      const request = HistoryRequest.encode({ namespace: t.namespace, execution: { workflowId: e.workflowId, runId: e.runId }, nextPageToken }).finish();
      const page = readHistoryPage(await call(raw, 'GetWorkflowExecutionHistory', request));
      if (page.raw) return undefined;
      pages.push(page.history);
      nextPageToken = page.nextPageToken;
    } while (nextPageToken);
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `fetch the history of ${e.workflowId}` });
  }
  return pages;
}

interface ForReplay {
  history: History | EncodedHistory;
  facts: HistoryFacts;
}

/** The pages joined as a length-delimited History (what the threads take), its facts, and the History bytes alone (a view of the same buffer). */
function fromBytes(pages: Uint8Array[]): ForReplay & { body: Uint8Array } {
  const history = { delimited: delimit(pages) };
  const body = historyBytes(history);
  return { history, facts: historyFactsFromBytes(body), body };
}

/** A history for the replay threads: as bytes when the connection allows it (no decode, no re-encode). */
async function fetchForReplay(t: TemporalHandle, e: LiveExecution, options: FetchOptions): Promise<ForReplay> {
  const raw = rawCall(t);
  if (raw) {
    if (options.cacheDir) {
      const length = await currentHistoryLength(t, e);
      const cached = length > 0 ? await readCachedBytes(options.cacheDir, e.runId, length) : undefined;
      if (cached) {
        try {
          const { history, facts } = fromBytes([cached]);
          if (options.stats) options.stats.fromCache++;
          return { history, facts };
        } catch {
          // An unreadable cache file is downloaded again.
        }
      }
    }
    const pages = await downloadHistoryBytes(t, raw, e);
    if (pages) {
      const { history, facts, body } = fromBytes(pages);
      if (options.stats) options.stats.downloaded++;
      if (options.cacheDir) await writeCachedBytes(options.cacheDir, e.runId, body, facts.lastEventId);
      return { history, facts };
    }
  }
  const history = await fetchHistory(t, e, options);
  return { history, facts: historyFacts(history) };
}

export interface FetchOptions {
  concurrency?: number;
  cacheDir?: string;
  signal?: AbortSignal;
  stats?: FetchStats;
  /**
   * Called for an execution the server answered about but whose history it would not return
   * (deleted since it was listed, say); the execution is skipped. Without it, that is fatal.
   * An unreachable server is always fatal: it says nothing about the execution.
   */
  onUnfetchable?: (execution: LiveExecution, error: SafeDeployError) => void;
}

/** The server answered and refused this one execution: it is still up, so the run can go on. */
function isPerExecutionFailure(err: unknown): boolean {
  const code = grpcCode(err);
  return code === GRPC_NOT_FOUND || code === GRPC_FAILED_PRECONDITION;
}

/** Downloads histories `concurrency` at a time, pulling executions only as replay keeps up. */
export async function* fetchHistories(
  t: TemporalHandle,
  executions: AsyncIterable<LiveExecution>,
  options: FetchOptions = {},
): AsyncGenerator<ReplayItem> {
  const fetched = mapConcurrent(
    executions,
    async (e): Promise<ReplayItem | undefined> => {
      let fetched: ForReplay;
      try {
        fetched = await fetchForReplay(t, e, options);
      } catch (err) {
        if (!options.onUnfetchable || !(err instanceof SafeDeployError) || !isPerExecutionFailure(err.cause ?? err)) throw err;
        options.onUnfetchable(e, err);
        return undefined;
      }
      const { history, facts } = fetched;
      return { workflowId: e.workflowId, history, facts: { ...facts, workflowId: e.workflowId, runId: e.runId }, origin: 'server' };
    },
    options.concurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY,
    options.signal,
  );
  for await (const item of fetched) if (item) yield item;
}

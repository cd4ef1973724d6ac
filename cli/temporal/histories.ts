/**
 * Live executions and their histories: list by visibility query, download concurrently and
 * lazily (bounded memory), and keep an optional on-disk cache keyed by run ID + last event ID, so a
 * history that has not grown is never downloaded twice.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { historyFacts } from '../core/history-facts.js';
import { inShard, type Shard } from '../core/shard.js';
import { mapConcurrent } from '../util/concurrency.js';
import { SafeDeployError } from '../errors.js';
import { grpcCode, translateGrpcError } from './grpc-errors.js';

const GRPC_NOT_FOUND = 5;
const GRPC_FAILED_PRECONDITION = 9;
import type { TemporalHandle } from './connection.js';
import type { History } from './history-json.js';
import type { ReplayItem } from './replayer.js';

const HistoryProto = proto.temporal.api.history.v1.History;

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

async function readCached(dir: string, runId: string, lastEventId: number): Promise<History | undefined> {
  try {
    return HistoryProto.decode(await readFile(cachePath(dir, runId, lastEventId)));
  } catch {
    return undefined;
  }
}

async function writeCached(dir: string, runId: string, history: History, lastEventId: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const path = cachePath(dir, runId, lastEventId);
  const tmp = `${path}.${process.pid}.tmp`;
  // Written then renamed, so an interrupted run never leaves a truncated history in the cache.
  await writeFile(tmp, HistoryProto.encode(HistoryProto.fromObject(history)).finish());
  await rename(tmp, path);
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
      let history: History;
      try {
        history = await fetchHistory(t, e, options);
      } catch (err) {
        if (!options.onUnfetchable || !(err instanceof SafeDeployError) || !isPerExecutionFailure(err.cause ?? err)) throw err;
        options.onUnfetchable(e, err);
        return undefined;
      }
      const facts = historyFacts(history);
      return { workflowId: e.workflowId, history, facts: { ...facts, workflowId: e.workflowId, runId: e.runId }, origin: 'server' };
    },
    options.concurrency ?? 8,
    options.signal,
  );
  for await (const item of fetched) if (item) yield item;
}

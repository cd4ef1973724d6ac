/**
 * `safe-deploy histories pull`: the histories of a live selection into a folder, one file per
 * execution named by workflow ID and run ID, in the CLI's JSON format, downloaded concurrently.
 * Each file is written to a temporary name and renamed, so a file that exists is complete: a pull
 * run again (after an interrupt, or to add new executions) downloads only what the folder lacks.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildVisibilityQuery, DEFAULT_DOWNLOAD_CONCURRENCY, type SelectionOptions } from '../core/selection.js';
import { historyFileName } from '../core/history-files.js';
import { SafeDeployError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeDeployment, unknownDeploymentError } from '../temporal/deployments.js';
import { countExecutions, fetchHistory, listExecutions, type LiveExecution } from '../temporal/histories.js';
import { historyToJson } from '../temporal/history-json.js';
import { mapConcurrent } from '../util/concurrency.js';

export const PULL_SCHEMA_VERSION = 1;

export interface PullInput {
  temporal: TemporalHandle;
  selection: SelectionOptions;
  outDir: string;
  limit?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface PulledFile {
  workflowId: string;
  runId: string;
  file: string;
  /** `downloaded` now, or `kept`: the folder already had it (an earlier pull). */
  status: 'downloaded' | 'kept' | 'failed';
  events?: number;
  message?: string;
}

export interface PullReport {
  schemaVersion: typeof PULL_SCHEMA_VERSION;
  outDir: string;
  selection: { address: string; namespace: string; query: string };
  counts: { selected: number; downloaded: number; kept: number; failed: number };
  files: PulledFile[];
  /** Stopped by Ctrl-C: the executions never reached are pulled by running it again. */
  interrupted?: { notPulled: number };
}

async function pullOne(t: TemporalHandle, e: LiveExecution, outDir: string): Promise<PulledFile> {
  const file = join(outDir, historyFileName(e.workflowId, e.runId));
  const base = { workflowId: e.workflowId, runId: e.runId, file };
  if (existsSync(file)) return { ...base, status: 'kept' };
  try {
    const history = await fetchHistory(t, e);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, historyToJson(history));
    await rename(tmp, file);
    return { ...base, status: 'downloaded', events: history.events?.length ?? 0 };
  } catch (err) {
    if (!(err instanceof SafeDeployError) || err.exitCode !== 3) throw err;
    return { ...base, status: 'failed', message: err.message };
  }
}

export async function runPull(input: PullInput): Promise<PullReport> {
  const { temporal: t } = input;
  if (input.selection.deployment && !(await describeDeployment(t, input.selection.deployment))) throw unknownDeploymentError(t, input.selection.deployment);
  const query = buildVisibilityQuery(input.selection);
  const count = await countExecutions(t, query);
  const total = input.limit !== undefined ? Math.min(input.limit, count) : count;
  await mkdir(input.outDir, { recursive: true });
  const files: PulledFile[] = [];
  const pulled = mapConcurrent(
    listExecutions(t, query, { limit: input.limit, signal: input.signal }),
    (e) => pullOne(t, e, input.outDir),
    input.concurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY,
    input.signal,
  );
  for await (const f of pulled) {
    files.push(f);
    input.onProgress?.(files.length, total);
  }
  files.sort((a, b) => a.file.localeCompare(b.file));
  const counted = (status: PulledFile['status']) => files.filter((f) => f.status === status).length;
  return {
    schemaVersion: PULL_SCHEMA_VERSION,
    outDir: input.outDir,
    selection: { address: t.address, namespace: t.namespace, query },
    counts: { selected: total, downloaded: counted('downloaded'), kept: counted('kept'), failed: counted('failed') },
    files,
    ...(input.signal?.aborted && { interrupted: { notPulled: Math.max(0, total - files.length) } }),
  };
}

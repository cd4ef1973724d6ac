/** Recent batch operations and their reasons (ListBatchOperations, then DescribeBatchOperation each). */
import type { BatchWindow } from '../core/overrides.js';
import { translateGrpcError } from './grpc-errors.js';
import type { TemporalHandle } from './connection.js';

interface TimestampLike {
  seconds?: { toString(): string } | number | null;
  nanos?: number | null;
}

const ms = (ts: TimestampLike | null | undefined): number | undefined =>
  ts?.seconds === undefined || ts?.seconds === null ? undefined : Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);

/** Batch jobs whose ID starts with `prefix` (ours: `safe-deploy-`). */
export async function listBatchWindows(t: TemporalHandle, prefix: string, max = 1000): Promise<BatchWindow[]> {
  const out: BatchWindow[] = [];
  let nextPageToken: Uint8Array | undefined;
  try {
    do {
      const res = await t.connection.workflowService.listBatchOperations({ namespace: t.namespace, pageSize: 100, nextPageToken });
      for (const info of res.operationInfo ?? []) {
        if (!info.jobId?.startsWith(prefix)) continue;
        const d = await t.connection.workflowService.describeBatchOperation({ namespace: t.namespace, jobId: info.jobId });
        const startMs = ms(d.startTime) ?? ms(info.startTime);
        if (startMs === undefined) continue;
        const closeMs = ms(d.closeTime) ?? ms(info.closeTime);
        out.push({ jobId: info.jobId, ...(d.reason && { reason: d.reason }), startMs, ...(closeMs !== undefined && closeMs > 0 && { closeMs }) });
      }
      nextPageToken = res.nextPageToken?.length ? res.nextPageToken : undefined;
    } while (nextPageToken && out.length < max);
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: 'list batch operations' });
  }
  return out;
}

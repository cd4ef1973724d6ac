/**
 * describe deployment -> list its running executions (visibility) -> describe each (the override
 * is not in visibility) -> group. Returns the report as data; the command shows it.
 */
import { buildVisibilityQuery } from '../core/selection.js';
import { DEFAULT_DESCRIBE_CONCURRENCY, ExecutionTally, statusReportOf, type StatusReport } from '../core/status.js';
import { InterruptedError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeDeployment, unknownDeploymentError } from '../temporal/deployments.js';
import { countExecutions, listExecutions } from '../temporal/histories.js';
import { describeRun } from '../temporal/signals.js';
import { mapConcurrent } from '../util/concurrency.js';

export interface StatusInput {
  temporal: TemporalHandle;
  deployment: string;
  /** Describe at most this many executions. */
  limit?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (described: number, total: number) => void;
}

export async function runStatus(input: StatusInput): Promise<StatusReport> {
  const { temporal: t, deployment: name } = input;
  const deployment = await describeDeployment(t, name);
  if (!deployment) throw unknownDeploymentError(t, name);

  const query = buildVisibilityQuery({ deployment: name });
  const total = await countExecutions(t, query);
  // Counted as described, not kept: the memory of the groups at any number of executions.
  const tally = new ExecutionTally();
  const described = mapConcurrent(
    listExecutions(t, query, { limit: input.limit, signal: input.signal }),
    (e) => describeRun(t, e.workflowId, e.runId),
    input.concurrency ?? DEFAULT_DESCRIBE_CONCURRENCY,
    input.signal,
  );
  for await (const run of described) {
    // Closed since it was listed (or gone): not running any more, so not counted.
    if (run?.status !== 'RUNNING') continue;
    tally.add({
      workflowType: run.workflowType,
      behavior: run.behavior,
      ...(run.version && { version: run.version }),
      ...(run.override && { override: run.override }),
      ...(run.transitioningTo && { transitioningTo: run.transitioningTo }),
    });
    input.onProgress?.(tally.described, total);
  }
  if (input.signal?.aborted) throw new InterruptedError('interrupted while describing executions', 'run it again; status changes nothing');
  return statusReportOf(deployment, tally, { total, limit: input.limit });
}

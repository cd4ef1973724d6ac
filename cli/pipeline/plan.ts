/** check + the versioning state of each execution now -> a plan (data). Changes nothing. */
import { planExecution, PLAN_SCHEMA_VERSION, sortPlanExecutions, type Plan, type PlanPolicy } from '../core/plan.js';
import { versionString } from '../core/versioning.js';
import { TemporalError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeExecution } from '../temporal/executions.js';
import { mapConcurrent } from '../util/concurrency.js';
import { runCheck, type CheckInput, type CheckRun } from './check.js';

export interface PlanInput extends Omit<CheckInput, 'selection'> {
  temporal: TemporalHandle;
  deployment: string;
  /** The Build ID the candidate ships as. */
  buildId: string;
  policy: PlanPolicy;
  /** Extra selectors within the deployment. */
  taskQueue?: string;
  workflowTypes?: string[];
  query?: string;
  limit?: number;
}

export interface PlanRun {
  plan: Plan;
  check: CheckRun;
}

export async function runPlan(input: PlanInput): Promise<PlanRun> {
  const check = await runCheck({
    ...input,
    selection: {
      kind: 'server',
      temporal: input.temporal,
      selection: { deployment: input.deployment, taskQueue: input.taskQueue, workflowTypes: input.workflowTypes, query: input.query },
      limit: input.limit,
    },
    candidate: { ...input.candidate, buildId: input.buildId },
  });
  // A plan must cover every selected execution: one left out would be upgraded by routing unprotected.
  const unfetchable = check.report.unchecked?.filter((u) => u.reason === 'unfetchable') ?? [];
  if (unfetchable.length > 0) {
    throw new TemporalError(
      `${unfetchable.length} execution(s) could not be fetched, so no plan was made: ${unfetchable.map((u) => `${u.workflowId} (${u.message})`).join('; ')}`,
      'run it again; an execution that closed since it was listed drops out of the selection',
    );
  }
  const candidateVersion = versionString(input.deployment, input.buildId);
  const bundleHash = check.report.candidate.bundleHash;
  const executions = [];
  // DescribeWorkflowExecution is strongly consistent; the list that selected them is not.
  for await (const planned of mapConcurrent(
    check.report.results,
    async (result) => {
      const now = await describeExecution(input.temporal, { workflowId: result.workflowId, runId: result.runId });
      return now.running ? planExecution(result, now, { candidateVersion, bundleHash, policy: input.policy }) : undefined;
    },
    16,
  )) {
    if (planned) executions.push(planned);
  }
  const plan: Plan = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    deployment: input.deployment,
    candidate: {
      buildId: input.buildId,
      version: candidateVersion,
      bundleHash,
      source: check.report.candidate.source,
      ...(check.report.candidate.sdk && { sdks: check.report.candidate.sdks ?? [check.report.candidate.sdk] }),
    },
    policy: input.policy,
    selection: check.report.selection,
    ...(input.shard && { shard: input.shard }),
    executions: sortPlanExecutions(executions),
  };
  return { plan, check };
}

/** check + the versioning state of each execution now -> a plan file (data). Changes nothing. */
import { planExecution, planOrder, PLAN_SCHEMA_VERSION, type PlanHeader, type PlanPolicy, type PlanSource } from '../core/plan.js';
import { versionString } from '../core/versioning.js';
import { TemporalError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeExecution } from '../temporal/executions.js';
import { mapOrdered } from '../util/concurrency.js';
import { runCheck, type CheckInput, type CheckRun } from './check.js';
import { writePlanFile } from './plan-file.js';

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
  /** Where the plan is written. */
  out: string;
}

export interface PlanRun {
  /** The plan as written to `out`; undefined when the check was interrupted (nothing written). */
  plan?: PlanSource;
  check: CheckRun;
}

/** Executions described at once. */
const DESCRIBE_CONCURRENCY = 16;

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
  if (check.report.interrupted) return { check };
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
  const header: PlanHeader = {
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
  };
  // Each execution is described (strongly consistent, where the list that selected it is not) and
  // written out in plan order as its describe returns: the planned executions are never held.
  async function* planned() {
    const described = mapOrdered(
      [...check.report.results].sort(planOrder),
      async (result) => ({ result, now: await describeExecution(input.temporal, { workflowId: result.workflowId, runId: result.runId }) }),
      DESCRIBE_CONCURRENCY,
    );
    for await (const { result, now } of described) {
      if (now.running) yield planExecution(result, now, { candidateVersion, bundleHash, policy: input.policy });
    }
  }
  return { plan: await writePlanFile(input.out, header, planned()), check };
}

/**
 * Wait or promote: either wait until the candidate is current (someone else, e.g. the Worker
 * Controller, promotes it), or promote it ourselves once its workers poll, optionally in ramp steps.
 * A deployment whose routing is managed by another identity is detected and explained, not fought.
 */
import { SAFE_DEPLOY_IDENTITY } from '../core/plan.js';
import { versionString, type DeploymentState } from '../core/versioning.js';
import { InterruptedError, TemporalError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeDeployment, setCurrentVersion, setRampingVersion, waitForDeployment } from '../temporal/deployments.js';
import { sleep } from '../util/rate.js';

export interface PromoteInput {
  temporal: TemporalHandle;
  deployment: string;
  buildId: string;
  /** Ramp percentages before 100 (e.g. [10, 50]); empty for straight to current. */
  ramp?: number[];
  rampIntervalMs?: number;
  pollersTimeoutMs?: number;
  signal?: AbortSignal;
  onStep?: (message: string) => void;
}

export class ManagedDeploymentError extends TemporalError {}

export function assertNotManagedByOthers(state: DeploymentState | undefined, deployment: string): void {
  const manager = state?.managerIdentity;
  if (manager && manager !== SAFE_DEPLOY_IDENTITY) {
    throw new ManagedDeploymentError(
      `Worker Deployment ${deployment} is managed by "${manager}"; safe-deploy will not change its routing`,
      'let that manager (e.g. the Temporal Worker Controller) promote the version, and run with --wait-for-current instead of --promote',
    );
  }
}

export async function promoteCandidate(input: PromoteInput): Promise<DeploymentState | undefined> {
  const { temporal, deployment, buildId } = input;
  const version = versionString(deployment, buildId);
  input.onStep?.(`waiting for workers of ${version} to poll...`);
  const seen = await waitForDeployment(temporal, deployment, (d) => Boolean(d?.versions.some((v) => v.buildId === buildId)), {
    timeoutMs: input.pollersTimeoutMs ?? 120_000,
    signal: input.signal,
  });
  if (input.signal?.aborted) throw new InterruptedError(`interrupted while waiting for workers of ${version} to poll`);
  if (!seen.ok) {
    throw new TemporalError(`no worker of ${version} has polled yet`, 'did the rollout start the new workers with this deployment name and Build ID?');
  }
  assertNotManagedByOthers(seen.state, deployment);
  if (seen.state?.currentVersion === version) return seen.state;
  for (const percentage of input.ramp ?? []) {
    if (percentage >= 100) break;
    const d = await describeDeployment(temporal, deployment);
    assertNotManagedByOthers(d, deployment);
    input.onStep?.(`ramping ${version} to ${percentage}%`);
    await retryWhileRegistering(input, async () => {
      const fresh = await describeDeployment(temporal, deployment);
      await setRampingVersion(temporal, deployment, buildId, percentage, { identity: SAFE_DEPLOY_IDENTITY, conflictToken: fresh?.conflictToken });
    });
    await sleep(input.rampIntervalMs ?? 30_000, input.signal);
    if (input.signal?.aborted) throw new InterruptedError(`interrupted while ${version} was ramping at ${percentage}%`);
  }
  input.onStep?.(`setting ${version} current`);
  await retryWhileRegistering(input, async () => {
    const d = await describeDeployment(temporal, deployment);
    assertNotManagedByOthers(d, deployment);
    await setCurrentVersion(temporal, deployment, buildId, { identity: SAFE_DEPLOY_IDENTITY, conflictToken: d?.conflictToken });
  });
  return describeDeployment(temporal, deployment);
}

/**
 * A version appears with its first poller, but its other task queues (activity, other queues)
 * register moments later; until then the server refuses to route to it ("missing active task
 * queues"). Retry that one refusal until the pollers timeout.
 */
async function retryWhileRegistering(input: PromoteInput, call: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + (input.pollersTimeoutMs ?? 120_000);
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const registering = err instanceof TemporalError && /missing active task queues/i.test(err.message);
      if (!registering || Date.now() > deadline || input.signal?.aborted) throw err;
      await sleep(500, input.signal);
    }
  }
}

export async function waitForCurrent(input: Omit<PromoteInput, 'ramp' | 'rampIntervalMs'> & { timeoutMs: number }): Promise<DeploymentState | undefined> {
  const version = versionString(input.deployment, input.buildId);
  input.onStep?.(`waiting for ${version} to become current...`);
  const r = await waitForDeployment(input.temporal, input.deployment, (d) => d?.currentVersion === version, { timeoutMs: input.timeoutMs, signal: input.signal });
  if (input.signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${version} to become current`);
  if (!r.ok) {
    throw new TemporalError(
      `${version} did not become current within ${Math.round(input.timeoutMs / 1000)}s (current: ${r.state?.currentVersion ?? 'none'})`,
      'is the rollout finished and the promotion (e.g. by the Worker Controller) under way? or use --promote',
    );
  }
  return r.state;
}

export type RolloutGate = 'promote' | 'wait-for-current';

export interface GateInput extends Omit<PromoteInput, 'pollersTimeoutMs'> {
  gate: RolloutGate | undefined;
  timeoutMs: number;
}

/** Between protect and upgrade: promote the candidate ourselves, or wait for its manager to; or neither. */
export async function passRolloutGate(input: GateInput): Promise<void> {
  switch (input.gate) {
    case undefined:
      return;
    case 'promote':
      await promoteCandidate({ ...input, pollersTimeoutMs: input.timeoutMs });
      return;
    case 'wait-for-current':
      await waitForCurrent(input);
      return;
  }
}

export function rolloutGate(flags: { promote?: boolean; waitForCurrent?: boolean }): RolloutGate | undefined {
  return flags.promote ? 'promote' : flags.waitForCurrent ? 'wait-for-current' : undefined;
}

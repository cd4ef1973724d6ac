/** Worker Deployments: read routing and version status; promote a version (raw RPCs, SDK 1.24). */
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { formatVersion } from '../core/history-facts.js';
import type { DeploymentState, VersionStatus } from '../core/versioning.js';
import { UsageError } from '../errors.js';
import { translateGrpcError } from './grpc-errors.js';
import type { TemporalHandle } from './connection.js';

const Status = proto.temporal.api.enums.v1.WorkerDeploymentVersionStatus;

export function versionStatusFromProto(s: temporal.api.enums.v1.WorkerDeploymentVersionStatus | null | undefined): VersionStatus {
  switch (s ?? Status.WORKER_DEPLOYMENT_VERSION_STATUS_UNSPECIFIED) {
    case Status.WORKER_DEPLOYMENT_VERSION_STATUS_UNSPECIFIED:
      return 'UNSPECIFIED';
    case Status.WORKER_DEPLOYMENT_VERSION_STATUS_INACTIVE:
      return 'INACTIVE';
    case Status.WORKER_DEPLOYMENT_VERSION_STATUS_CREATED:
      return 'CREATED';
    case Status.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT:
      return 'CURRENT';
    case Status.WORKER_DEPLOYMENT_VERSION_STATUS_RAMPING:
      return 'RAMPING';
    case Status.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING:
      return 'DRAINING';
    case Status.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED:
      return 'DRAINED';
  }
  return 'UNSPECIFIED';
}

/** A name that matches no Worker Deployment: the same message and hint for every command that takes --deployment. */
export function unknownDeploymentError(t: Pick<TemporalHandle, 'address' | 'namespace'>, name: string): UsageError {
  return new UsageError(
    `Worker Deployment "${name}" not found in namespace "${t.namespace}" at ${t.address}`,
    'check --deployment and --namespace; a deployment exists once a worker of it has polled (`temporal worker deployment list` shows them); for its first deploy, pass --new-deployment to deploy',
  );
}

/** Undefined when the deployment does not exist yet (no worker of it has polled). */
export async function describeDeployment(t: TemporalHandle, name: string): Promise<DeploymentState | undefined> {
  let res: temporal.api.workflowservice.v1.IDescribeWorkerDeploymentResponse;
  try {
    res = await t.connection.workflowService.describeWorkerDeployment({ namespace: t.namespace, deploymentName: name });
  } catch (err) {
    if ((err as { code?: number }).code === 5) return undefined;
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `describe deployment ${name}` });
  }
  const info = res.workerDeploymentInfo;
  const routing = info?.routingConfig;
  return {
    name,
    conflictToken: res.conflictToken ?? undefined,
    currentVersion: formatVersion(routing?.currentDeploymentVersion),
    rampingVersion: formatVersion(routing?.rampingDeploymentVersion),
    rampingPercentage: routing?.rampingVersionPercentage ?? 0,
    versions: (info?.versionSummaries ?? []).flatMap((v) => {
      const version = formatVersion(v.deploymentVersion);
      const buildId = v.deploymentVersion?.buildId;
      const last = v.lastCurrentTime?.seconds;
      const lastCurrentMs = last === undefined || last === null ? undefined : Number(last) * 1000;
      return version && buildId ? [{ version, buildId, status: versionStatusFromProto(v.status), ...(lastCurrentMs && { lastCurrentMs }) }] : [];
    }),
    managerIdentity: info?.managerIdentity || undefined,
  };
}

export interface PromoteOptions {
  identity: string;
  conflictToken?: Uint8Array;
  /** Promote even if the version has no pollers yet (off by default: a version without workers strands work). */
  allowNoPollers?: boolean;
}

export async function setCurrentVersion(t: TemporalHandle, deploymentName: string, buildId: string, options: PromoteOptions): Promise<void> {
  try {
    await t.connection.workflowService.setWorkerDeploymentCurrentVersion({
      namespace: t.namespace,
      deploymentName,
      buildId,
      conflictToken: options.conflictToken,
      identity: options.identity,
      allowNoPollers: options.allowNoPollers ?? false,
    });
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `set ${deploymentName}:${buildId} current` });
  }
}

export async function setRampingVersion(
  t: TemporalHandle,
  deploymentName: string,
  buildId: string,
  percentage: number,
  options: PromoteOptions,
): Promise<void> {
  try {
    await t.connection.workflowService.setWorkerDeploymentRampingVersion({
      namespace: t.namespace,
      deploymentName,
      buildId,
      percentage,
      conflictToken: options.conflictToken,
      identity: options.identity,
      allowNoPollers: options.allowNoPollers ?? false,
    });
  } catch (err) {
    throw translateGrpcError(err, { address: t.address, namespace: t.namespace, action: `ramp ${deploymentName}:${buildId} to ${percentage}%` });
  }
}

/** Polls until `predicate` holds for the deployment, or the timeout passes (returns the last state). */
export async function waitForDeployment(
  t: TemporalHandle,
  name: string,
  predicate: (d: DeploymentState | undefined) => boolean,
  options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<{ ok: boolean; state: DeploymentState | undefined }> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const state = await describeDeployment(t, name);
    if (predicate(state)) return { ok: true, state };
    if (Date.now() >= deadline || options.signal?.aborted) return { ok: false, state };
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}

/**
 * The server's versioning vocabulary as plain data, so the planner can reason without the SDK.
 * A version is written `deployment:buildId` (':' since server 1.28).
 */

export type VersioningBehavior = 'PINNED' | 'AUTO_UPGRADE' | 'UNVERSIONED';

export type VersioningOverride = { kind: 'auto_upgrade' } | { kind: 'pinned'; version: string };

/** Per-execution versioning state, as DescribeWorkflowExecution reports it. */
export interface ExecutionVersioning {
  /** What the workflow declared (or the worker's default). */
  behavior: VersioningBehavior;
  /** The version its workflow tasks run on now. */
  version?: string;
  override?: VersioningOverride;
}

export type VersionStatus = 'INACTIVE' | 'CREATED' | 'CURRENT' | 'RAMPING' | 'DRAINING' | 'DRAINED' | 'UNSPECIFIED';

export interface DeploymentVersionSummary {
  version: string;
  buildId: string;
  status: VersionStatus;
  /** When it last stopped being current (ms since the epoch), if it ever was. */
  lastCurrentMs?: number;
}

export interface DeploymentState {
  name: string;
  conflictToken?: Uint8Array;
  currentVersion?: string;
  rampingVersion?: string;
  rampingPercentage: number;
  versions: DeploymentVersionSummary[];
  /** Set when another client (e.g. the Worker Controller) owns routing changes. */
  managerIdentity?: string;
}

/** The override if there is one, else the declared behavior. */
export function effectiveBehavior(v: ExecutionVersioning): VersioningBehavior {
  if (!v.override) return v.behavior;
  switch (v.override.kind) {
    case 'auto_upgrade':
      return 'AUTO_UPGRADE';
    case 'pinned':
      return 'PINNED';
  }
}

export function versionString(deploymentName: string, buildId: string): string {
  return `${deploymentName}:${buildId}`;
}

export function parseVersion(version: string): { deploymentName: string; buildId: string } {
  const i = version.indexOf(':');
  if (i <= 0 || i === version.length - 1) throw new Error(`not a Worker Deployment Version: "${version}" (expected deployment:buildId)`);
  return { deploymentName: version.slice(0, i), buildId: version.slice(i + 1) };
}

/**
 * `safe-deploy status` as data: a deployment's versions and its running executions counted per
 * version x effective behavior x override. Pure: the pipeline feeds it what the server reported.
 */
import { effectiveBehavior, type DeploymentState, type ExecutionVersioning, type VersionStatus, type VersioningBehavior, type VersioningOverride } from './versioning.js';

export const STATUS_SCHEMA_VERSION = 1;

/** Executions described at once by `status` and `nudge` (the default of their --concurrency). */
export const DEFAULT_DESCRIBE_CONCURRENCY = 16;

/** `none`, `auto_upgrade` or `pinned:<deployment:buildId>`. */
export type OverrideLabel = 'none' | 'auto_upgrade' | `pinned:${string}`;

/** The version label of an execution that never completed a task on a versioned worker. */
export const UNVERSIONED = 'unversioned';

/** One running execution as DescribeWorkflowExecution reported it. */
export interface ObservedExecution extends ExecutionVersioning {
  workflowType: string;
  transitioningTo?: string;
}

export interface ExecutionGroup {
  /** `deployment:buildId`, or `unversioned`. */
  version: string;
  /** The effective behavior: the override's if there is one, else the declared one. */
  behavior: VersioningBehavior;
  override: OverrideLabel;
  /** Set for executions on their way to another version (next task not completed there yet). */
  transitioningTo?: string;
  count: number;
}

export interface StatusVersion {
  version: string;
  buildId: string;
  status: VersionStatus;
  /** Only on the ramping version. */
  rampingPercentage?: number;
  /** Running executions described on this version (within --limit). */
  runningExecutions: number;
}

export interface StatusReport {
  schemaVersion: typeof STATUS_SCHEMA_VERSION;
  deployment: string;
  currentVersion?: string;
  rampingVersion?: string;
  rampingPercentage?: number;
  /** Set when another client (e.g. the Worker Controller) owns routing changes. */
  managerIdentity?: string;
  versions: StatusVersion[];
  executions: {
    /** Running executions visibility counts for the deployment (eventually consistent). */
    total: number;
    /** How many were described and are counted in `groups`. */
    described: number;
    /** The --limit that cut the listing short, when it did. */
    limit?: number;
    groups: ExecutionGroup[];
  };
}

export function overrideLabel(o: VersioningOverride | undefined): OverrideLabel {
  if (!o) return 'none';
  switch (o.kind) {
    case 'auto_upgrade':
      return 'auto_upgrade';
    case 'pinned':
      return `pinned:${o.version}`;
  }
}

/** Most relevant first: where new work goes, then what still runs old code, then what is done. */
const STATUS_ORDER: Record<VersionStatus, number> = {
  CURRENT: 0,
  RAMPING: 1,
  DRAINING: 2,
  INACTIVE: 3,
  CREATED: 4,
  DRAINED: 5,
  UNSPECIFIED: 6,
};

const BEHAVIOR_ORDER: Record<VersioningBehavior, number> = { PINNED: 0, AUTO_UPGRADE: 1, UNVERSIONED: 2 };

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Executions counted into their groups as they are described: it holds the groups, never the executions. */
export class ExecutionTally {
  private readonly byKey = new Map<string, ExecutionGroup>();
  described = 0;

  add(e: ObservedExecution): void {
    this.described++;
    const version = e.version ?? UNVERSIONED;
    const behavior = effectiveBehavior(e);
    const override = overrideLabel(e.override);
    const key = `${version}\u0000${behavior}\u0000${override}\u0000${e.transitioningTo ?? ''}`;
    const existing = this.byKey.get(key);
    if (existing) existing.count++;
    else this.byKey.set(key, { version, behavior, override, ...(e.transitioningTo && { transitioningTo: e.transitioningTo }), count: 1 });
  }

  groups(): ExecutionGroup[] {
    return sortGroups([...this.byKey.values()]);
  }
}

export function tallyExecutions(executions: Iterable<ObservedExecution>): ExecutionTally {
  const tally = new ExecutionTally();
  for (const e of executions) tally.add(e);
  return tally;
}

export function groupExecutions(executions: Iterable<ObservedExecution>): ExecutionGroup[] {
  return tallyExecutions(executions).groups();
}

function sortGroups(groups: ExecutionGroup[]): ExecutionGroup[] {
  return groups.sort(
    (a, b) =>
      compareText(a.version, b.version) ||
      BEHAVIOR_ORDER[a.behavior] - BEHAVIOR_ORDER[b.behavior] ||
      compareText(a.override, b.override) ||
      compareText(a.transitioningTo ?? '', b.transitioningTo ?? ''),
  );
}

export function buildStatusReport(deployment: DeploymentState, executions: Iterable<ObservedExecution>, counts: { total: number; limit?: number }): StatusReport {
  return statusReportOf(deployment, tallyExecutions(executions), counts);
}

export function statusReportOf(deployment: DeploymentState, tally: ExecutionTally, counts: { total: number; limit?: number }): StatusReport {
  const groups = tally.groups();
  const described = tally.described;
  const perVersion = new Map<string, number>();
  for (const g of groups) perVersion.set(g.version, (perVersion.get(g.version) ?? 0) + g.count);
  const versions = [...deployment.versions]
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || compareText(a.version, b.version))
    .map(
      (v): StatusVersion => ({
        version: v.version,
        buildId: v.buildId,
        status: v.status,
        ...(v.version === deployment.rampingVersion && { rampingPercentage: deployment.rampingPercentage }),
        runningExecutions: perVersion.get(v.version) ?? 0,
      }),
    );
  const limited = counts.limit !== undefined && described >= counts.limit && counts.total > described;
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    deployment: deployment.name,
    ...(deployment.currentVersion && { currentVersion: deployment.currentVersion }),
    ...(deployment.rampingVersion && { rampingVersion: deployment.rampingVersion, rampingPercentage: deployment.rampingPercentage }),
    ...(deployment.managerIdentity && { managerIdentity: deployment.managerIdentity }),
    versions,
    executions: {
      total: Math.max(counts.total, described),
      described,
      ...(limited && { limit: counts.limit }),
      groups,
    },
  };
}

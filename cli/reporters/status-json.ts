/**
 * `safe-deploy status --output json`: the report as a stable document for scripts. Objects are
 * rebuilt field by field so the key order follows the interfaces.
 */
import type { ExecutionGroup, StatusReport, StatusVersion } from '../core/status.js';
import { writeStdout } from './stdout.js';

function versionJson(v: StatusVersion): StatusVersion {
  return { version: v.version, buildId: v.buildId, status: v.status, rampingPercentage: v.rampingPercentage, runningExecutions: v.runningExecutions };
}

function groupJson(g: ExecutionGroup): ExecutionGroup {
  return { version: g.version, behavior: g.behavior, override: g.override, transitioningTo: g.transitioningTo, count: g.count };
}

export function statusJson(report: StatusReport): StatusReport {
  return {
    schemaVersion: report.schemaVersion,
    deployment: report.deployment,
    currentVersion: report.currentVersion,
    rampingVersion: report.rampingVersion,
    rampingPercentage: report.rampingPercentage,
    managerIdentity: report.managerIdentity,
    versions: report.versions.map(versionJson),
    executions: {
      total: report.executions.total,
      described: report.executions.described,
      limit: report.executions.limit,
      groups: report.executions.groups.map(groupJson),
    },
  };
}

export function renderStatusJson(report: StatusReport): string {
  return JSON.stringify(statusJson(report), null, 2) + '\n';
}

export function reportStatusJson(report: StatusReport): void {
  writeStdout(renderStatusJson(report));
}

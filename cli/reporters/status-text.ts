/**
 * `safe-deploy status` for a terminal: the deployment's routing, a table of its versions with how
 * many running executions each holds, and a table of those executions per version x effective
 * behavior x override.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { ExecutionGroup, StatusReport, StatusVersion } from '../core/status.js';
import type { VersionStatus } from '../core/versioning.js';
import { alignColumns } from './check-columns.js';
import { oneLine, plural } from './check-wording.js';
import { writeStdout } from './stdout.js';

export interface StatusTextOptions {
  color?: boolean;
}

function paintStatus(c: ChalkInstance, status: VersionStatus, text: string): string {
  switch (status) {
    case 'CURRENT':
      return c.green(text);
    case 'RAMPING':
      return c.cyan(text);
    case 'DRAINING':
      return c.yellow(text);
    case 'INACTIVE':
    case 'CREATED':
    case 'DRAINED':
    case 'UNSPECIFIED':
      return c.dim(text);
  }
}

function statusLabel(v: StatusVersion): string {
  return v.rampingPercentage !== undefined ? `${v.status} ${v.rampingPercentage}%` : v.status;
}

function renderVersions(c: ChalkInstance, versions: readonly StatusVersion[]): string[] {
  if (versions.length === 0) return ['No versions yet.'];
  const rows = versions.map((v) => [oneLine(v.version), statusLabel(v), String(v.runningExecutions)]);
  const [header = '', ...lines] = alignColumns([['Version', 'Status', 'Running'], ...rows], ['left', 'left', 'right']);
  return [c.bold(header), ...lines.map((line, i) => (versions[i] ? paintStatus(c, versions[i].status, line) : line))];
}

function renderGroups(c: ChalkInstance, groups: readonly ExecutionGroup[]): string[] {
  const transitioning = groups.some((g) => g.transitioningTo);
  const header = ['Version', 'Behavior', 'Override', ...(transitioning ? ['Transitioning to'] : []), 'Count'];
  const rows = groups.map((g) => [
    oneLine(g.version),
    g.behavior,
    oneLine(g.override),
    ...(transitioning ? [oneLine(g.transitioningTo ?? '-')] : []),
    String(g.count),
  ]);
  const align = header.map((_, i) => (i === header.length - 1 ? ('right' as const) : ('left' as const)));
  const [head = '', ...lines] = alignColumns([header, ...rows], align);
  return [c.bold(head), ...lines];
}

export function renderStatusText(report: StatusReport, options: StatusTextOptions = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const ramping = report.rampingVersion ? `${oneLine(report.rampingVersion)} at ${report.rampingPercentage ?? 0}%` : 'none';
  const lines = [
    `Deployment: ${oneLine(report.deployment)}`,
    `Current:    ${report.currentVersion ? oneLine(report.currentVersion) : c.yellow('none')}`,
    `Ramping:    ${ramping}`,
  ];
  if (report.managerIdentity) lines.push(`Managed by: ${oneLine(report.managerIdentity)} (routing changes belong to it)`);
  lines.push('', ...renderVersions(c, report.versions), '');

  const { executions } = report;
  if (executions.described === 0) {
    lines.push(executions.total > 0 ? `No running executions could be described (visibility counts ${executions.total}).` : 'No running executions.');
  } else {
    const of = executions.limit !== undefined ? ` (${executions.described} of ${executions.total} described, --limit ${executions.limit})` : '';
    lines.push(c.bold(`Running executions: ${executions.described}${of}`), ...renderGroups(c, executions.groups));
    const pinnedOld = executions.groups.filter((g) => g.behavior === 'PINNED' && g.version !== report.currentVersion && g.version !== report.rampingVersion);
    const count = pinnedOld.reduce((n, g) => n + g.count, 0);
    if (report.currentVersion && count > 0) {
      lines.push('', c.yellow(`${plural(count, 'execution is', 'executions are')} pinned to an older version; \`safe-deploy nudge --deployment ${oneLine(report.deployment)}\` wakes the long-running ones.`));
    }
  }
  return lines.join('\n') + '\n';
}

export function reportStatusText(report: StatusReport, options: StatusTextOptions = {}): void {
  writeStdout(renderStatusText(report, options));
}

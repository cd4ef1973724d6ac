/**
 * `safe-deploy nudge --output json`: the report as a stable document for scripts. Objects are
 * rebuilt field by field so the key order follows the interfaces.
 */
import { sortNudgeResults, type NudgeReport, type NudgeResult } from '../core/nudge.js';
import { writeStdout } from './stdout.js';

function resultJson(r: NudgeResult): NudgeResult {
  return {
    workflowId: r.workflowId,
    runId: r.runId,
    workflowType: r.workflowType,
    fromVersion: r.fromVersion,
    outcome: r.outcome,
    newRunId: r.newRunId,
    newVersion: r.newVersion,
    closeStatus: r.closeStatus,
    signalsSent: r.signalsSent,
    error: r.error,
  };
}

export function nudgeJson(report: NudgeReport): NudgeReport {
  const { summary } = report;
  return {
    schemaVersion: report.schemaVersion,
    deployment: report.deployment,
    currentVersion: report.currentVersion,
    signal: report.signal,
    dryRun: report.dryRun,
    results: sortNudgeResults(report.results).map(resultJson),
    summary: { moved: summary.moved, stragglers: summary.stragglers, closed: summary.closed, nudged: summary.nudged },
    interrupted: report.interrupted,
  };
}

export function renderNudgeJson(report: NudgeReport): string {
  return JSON.stringify(nudgeJson(report), null, 2) + '\n';
}

export function reportNudgeJson(report: NudgeReport): void {
  writeStdout(renderNudgeJson(report));
}

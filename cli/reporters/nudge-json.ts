/**
 * `safe-deploy nudge --output json`: the report as a stable document for scripts. Objects are
 * rebuilt field by field so the key order follows the interfaces; `results` comes last, one
 * execution per line, stragglers first.
 */
import type { Writable } from 'node:stream';
import type { NudgeReport, NudgeResult } from '../core/nudge.js';
import { writeJsonStreamingArray } from './stdout.js';

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

/** Everything but the results, in the document's key order; `results` is written last, streamed. */
export function nudgeJsonHead(report: NudgeReport): Omit<NudgeReport, 'results'> {
  const { summary } = report;
  return {
    schemaVersion: report.schemaVersion,
    deployment: report.deployment,
    currentVersion: report.currentVersion,
    signal: report.signal,
    dryRun: report.dryRun,
    summary: { moved: summary.moved, stragglers: summary.stragglers, closed: summary.closed, nudged: summary.nudged },
    interrupted: report.interrupted,
  };
}

async function* resultsJson(results: AsyncIterable<NudgeResult>): AsyncGenerator<NudgeResult> {
  for await (const r of results) yield resultJson(r);
}

/** The results stream out one per line as they are read: memory stays that of one. */
export async function reportNudgeJson(report: NudgeReport, out: Writable = process.stdout): Promise<void> {
  await writeJsonStreamingArray(nudgeJsonHead(report), 'results', resultsJson(report.results), out);
}

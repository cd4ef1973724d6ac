/**
 * `safe-deploy nudge` for a terminal: what was signalled and where each execution ended up, the
 * stragglers first, and the counts as the last line.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { sortNudgeResults, type NudgeOutcome, type NudgeReport, type NudgeResult } from '../core/nudge.js';
import { alignColumns } from './check-columns.js';
import { oneLine, plural } from './check-wording.js';
import { writeStdout } from './stdout.js';

export interface NudgeTextOptions {
  color?: boolean;
}

export function outcomeLabel(outcome: NudgeOutcome): string {
  switch (outcome) {
    case 'moved':
      return 'MOVED';
    case 'straggler':
      return 'STRAGGLER';
    case 'closed':
      return 'CLOSED';
    case 'would_signal':
      return 'WOULD SIGNAL';
  }
}

function paint(c: ChalkInstance, outcome: NudgeOutcome, text: string): string {
  switch (outcome) {
    case 'moved':
      return c.green(text);
    case 'straggler':
      return c.red(text);
    case 'closed':
      return c.dim(text);
    case 'would_signal':
      return text;
  }
}

/** Where the execution is now, in a few words. */
export function describeNow(r: NudgeResult): string {
  switch (r.outcome) {
    case 'moved':
      return r.newRunId ? `new run ${r.newRunId} on ${r.newVersion ?? '?'}` : `on ${r.newVersion ?? '?'} (same run)`;
    case 'straggler': {
      const signals = r.signalsSent ? `still pinned after ${plural(r.signalsSent, 'signal')}` : 'still pinned, never signalled';
      return r.error ? `${signals}; signal failed: ${r.error}` : signals;
    }
    case 'closed':
      return `closed (${r.closeStatus ?? 'UNKNOWN'}) without moving`;
    case 'would_signal':
      return `run ${r.runId}`;
  }
}

export function summaryLine(report: NudgeReport): string {
  const { summary } = report;
  if (report.dryRun) return `Dry run: would signal ${plural(report.results.length, 'execution')}; nothing was signalled.`;
  const interrupted = report.interrupted ? ' (interrupted before every execution was confirmed)' : '';
  return `Moved ${summary.moved}, stragglers ${summary.stragglers}, closed ${summary.closed} of ${plural(report.results.length, 'nudged execution')}${interrupted}.`;
}

export function renderNudgeText(report: NudgeReport, options: NudgeTextOptions = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const lines = [`Deployment ${oneLine(report.deployment)}: current version ${oneLine(report.currentVersion)}; signal ${oneLine(report.signal)}`, ''];
  if (report.results.length === 0) {
    lines.push('No running execution is pinned to an older version: nothing to nudge.');
    return lines.join('\n') + '\n';
  }
  const results = sortNudgeResults(report.results);
  const rows = results.map((r) => [outcomeLabel(r.outcome), oneLine(r.workflowType), oneLine(r.workflowId), oneLine(r.fromVersion), oneLine(describeNow(r))]);
  const [header = '', ...table] = alignColumns([['Outcome', 'Workflow type', 'Workflow ID', 'From version', 'Now'], ...rows]);
  lines.push(c.bold(header), ...table.map((line, i) => (results[i] ? paint(c, results[i].outcome, line) : line)));
  const last = summaryLine(report);
  lines.push('', report.summary.stragglers > 0 ? c.yellow.bold(last) : c.bold(last));
  return lines.join('\n') + '\n';
}

export function reportNudgeText(report: NudgeReport, options: NudgeTextOptions = {}): void {
  writeStdout(renderNudgeText(report, options));
}

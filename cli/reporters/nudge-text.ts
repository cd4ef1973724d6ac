/**
 * `safe-deploy nudge` for a terminal: what was signalled and where each execution ended up, the
 * stragglers first, and the counts as the last line.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { NudgeOutcome, NudgeReport, NudgeResult } from '../core/nudge.js';
import { alignRow, widenColumns } from './check-columns.js';
import { oneLine, plural } from './check-wording.js';
import { writeStreaming } from './stdout.js';

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
  const total = report.results.count;
  if (report.dryRun) return `Dry run: would signal ${plural(total, 'execution')}; nothing was signalled.`;
  const interrupted = report.interrupted ? ' (interrupted before every execution was confirmed)' : '';
  return `Moved ${summary.moved}, stragglers ${summary.stragglers}, closed ${summary.closed} of ${plural(total, 'nudged execution')}${interrupted}.`;
}

const HEADER = ['Outcome', 'Workflow type', 'Workflow ID', 'From version', 'Now'];

function row(r: NudgeResult): string[] {
  return [outcomeLabel(r.outcome), oneLine(r.workflowType), oneLine(r.workflowId), oneLine(r.fromVersion), oneLine(describeNow(r))];
}

/**
 * The report a line at a time. The results are read twice (once to size the columns, once to
 * write the rows), so a table of 100,000 executions is never held whole.
 */
export async function* nudgeTextLines(report: NudgeReport, options: NudgeTextOptions = {}): AsyncGenerator<string> {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  yield `Deployment ${oneLine(report.deployment)}: current version ${oneLine(report.currentVersion)}; signal ${oneLine(report.signal)}\n\n`;
  if (report.results.count === 0) {
    yield 'No running execution is pinned to an older version: nothing to nudge.\n';
    return;
  }
  const widths: number[] = [];
  widenColumns(widths, HEADER);
  for await (const r of report.results) widenColumns(widths, row(r));
  yield c.bold(alignRow(HEADER, widths)) + '\n';
  for await (const r of report.results) yield paint(c, r.outcome, alignRow(row(r), widths)) + '\n';
  const last = summaryLine(report);
  yield '\n' + (report.summary.stragglers > 0 ? c.yellow.bold(last) : c.bold(last)) + '\n';
}

export async function renderNudgeText(report: NudgeReport, options: NudgeTextOptions = {}): Promise<string> {
  let text = '';
  for await (const line of nudgeTextLines(report, options)) text += line;
  return text;
}

export async function reportNudgeText(report: NudgeReport, options: NudgeTextOptions = {}): Promise<void> {
  await writeStreaming(nudgeTextLines(report, options));
}

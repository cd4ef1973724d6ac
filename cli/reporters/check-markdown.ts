/**
 * `safe-deploy check` as GitHub-flavoured markdown, for a job summary or a PR comment: the verdict
 * up front, the group table, then the failing executions (capped: a summary over GitHub's size
 * limit is dropped whole).
 */
import { checkVerdict, sortResults, type CheckReport, type CheckResult } from '../core/check-report.js';
import { describeFailure, describeSdk, describeSelection, interruptedLine, plural, verdictLabel, verdictLine } from './check-wording.js';
import { writeStdout } from './stdout.js';

export const MAX_FAILURE_ROWS = 100;

/**
 * Makes text safe inside a table cell: `|` would end the cell, a newline the row, and `<` could
 * open an HTML tag that swallows the rest (SDK messages contain things like `<anonymous>`).
 */
export function escapeCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[*_`[\]~]/g, (c) => `\\${c}`);
}

/** An identifier as inline code, with a fence longer than any backtick run it contains. */
export function codeCell(text: string, where: 'table' | 'paragraph' = 'table'): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  const oneLine = padded.replace(/\r?\n|\r/g, ' ');
  // Inside a table, GFM splits cells on `|` before it parses code spans, even within backticks.
  return `${fence}${where === 'table' ? oneLine.replace(/\|/g, '\\|') : oneLine}${fence}`;
}

function table(header: readonly string[], align: readonly ('left' | 'right')[], rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(align.map((a) => (a === 'right' ? '--:' : '---'))), ...rows.map(line)];
}

function groupTable(report: CheckReport): string[] {
  if (report.groups.length === 0) return ['No executions were replayed.'];
  return table(
    ['Workflow type', 'Version', 'Total', 'Compatible', 'Nondeterministic', 'Missing type', 'Errors'],
    ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    report.groups.map((g) => [
      codeCell(g.workflowType),
      codeCell(g.version),
      ...[g.total, g.compatible, g.nondeterministic, g.missingWorkflowType, g.replayErrors].map(String),
    ]),
  );
}

function failureRow(r: CheckResult): string[] {
  return [codeCell(r.workflowId), codeCell(r.runId), codeCell(r.workflowType), codeCell(r.version), verdictLabel(r.verdict), r.eventId ? escapeCell(r.eventId) : '', escapeCell(describeFailure(r))];
}

function failureTable(report: CheckReport): string[] {
  const failing = sortResults(report.results).filter((r) => r.verdict !== 'compatible');
  if (failing.length === 0) return [];
  const lines = [
    '',
    `### Not proven compatible (${plural(failing.length, 'execution')})`,
    '',
    ...table(
      ['Workflow ID', 'Run ID', 'Type', 'Version', 'Verdict', 'Event', 'Detail'],
      ['left', 'left', 'left', 'left', 'left', 'right', 'left'],
      failing.slice(0, MAX_FAILURE_ROWS).map(failureRow),
    ),
  ];
  if (failing.length > MAX_FAILURE_ROWS) lines.push('', `… and ${failing.length - MAX_FAILURE_ROWS} more (see the JSON or JUnit report for every execution)`);
  return lines;
}

export function renderCheckMarkdown(report: CheckReport): string {
  const verdict = checkVerdict(report);
  const { candidate } = report;
  const candidateParts = [escapeCell(candidate.source), `bundle hash ${codeCell(candidate.bundleHash, 'paragraph')}`];
  if (candidate.buildId) candidateParts.push(`Build ID ${codeCell(candidate.buildId, 'paragraph')}`);
  const sdks = candidate.sdks ?? (candidate.sdk ? [candidate.sdk] : []);
  if (sdks.length > 0) candidateParts.push(`replayed with ${escapeCell(sdks.map(describeSdk).join(' and '))}`);
  const lines = [
    `## ${verdict === 'passed' ? '✅' : '❌'} safe-deploy check ${verdict}`,
    '',
    `**Candidate:** ${candidateParts.join(' · ')}  `,
    `**Selected:** ${escapeCell(describeSelection(report))}`,
  ];
  if (report.interrupted) lines.push('', `> [!WARNING]`, `> ${interruptedLine(report.interrupted.notChecked)}`);
  lines.push('', ...groupTable(report), ...failureTable(report), '', `**${verdictLine(report)}**`);
  return lines.join('\n') + '\n';
}

export function reportCheckMarkdown(report: CheckReport): void {
  writeStdout(renderCheckMarkdown(report));
}

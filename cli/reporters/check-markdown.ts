/**
 * `safe-deploy check` as GitHub-flavoured markdown, for a job summary or a PR comment: the verdict
 * up front, the group table, then the failing executions (capped: a summary over GitHub's size
 * limit is dropped whole).
 */
import { checkVerdict, gatePasses, notCheckedCount, sortResults, type CheckReport, type CheckResult, type UncheckedItem } from '../core/check-report.js';
import { describeFailure, describeSdk, describeSelection, notReachedLine, plural, verdictLabel, verdictLine } from './check-wording.js';
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

function uncheckedRow(u: UncheckedItem): string[] {
  const what = u.reason === 'unloadable' ? codeCell(u.origin) : `${codeCell(u.workflowId ?? '?')} ${codeCell(u.runId ?? '?')}`;
  return [what, u.reason === 'unloadable' ? 'could not be loaded' : 'could not be fetched', escapeCell(u.message)];
}

/** Every selected file or execution without a verdict (not capped: these are what the gate could not see). */
function notCheckedTable(report: CheckReport): string[] {
  const count = notCheckedCount(report);
  if (count === 0) return [];
  const rows = (report.unchecked ?? []).map(uncheckedRow);
  const stop = report.serverLost ?? report.interrupted;
  if (stop && stop.notChecked > 0) {
    rows.push([plural(stop.notChecked, 'execution'), 'not reached', report.serverLost ? escapeCell(`server lost part-way: ${report.serverLost.message}`) : 'interrupted']);
  }
  return ['', `### Not checked (${count})`, '', ...table(['What', 'Why', 'Detail'], ['left', 'left', 'left'], rows)];
}

const HEADINGS: Record<ReturnType<typeof checkVerdict>, string> = {
  passed: 'passed',
  failed: 'failed',
  incomplete: 'incomplete: not everything was checked',
  'nothing-to-check': 'found nothing to check',
};

export function renderCheckMarkdown(report: CheckReport): string {
  const verdict = checkVerdict(report);
  const { candidate } = report;
  const candidateParts = [escapeCell(candidate.source), `bundle hash ${codeCell(candidate.bundleHash, 'paragraph')}`];
  if (candidate.buildId) candidateParts.push(`Build ID ${codeCell(candidate.buildId, 'paragraph')}`);
  const sdks = candidate.sdks ?? (candidate.sdk ? [candidate.sdk] : []);
  if (sdks.length > 0) candidateParts.push(`replayed with ${escapeCell(sdks.map(describeSdk).join(' and '))}`);
  const lines = [
    `## ${gatePasses(report) ? (verdict === 'passed' ? '✅' : 'ℹ️') : '❌'} safe-deploy check ${HEADINGS[verdict]}`,
    '',
    `**Candidate:** ${candidateParts.join(' · ')}  `,
    `**Selected:** ${escapeCell(describeSelection(report))}`,
  ];
  const stopped = notReachedLine(report);
  if (stopped) lines.push('', `> [!WARNING]`, `> ${escapeCell(stopped)}`);
  lines.push('', ...groupTable(report), ...failureTable(report), ...notCheckedTable(report), '', `**${escapeCell(verdictLine(report))}**`);
  return lines.join('\n') + '\n';
}

export function reportCheckMarkdown(report: CheckReport): void {
  writeStdout(renderCheckMarkdown(report));
}

/**
 * `safe-deploy check` for a terminal: who the candidate is, what was replayed, a table per workflow
 * type x version, each execution that is not proven compatible, and the verdict as the last line.
 * Compatible executions are only counted: with thousands of them, listing would bury the failures.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { gatePasses, notCheckedCount, sortResults, type CheckReport, type CheckResult, type GroupSummary } from '../core/check-report.js';
import { isIncompatible, type Verdict } from '../core/verdict.js';
import { alignColumns } from './check-columns.js';
import { describeCandidate, describeDivergence, describeSelection, describeUnchecked, notReachedLine, oneLine, plural, verdictLabel, verdictLine } from './check-wording.js';
import { writeStdout } from './stdout.js';

export interface CheckTextOptions {
  /** ANSI colours; off unless asked, so piped output stays plain. */
  color?: boolean;
  /** How many failing executions to list before summarising the rest. */
  maxRows?: number;
}

export const DEFAULT_MAX_ROWS = 50;

const GROUP_HEADER = ['Workflow type', 'Version', 'Total', 'Compatible', 'Nondeterministic', 'Missing type', 'Errors'];

function groupRow(g: GroupSummary): string[] {
  return [oneLine(g.workflowType), oneLine(g.version), ...[g.total, g.compatible, g.nondeterministic, g.missingWorkflowType, g.replayErrors].map(String)];
}

function paintVerdict(c: ChalkInstance, verdict: Verdict, text: string): string {
  switch (verdict) {
    case 'compatible':
      return c.green(text);
    case 'nondeterministic':
    case 'missing-workflow-type':
      return c.red(text);
    case 'replay-error':
      return c.yellow(text);
  }
}

function renderGroups(c: ChalkInstance, groups: readonly GroupSummary[]): string[] {
  if (groups.length === 0) return ['No executions were replayed.'];
  const [header = '', ...rows] = alignColumns([GROUP_HEADER, ...groups.map(groupRow)], ['left', 'left', 'right', 'right', 'right', 'right', 'right']);
  return [
    c.bold(header),
    ...rows.map((line, i) => {
      const g = groups[i];
      if (!g || g.compatible === g.total) return line;
      return g.nondeterministic + g.missingWorkflowType > 0 ? c.red(line) : c.yellow(line);
    }),
  ];
}

function renderFailure(c: ChalkInstance, r: CheckResult): string[] {
  const where = [`type ${r.workflowType}`, `version ${r.version}`];
  if (r.eventId) where.push(`event ${r.eventId}`);
  const lines = [
    `${paintVerdict(c, r.verdict, verdictLabel(r.verdict).toUpperCase())}  workflow ID ${oneLine(r.workflowId)}, run ID ${oneLine(r.runId)}`,
    `    ${oneLine(where.join(', '))}`,
  ];
  const divergence = describeDivergence(r);
  if (divergence) lines.push(`    ${oneLine(divergence)}`);
  if (r.message) lines.push(`    ${c.dim(oneLine(r.message))}`);
  return lines;
}

function renderFailures(c: ChalkInstance, report: CheckReport, maxRows: number): string[] {
  const failing = sortResults(report.results).filter((r) => r.verdict !== 'compatible');
  if (failing.length === 0) return [];
  const incompatible = failing.filter((r) => isIncompatible(r.verdict)).length;
  const errors = failing.length - incompatible;
  const shown = failing.slice(0, Math.max(0, maxRows));
  const lines = ['', c.bold(`Not proven compatible (${incompatible} incompatible, ${plural(errors, 'error')}):`)];
  for (const r of shown) lines.push(...renderFailure(c, r));
  if (failing.length > shown.length) lines.push(`… and ${failing.length - shown.length} more (use --output json for every execution)`);
  return lines;
}

/** Every selected file or execution without a verdict, and the part never reached: never capped. */
function renderNotChecked(c: ChalkInstance, report: CheckReport): string[] {
  const count = notCheckedCount(report);
  if (count === 0) return [];
  const lines = ['', c.bold(`Not checked (${count}):`)];
  for (const u of report.unchecked ?? []) lines.push(`${c.yellow(u.reason === 'unloadable' ? 'UNLOADABLE' : 'UNFETCHABLE')}  ${describeUnchecked(u)}`);
  const notReached = report.serverLost?.notChecked ?? report.interrupted?.notChecked ?? 0;
  if (notReached > 0) lines.push(`${c.yellow('NOT REACHED')}  ${plural(notReached, 'execution')} (${report.serverLost ? 'the server was lost' : 'interrupted'} before they were replayed)`);
  return lines;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function renderCheckText(report: CheckReport, options: CheckTextOptions = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const lines = [
    `Candidate: ${describeCandidate(report.candidate)}`,
    `Selected:  ${describeSelection(report)}; ${plural(report.summary.total, 'execution')} replayed in ${formatDuration(report.durationMs)}`,
  ];
  const stopped = notReachedLine(report);
  if (stopped) lines.push(c.yellow.bold(stopped));
  lines.push('', ...renderGroups(c, report.groups));
  lines.push(...renderFailures(c, report, options.maxRows ?? DEFAULT_MAX_ROWS));
  lines.push(...renderNotChecked(c, report));
  const verdict = verdictLine(report);
  lines.push('', gatePasses(report) ? c.green.bold(verdict) : c.red.bold(verdict));
  return lines.join('\n') + '\n';
}

export function reportCheckText(report: CheckReport, options: CheckTextOptions = {}): void {
  writeStdout(renderCheckText(report, options));
}

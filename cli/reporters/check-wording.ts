/**
 * The words every `check` renderer shares: verdict labels, the divergence in one phrase, the
 * candidate and selection lines and the closing PASSED/FAILED line. One wording, so the terminal,
 * the job summary and the annotations never disagree.
 */
import { checkVerdict, gatePasses, notCheckedCount, type CandidateInfo, type CheckReport, type CheckResult, type SdkInfo, type UncheckedItem, type VerdictInput } from '../core/check-report.js';
import type { Verdict } from '../core/verdict.js';

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function verdictLabel(verdict: Verdict): string {
  switch (verdict) {
    case 'compatible':
      return 'compatible';
    case 'nondeterministic':
      return 'nondeterministic';
    case 'missing-workflow-type':
      return 'missing workflow type';
    case 'replay-error':
      return 'replay error';
  }
}

/**
 * Makes text from the server or the SDK safe to print as one line: workflow IDs and messages can
 * hold newlines or terminal escapes, which would break tables or inject into the terminal (or into
 * GitHub's workflow commands, which are read line by line from stdout).
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

/** `history had X, code did Y` when the SDK told us both sides, else what we know of them. */
export function describeDivergence(result: Pick<CheckResult, 'historyHad' | 'codeDid'>): string | undefined {
  const { historyHad, codeDid } = result;
  if (historyHad && codeDid) return `history had ${historyHad}, code did ${codeDid}`;
  if (historyHad) return `history had ${historyHad}`;
  if (codeDid) return `code did ${codeDid}`;
  return undefined;
}

/** The most specific one-phrase reason: the divergence when known, else the SDK message. */
export function describeFailure(result: CheckResult): string {
  const parts = [describeDivergence(result), result.message].filter((p): p is string => Boolean(p));
  return oneLine(parts.join(': ') || verdictLabel(result.verdict));
}

export function describeCandidate(candidate: CandidateInfo): string {
  const parts = [candidate.source, `bundle hash ${candidate.bundleHash}${candidate.bundleCache === 'hit' ? ' (cached)' : ''}`];
  if (candidate.buildId) parts.push(`Build ID ${candidate.buildId}`);
  const sdks = candidate.sdks ?? (candidate.sdk ? [candidate.sdk] : []);
  if (sdks.length > 0) parts.push(`replayed with ${sdks.map(describeSdk).join(' and ')}`);
  return oneLine(parts.join(', '));
}

/** "@temporalio/worker 1.24.0 (the project's)": which SDK replayed, and whose it is. */
export function describeSdk(sdk: SdkInfo): string {
  if (sdk.language === 'python') return `temporalio ${sdk.version} (Python ${sdk.runtime ?? '?'}, ${sdk.path})`;
  return `@temporalio/worker ${sdk.version} (${sdk.origin === 'project' ? "the project's" : "safe-deploy's own: the project has none"})`;
}

export function describeSelection(report: Pick<CheckReport, 'selection' | 'shard'>): string {
  const { selection, shard } = report;
  let text: string;
  switch (selection.source) {
    case 'histories':
      text = `history files from ${selection.paths.join(', ')}`;
      break;
    case 'server':
      text = `executions on ${selection.address}, namespace ${selection.namespace}` + (selection.query ? `, query ${selection.query}` : '');
      break;
  }
  if (shard) text += `, shard ${shard.index}/${shard.count}`;
  return oneLine(text);
}

/** The part of the report that decides the closing line. */
export type VerdictLineInput = VerdictInput & Pick<CheckReport, 'failOnEmpty'>;

/** Why the selection was not all checked, as one phrase: "1 file could not be loaded, 3 not reached (server lost)". */
export function notCheckedReasons(report: Pick<CheckReport, 'unchecked' | 'interrupted' | 'serverLost'>): string {
  const unchecked = report.unchecked ?? [];
  const files = unchecked.filter((u) => u.reason === 'unloadable').length;
  const executions = unchecked.filter((u) => u.reason === 'unfetchable').length;
  const parts: string[] = [];
  if (files) parts.push(`${plural(files, 'file')} could not be loaded`);
  if (executions) parts.push(`${plural(executions, 'execution')} could not be fetched`);
  if (report.serverLost) parts.push(`${report.serverLost.notChecked} not reached (server lost)`);
  if (report.interrupted) parts.push(`${report.interrupted.notChecked} not reached (interrupted)`);
  return parts.join(', ');
}

/** The gate's answer as the last line of every human report. */
export function verdictLine(report: VerdictLineInput): string {
  const { summary } = report;
  const notChecked = notCheckedCount(report);
  const reasons = notChecked > 0 || report.interrupted || report.serverLost ? `; ${notChecked} not checked: ${notCheckedReasons(report)}` : '';
  switch (checkVerdict(report)) {
    case 'passed':
      return `PASSED: ${summary.compatible} of ${plural(summary.total, 'execution')} ${summary.total === 1 ? 'replays' : 'replay'} cleanly on the candidate`;
    case 'failed':
      return `FAILED: ${summary.incompatible} incompatible, ${plural(summary.errors, 'error')} of ${plural(summary.total, 'execution')}${reasons}`;
    case 'incomplete':
      return `INCOMPLETE: ${summary.compatible} of ${plural(summary.total, 'replayed execution')} ${summary.total === 1 ? 'replays' : 'replay'} cleanly${reasons}`;
    case 'nothing-to-check':
      return `NOTHING TO CHECK: the selection has no running executions${gatePasses(report) ? '' : ' (--fail-on-empty: the gate fails)'}`;
  }
}

/** One line per item with no verdict: what it is, then why. */
export function describeUnchecked(u: UncheckedItem): string {
  const what = u.reason === 'unloadable' ? `history file ${u.origin}` : `workflow ID ${u.workflowId ?? '?'}, run ID ${u.runId ?? '?'}`;
  return oneLine(`${what}: ${u.reason === 'unloadable' ? 'could not be loaded' : 'could not be fetched'}: ${u.message}`);
}

/** The part of the selection never reached, in one sentence; undefined when the run finished. */
export function notReachedLine(report: Pick<CheckReport, 'interrupted' | 'serverLost'>): string | undefined {
  if (report.serverLost) {
    return oneLine(`Server lost part-way: ${plural(report.serverLost.notChecked, 'execution was', 'executions were')} NOT checked (${report.serverLost.message}); the counts cover only what finished.`);
  }
  if (report.interrupted) return interruptedLine(report.interrupted.notChecked);
  return undefined;
}

export function interruptedLine(notChecked: number): string {
  return `Interrupted: ${plural(notChecked, 'execution was', 'executions were')} NOT checked; the counts below cover only what finished.`;
}

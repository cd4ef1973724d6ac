/** The rollback report: who returns to the previous version, who stays on the candidate, and why. */
import type { RollbackItem, RollbackReport } from '../pipeline/rollback.js';
import { alignColumns } from './check-columns.js';
import { appendStepSummary, isGitHubActions, writeOutputs } from './github-actions.js';
import { writeJson, writeStdout } from './stdout.js';

function rows(items: RollbackItem[]): string[] {
  return alignColumns(items.map((i) => [`  ${i.workflowId}`, i.workflowType, i.action, i.status, i.reason]));
}

export function renderRollbackText(r: RollbackReport): string {
  const lines = [`rollback ${r.candidate} -> ${r.previous}: ${r.verdict.toUpperCase()}`];
  const group = (g: RollbackItem['group']) => r.items.filter((i) => i.group === g);
  const returned = group('return');
  const kept = group('keep');
  lines.push('', `returned to ${r.previous} (never ran candidate code): ${returned.length}`, ...rows(returned));
  lines.push('', `kept on ${r.candidate} (already ran its code): ${kept.length}`, ...rows(kept));
  if (kept.length) lines.push(`  note: ${r.keptNote}`);
  const untouched = group('untouched');
  if (untouched.length) lines.push('', `untouched: ${untouched.length}`, ...rows(untouched));
  if (r.currentVersion) lines.push('', `current version: ${r.currentVersion}`);
  if (r.journalFile) lines.push(`journal: ${r.journalFile}`);
  return lines.join('\n') + '\n';
}

export function reportRollback(format: 'text' | 'json', r: RollbackReport, env: NodeJS.ProcessEnv = process.env): void {
  if (format === 'json') writeJson(r);
  else writeStdout(renderRollbackText(r));
  if (isGitHubActions(env)) {
    appendStepSummary(['```', renderRollbackText(r), '```', ''].join('\n'), env);
    writeOutputs({ 'rollback-verdict': r.verdict, returned: r.counts.returned, kept: r.counts.kept }, env);
  }
}

/** What apply did (or, with --dry-run, would do). */
import type { JournalStatus } from '../core/journal.js';
import type { Plan } from '../core/plan.js';
import type { ApplyResult } from '../pipeline/apply.js';
import { actionLabel } from './plan.js';
import { writeJson, writeStdout } from './stdout.js';

export const APPLY_SCHEMA_VERSION = 1;

const STATUS_ORDER: JournalStatus[] = ['done', 'already', 'skipped', 'replanned', 'reverted', 'failed', 'started'];

export function applyJson(plan: Plan, result: ApplyResult, dryRun: boolean, journalPath: string): unknown {
  return {
    schemaVersion: APPLY_SCHEMA_VERSION,
    deployment: plan.deployment,
    candidate: plan.candidate,
    dryRun,
    journal: journalPath,
    counts: result.counts,
    interrupted: result.interrupted,
    notDone: result.notDone,
    ...(result.error && { error: result.error }),
    notes: result.notes,
    ...((result.error || result.interrupted) && !dryRun && { next: 'run apply again to resume; the journal records what was done' }),
    wouldChange: result.wouldChange.map((e) => ({ workflowId: e.workflowId, runId: e.runId, action: e.action, targetOverride: e.targetOverride ?? null })),
    entries: result.entries,
  };
}

export function renderApplyText(plan: Plan, result: ApplyResult, dryRun: boolean, journalPath: string): string {
  const lines = [`apply ${plan.candidate.version} on ${plan.deployment}${dryRun ? ' (dry run: nothing changed)' : ''}`];
  if (dryRun) {
    lines.push(`${result.wouldChange.length} execution(s) would change:`);
    for (const e of result.wouldChange) lines.push(`  ${actionLabel(e.action)}: ${e.workflowId} (${e.runId})`);
  }
  const counts = STATUS_ORDER.filter((s) => result.counts[s] > 0 && !(s === 'started' && !dryRun)).map((s) => `${s} ${result.counts[s]}`);
  if (counts.length) lines.push(counts.join(', '));
  for (const n of result.notes) lines.push(`note: ${n}`);
  for (const e of result.entries.filter((x) => x.status === 'replanned' || x.status === 'failed' || x.status === 'reverted')) {
    lines.push(`  ${e.status}: ${e.workflowId} (${e.runId}): ${e.detail ?? ''}`);
  }
  if (result.error) lines.push(`STOPPED: ${result.error.message}${result.error.hint ? ` (${result.error.hint})` : ''}`);
  if (result.interrupted) lines.push('INTERRUPTED: run apply again to finish; the journal records what was done');
  if ((result.error || result.interrupted) && !dryRun) lines.push(`not done: ${result.notDone} execution(s); run again to resume (settled steps are skipped)`);
  if (!dryRun) lines.push(`journal: ${journalPath}`);
  return lines.join('\n') + '\n';
}

export function reportApply(format: 'text' | 'json', plan: Plan, result: ApplyResult, dryRun: boolean, journalPath: string): void {
  if (format === 'json') writeJson(applyJson(plan, result, dryRun, journalPath));
  else writeStdout(renderApplyText(plan, result, dryRun, journalPath));
}

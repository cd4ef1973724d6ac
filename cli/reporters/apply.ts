/** What apply did (or, with --dry-run, would do). */
import type { JournalEntry, JournalStatus } from '../core/journal.js';
import type { PlanHeader } from '../core/plan.js';
import type { ApplyResult } from '../pipeline/apply.js';
import { actionLabel } from './plan.js';
import { writeJsonStreamingArray, writeStdout } from './stdout.js';

export const APPLY_SCHEMA_VERSION = 1;

const STATUS_ORDER: JournalStatus[] = ['done', 'already', 'skipped', 'replanned', 'reverted', 'failed', 'started'];

/** The JSON report but its `entries`, which are streamed after it (one per journal line). */
export function applyJsonHead(plan: PlanHeader, result: ApplyResult, dryRun: boolean, journalPath: string): Record<string, unknown> {
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
  };
}

/** The entries a person must look at; the rest are in the journal. */
const needsAttention = (e: JournalEntry) => e.status === 'replanned' || e.status === 'failed' || e.status === 'reverted';

export function renderApplyText(plan: PlanHeader, result: ApplyResult, attention: JournalEntry[], dryRun: boolean, journalPath: string): string {
  const lines = [`apply ${plan.candidate.version} on ${plan.deployment}${dryRun ? ' (dry run: nothing changed)' : ''}`];
  if (dryRun) {
    lines.push(`${result.wouldChange.length} execution(s) would change:`);
    for (const e of result.wouldChange) lines.push(`  ${actionLabel(e.action)}: ${e.workflowId} (${e.runId})`);
  }
  const counts = STATUS_ORDER.filter((s) => result.counts[s] > 0 && !(s === 'started' && !dryRun)).map((s) => `${s} ${result.counts[s]}`);
  if (counts.length) lines.push(counts.join(', '));
  for (const n of result.notes) lines.push(`note: ${n}`);
  for (const e of attention) lines.push(`  ${e.status}: ${e.workflowId} (${e.runId}): ${e.detail ?? ''}`);
  if (result.error) lines.push(`STOPPED: ${result.error.message}${result.error.hint ? ` (${result.error.hint})` : ''}`);
  if (result.interrupted) lines.push('INTERRUPTED: run apply again to finish; the journal records what was done');
  if ((result.error || result.interrupted) && !dryRun) lines.push(`not done: ${result.notDone} execution(s); run again to resume (settled steps are skipped)`);
  if (!dryRun) lines.push(`journal: ${journalPath}`);
  return lines.join('\n') + '\n';
}

/** `entries`: this run's journal entries, read back as a stream (a dry run's, from memory). */
export async function reportApply(
  format: 'text' | 'json',
  plan: PlanHeader,
  result: ApplyResult,
  entries: AsyncIterable<JournalEntry> | Iterable<JournalEntry>,
  dryRun: boolean,
  journalPath: string,
): Promise<void> {
  if (format === 'json') return writeJsonStreamingArray(applyJsonHead(plan, result, dryRun, journalPath), 'entries', entries);
  const attention: JournalEntry[] = [];
  for await (const e of entries) if (needsAttention(e)) attention.push(e);
  writeStdout(renderApplyText(plan, result, attention, dryRun, journalPath));
}

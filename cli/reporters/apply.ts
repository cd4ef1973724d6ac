/** What apply did (or, with --dry-run, would do). */
import type { JournalEntry, JournalStatus } from '../core/journal.js';
import type { PlanHeader, WouldChange } from '../core/plan.js';
import type { ApplyResult } from '../pipeline/apply.js';
import { actionLabel } from './plan.js';
import { writeJsonStreamingArrays, writeStreaming } from './stdout.js';

export const APPLY_SCHEMA_VERSION = 1;

const STATUS_ORDER: JournalStatus[] = ['done', 'already', 'skipped', 'replanned', 'reverted', 'failed', 'started'];

/** The JSON report but its `wouldChange` and `entries`, which are streamed after it, one item per line. */
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
  };
}

/** The entries a person must look at; the rest are in the journal. */
const needsAttention = (e: JournalEntry) => e.status === 'replanned' || e.status === 'failed' || e.status === 'reverted';

/** What the report reads as it writes: each read once, none held whole. */
export interface ApplyRecords {
  /** This run's journal entries (a dry run's, from its records). */
  entries: AsyncIterable<JournalEntry> | Iterable<JournalEntry>;
  /** A dry run's: the executions a real run would change. */
  wouldChange: { count: number; items: AsyncIterable<WouldChange> | Iterable<WouldChange> };
}

export async function* renderApplyText(plan: PlanHeader, result: ApplyResult, records: ApplyRecords, dryRun: boolean, journalPath: string): AsyncGenerator<string> {
  yield `apply ${plan.candidate.version} on ${plan.deployment}${dryRun ? ' (dry run: nothing changed)' : ''}\n`;
  if (dryRun) {
    yield `${records.wouldChange.count} execution(s) would change:\n`;
    for await (const e of records.wouldChange.items) yield `  ${actionLabel(e.action)}: ${e.workflowId} (${e.runId})\n`;
  }
  const counts = STATUS_ORDER.filter((s) => result.counts[s] > 0 && !(s === 'started' && !dryRun)).map((s) => `${s} ${result.counts[s]}`);
  if (counts.length) yield counts.join(', ') + '\n';
  for (const n of result.notes) yield `note: ${n}\n`;
  for await (const e of records.entries) if (needsAttention(e)) yield `  ${e.status}: ${e.workflowId} (${e.runId}): ${e.detail ?? ''}\n`;
  if (result.error) yield `STOPPED: ${result.error.message}${result.error.hint ? ` (${result.error.hint})` : ''}\n`;
  if (result.interrupted) yield 'INTERRUPTED: run apply again to finish; the journal records what was done\n';
  if ((result.error || result.interrupted) && !dryRun) yield `not done: ${result.notDone} execution(s); run again to resume (settled steps are skipped)\n`;
  if (!dryRun) yield `journal: ${journalPath}\n`;
}

export async function reportApply(
  format: 'text' | 'json',
  plan: PlanHeader,
  result: ApplyResult,
  records: ApplyRecords,
  dryRun: boolean,
  journalPath: string,
): Promise<void> {
  if (format === 'json') {
    return writeJsonStreamingArrays(applyJsonHead(plan, result, dryRun, journalPath), [
      ['wouldChange', records.wouldChange.items],
      ['entries', records.entries],
    ]);
  }
  await writeStreaming(renderApplyText(plan, result, records, dryRun, journalPath));
}

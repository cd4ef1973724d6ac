/**
 * The apply journal: one JSON line per event in an execution's change, appended as it happens, so
 * a re-run resumes where the last one stopped and an audit can see every change and its batch job.
 */
import type { Action } from './plan.js';

export type JournalStatus =
  /** Sent in batch job `jobId`; not yet read back. */
  | 'started'
  /** Read back: the override is what the plan wanted. */
  | 'done'
  /** It already had the wanted override (e.g. a batch sent before a crash); nothing sent. */
  | 'already'
  /** Not running any more, or nothing to do. */
  | 'skipped'
  /** Its history grew since the plan; replayed again and decided differently. */
  | 'replanned'
  /** Read back without the wanted override; a re-run tries again. */
  | 'failed';

export interface JournalEntry {
  at: string;
  workflowId: string;
  runId: string;
  action: Action;
  status: JournalStatus;
  jobId?: string;
  detail?: string;
}

export function journalKey(e: Pick<JournalEntry, 'workflowId' | 'runId' | 'action'>): string {
  return `${e.workflowId}\u0000${e.runId}\u0000${e.action}`;
}

export function isSettled(status: JournalStatus): boolean {
  switch (status) {
    case 'done':
    case 'already':
    case 'skipped':
    case 'replanned':
      return true;
    case 'started':
    case 'failed':
      return false;
  }
}

/** The last entry per execution + action. */
export function latestEntries(entries: readonly JournalEntry[]): Map<string, JournalEntry> {
  const latest = new Map<string, JournalEntry>();
  for (const e of entries) latest.set(journalKey(e), e);
  return latest;
}

/** Parses journal text; a torn last line (a crash mid-write) is ignored, anything else is an error. */
export function parseJournal<E = JournalEntry>(text: string): E[] {
  const lines = text.split('\n').filter((l) => l.trim());
  const entries: E[] = [];
  lines.forEach((line, i) => {
    try {
      entries.push(JSON.parse(line) as E);
    } catch (err) {
      if (i !== lines.length - 1) throw new Error(`journal line ${i + 1} is not JSON: ${(err as Error).message}`);
    }
  });
  return entries;
}

/**
 * The apply journal: one JSON line per event in an execution's change, appended as it happens, so
 * a re-run resumes where the last one stopped and an audit can see every change and its batch job.
 */
import type { Action } from './plan.js';

export type JournalStatus =
  /** Sent (in batch job `jobId`, or directly when there is none); not yet read back. */
  | 'started'
  /** Read back: the override is what the plan wanted, and every event before it was replayed. */
  | 'done'
  /** It already had the wanted override (e.g. a batch sent before a crash); nothing sent. */
  | 'already'
  /** Not running any more, no longer exists, or nothing to do. */
  | 'skipped'
  /** Its history grew since the plan; replayed again and decided differently (or could not be). */
  | 'replanned'
  /** Our auto_upgrade override was set on top of events the candidate does not replay: set back to PINNED. */
  | 'reverted'
  /** Read back without the wanted override; a re-run tries again. */
  | 'failed';

export const JOURNAL_STATUSES: readonly JournalStatus[] = ['started', 'done', 'already', 'skipped', 'replanned', 'reverted', 'failed'];

export function emptyCounts(): Record<JournalStatus, number> {
  return Object.fromEntries(JOURNAL_STATUSES.map((s) => [s, 0])) as Record<JournalStatus, number>;
}

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

/**
 * Whether a re-run leaves the execution alone. `replanned` is settled only for a run that cannot
 * replay: given a candidate, apply looks at it again (its history may have grown past the failure).
 */
export function isSettled(status: JournalStatus, canReplay = false): boolean {
  switch (status) {
    case 'done':
    case 'already':
    case 'skipped':
    case 'reverted':
      return true;
    case 'replanned':
      return !canReplay;
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

export class JournalFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Any journal of JSON lines (watch, rollback, the override ledger): a torn last line (a crash
 * mid-write) is ignored, a damaged line elsewhere is an error naming it.
 */
export function parseJournal<E = JournalEntry>(text: string): E[] {
  const lines = text.split('\n');
  const entries: E[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      entries.push(JSON.parse(line) as E);
    } catch (err) {
      if (i !== lines.length - 1) throw new JournalFormatError(i + 1, `not JSON (${(err as Error).message})`);
    }
  });
  return entries;
}

export interface ParsedJournal {
  entries: JournalEntry[];
  /**
   * A last line with no newline that is not a whole entry: a write cut short by a crash. `offset`
   * is where it starts, so the caller can set it aside before appending.
   */
  torn?: { line: number; offset: number; text: string };
  /** The text ends inside a line that is a whole entry (cut right before its newline). */
  missingNewline: boolean;
}

function asEntry(value: unknown): JournalEntry | undefined {
  const e = value as Partial<JournalEntry> | null;
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.workflowId !== 'string' || typeof e.runId !== 'string' || typeof e.action !== 'string') return undefined;
  if (typeof e.status !== 'string' || !JOURNAL_STATUSES.includes(e.status)) return undefined;
  return e as JournalEntry;
}

/** One line of an apply journal: its entry, or why it is not one. */
export function parseJournalLine(raw: string): JournalEntry | { problem: string } {
  try {
    return asEntry(JSON.parse(raw)) ?? { problem: 'not a journal entry' };
  } catch (err) {
    return { problem: `not JSON (${(err as Error).message})` };
  }
}

/** What a re-run needs of an execution's last journaled step (not the whole entry). */
export type JournalStep = Pick<JournalEntry, 'action' | 'status' | 'jobId'>;

export function journalStep(e: JournalEntry): JournalStep {
  return { action: e.action, status: e.status, ...(e.jobId && { jobId: e.jobId }) };
}

/**
 * Parses journal text. Only the last line may be damaged, and only when it has no newline (the
 * journal is append-only, one write per line): that is a torn write, reported, not an entry.
 * A damaged line anywhere else is a corrupt journal.
 */
export function parseApplyJournal(text: string): ParsedJournal {
  const entries: JournalEntry[] = [];
  let offset = 0;
  let line = 0;
  while (offset < text.length) {
    line++;
    const end = text.indexOf('\n', offset);
    const last = end === -1;
    const raw = text.slice(offset, last ? text.length : end);
    if (raw.trim()) {
      const parsed = parseJournalLine(raw);
      if (!('problem' in parsed)) entries.push(parsed);
      else if (last) return { entries, torn: { line, offset, text: raw }, missingNewline: false };
      else throw new JournalFormatError(line, parsed.problem);
    }
    if (last) return { entries, missingNewline: raw.trim() !== '' };
    offset = end + 1;
  }
  return { entries, missingNewline: false };
}

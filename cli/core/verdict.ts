/**
 * What one replay proved. A verdict is data: the check reports it, the planner acts on it.
 * Classification works on the error's class name and message, so core needs no SDK import.
 */

export type Verdict = 'compatible' | 'nondeterministic' | 'missing-workflow-type' | 'replay-error';

export interface ReplayOutcome {
  verdict: Verdict;
  /** The history event at which code and history diverged, when the SDK says. */
  eventId?: string;
  /** One line from the SDK explaining the failure. */
  message?: string;
}

/** The minimum we read of a replay error. */
export interface ReplayErrorLike {
  name: string;
  message: string;
}

const MISSING_TYPE = /no such function is exported by the workflow bundle|workflow type .* not found|is not a function/i;
const EVENT_ID_PATTERNS = [/\bevent(?:\s+id)?[\s:#=]+(\d+)/i, /HistoryEvent\(id:\s*(\d+)/i, /event_id[:=\s]+(\d+)/i];

export function extractEventId(message: string): string | undefined {
  for (const pattern of EVENT_ID_PATTERNS) {
    const m = pattern.exec(message);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

/** Shortens an SDK message to its first meaningful line, without the stack. */
export function firstLine(message: string): string {
  const line = message.split('\n').find((l) => l.trim().length > 0) ?? message;
  return line.trim().slice(0, 500);
}

export function classifyReplay(error: ReplayErrorLike | undefined): ReplayOutcome {
  if (!error) return { verdict: 'compatible' };
  const message = firstLine(error.message);
  if (error.name === 'DeterminismViolationError' || message.includes('[TMPRL1100]')) {
    return { verdict: 'nondeterministic', eventId: extractEventId(error.message), message };
  }
  if (MISSING_TYPE.test(error.message)) return { verdict: 'missing-workflow-type', message };
  return { verdict: 'replay-error', message };
}

export function isIncompatible(verdict: Verdict): boolean {
  switch (verdict) {
    case 'compatible':
      return false;
    case 'nondeterministic':
    case 'missing-workflow-type':
      return true;
    case 'replay-error':
      return false;
  }
}

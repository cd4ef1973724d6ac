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
  /** For a nondeterminism error: what the history recorded, and what the candidate code did instead. */
  historyHad?: string;
  codeDid?: string;
}

/** The minimum we read of a replay error. */
export interface ReplayErrorLike {
  name: string;
  message: string;
}

// Core wraps the useful line: `... Failure { message: "[TMPRL1100] Nondeterminism error: ...", ...`
const INNER_NDE = /message: "(\[TMPRL1100\][^"]*)"/;
const TYPE_MISMATCH = /(\w+) type of scheduled event '([^']+)' does not match \w+ type of \w+ command '([^']+)'/i;
const MACHINE_MISMATCH = /(\w+) machine does not handle this event: HistoryEvent\(id: (\d+), (\w+)\)/i;
const NO_COMMAND = /No command scheduled for event HistoryEvent\(id: (\d+), (\w+)\)/i;

const MISSING_TYPE = /no such function is exported by the workflow bundle|workflow type .* not found|is not a function/i;
const MISSING_TYPE_NAME = /Failed to initialize workflow of type '([^']+)'/;
// Wordings of a breaking change that do not say "nondeterminism": core's FATAL wrapper
// ("internal SDK issue. Code: FATAL") around a machine that met an event it does not expect.
const NONDETERMINISM_SHAPES = [
  /nondetermin/i,
  /machine does not handle this event/i,
  /No command scheduled for event/i,
  /Missing associated machine for/i,
  /of scheduled event '[^']*' does not match/i,
];
const INNER_FAILURE = /message: "([^"]*)"/;
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
  if (error.name === 'DeterminismViolationError' || NONDETERMINISM_SHAPES.some((p) => p.test(error.message))) {
    return { verdict: 'nondeterministic', ...explainNondeterminism(error.message) };
  }
  if (MISSING_TYPE.test(error.message)) {
    const type = MISSING_TYPE_NAME.exec(error.message)?.[1];
    // The SDK buries it in a stack trace; one line says it.
    return { verdict: 'missing-workflow-type', message: type ? `workflow type '${type}' is not exported by the candidate` : message };
  }
  return { verdict: 'replay-error', message };
}

/** A missing type's one line, with the types the candidate has, when they are known. */
export function withCandidateTypes(outcome: ReplayOutcome, types: readonly string[] | undefined): ReplayOutcome {
  if (outcome.verdict !== 'missing-workflow-type' || !types) return outcome;
  return { ...outcome, message: `${outcome.message ?? 'workflow type not exported by the candidate'}; the candidate exports ${types.length > 0 ? types.join(', ') : 'nothing'}` };
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

/** Pulls the event and the two sides of the mismatch out of the SDK's nondeterminism message. */
export function explainNondeterminism(raw: string): Pick<ReplayOutcome, 'eventId' | 'message' | 'historyHad' | 'codeDid'> {
  const message = INNER_NDE.exec(raw)?.[1] ?? INNER_FAILURE.exec(raw)?.[1] ?? firstLine(raw);
  const type = TYPE_MISMATCH.exec(message);
  if (type) {
    const kind = type[1]?.toLowerCase();
    return { message, eventId: extractEventId(message), historyHad: `${kind} ${type[2]}`, codeDid: `${kind} ${type[3]}` };
  }
  const machine = MACHINE_MISMATCH.exec(message);
  if (machine) {
    const kind = machine[1]?.toLowerCase() ?? 'other';
    return { message, eventId: machine[2], historyHad: machine[3], codeDid: `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} command` };
  }
  const none = NO_COMMAND.exec(message);
  if (none) return { message, eventId: none[1], historyHad: none[2], codeDid: 'no matching command' };
  return { message, eventId: extractEventId(message) };
}

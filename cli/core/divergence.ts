/**
 * Where code and history diverged, in words a person can act on: the SDK's nondeterminism message
 * names an event or a command, and the history says what was there ("activity greet scheduled at
 * event 16", "timer 1 started at event 11"). Pure: works on the structural shape of a History proto.
 */
import type { ReplayOutcome } from './verdict.js';

interface LongLike {
  toString(): string;
}
type Id = LongLike | number | string | null | undefined;

/** The parts of a history event read here. */
export interface DivergenceEventLike {
  eventId?: Id;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null; activityId?: string | null } | null;
  timerStartedEventAttributes?: { timerId?: string | null } | null;
  timerFiredEventAttributes?: { timerId?: string | null } | null;
  timerCanceledEventAttributes?: { timerId?: string | null } | null;
  markerRecordedEventAttributes?: { markerName?: string | null } | null;
  startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId?: string | null; workflowType?: { name?: string | null } | null } | null;
  workflowExecutionSignaledEventAttributes?: { signalName?: string | null } | null;
  signalExternalWorkflowExecutionInitiatedEventAttributes?: { signalName?: string | null } | null;
  workflowExecutionCompletedEventAttributes?: unknown;
  workflowExecutionContinuedAsNewEventAttributes?: unknown;
  upsertWorkflowSearchAttributesEventAttributes?: unknown;
}
export interface DivergenceHistoryLike {
  events?: DivergenceEventLike[] | null;
}

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

const idOf = (e: DivergenceEventLike): string => String(e.eventId ?? '');

/** One event as a phrase: what it is and where. */
export function describeEvent(e: DivergenceEventLike): string {
  const at = `at event ${idOf(e)}`;
  const a = e.activityTaskScheduledEventAttributes;
  if (a) return `activity ${a.activityType?.name ?? '?'} scheduled ${at}`;
  if (e.timerStartedEventAttributes) return `timer ${e.timerStartedEventAttributes.timerId ?? '?'} started ${at}`;
  const m = e.markerRecordedEventAttributes;
  if (m) return m.markerName === LOCAL_ACTIVITY_MARKER ? `a local activity marker ${at}` : `marker ${m.markerName ?? '?'} ${at}`;
  const c = e.startChildWorkflowExecutionInitiatedEventAttributes;
  if (c) return `child workflow ${c.workflowId ?? '?'} (${c.workflowType?.name ?? '?'}) started ${at}`;
  if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) return `signal ${e.signalExternalWorkflowExecutionInitiatedEventAttributes.signalName ?? '?'} sent ${at}`;
  if (e.workflowExecutionCompletedEventAttributes) return `the workflow completed ${at}`;
  if (e.workflowExecutionContinuedAsNewEventAttributes) return `continue-as-new ${at}`;
  if (e.upsertWorkflowSearchAttributesEventAttributes) return `a search attribute upsert ${at}`;
  return `event ${idOf(e)}`;
}

/** A timer started before `eventId` that had neither fired nor been cancelled by then. */
function pendingTimerBefore(events: readonly DivergenceEventLike[], eventId: string): DivergenceEventLike | undefined {
  const open = new Map<string, DivergenceEventLike>();
  for (const e of events) {
    if (idOf(e) === eventId) break;
    const started = e.timerStartedEventAttributes?.timerId;
    if (started) open.set(started, e);
    const closed = e.timerFiredEventAttributes?.timerId ?? e.timerCanceledEventAttributes?.timerId;
    if (closed) open.delete(closed);
  }
  return [...open.values()].at(-1);
}

// What the code did, for the command kinds core names in "X machine does not handle this event".
const MACHINE_COMMANDS: Record<string, string> = {
  'complete workflow': 'a complete workflow command (the workflow ended there)',
  'fail workflow': 'a fail workflow command (the workflow failed there)',
  'continue as new workflow': 'a continue-as-new command',
};

function machineCommand(kind: string): string {
  return MACHINE_COMMANDS[kind] ?? `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} command`;
}

const MACHINE = /(\w+(?: \w+)*?) machine does not handle this event: HistoryEvent\(id: (\d+), \w+\)/i;
const NO_COMMAND = /No command scheduled for event HistoryEvent\(id: (\d+), \w+\)/i;
const MISSING_MACHINE = /Missing associated machine for LocalActivity\((\d+)\)/i;
const MISMATCH = /(Activity type|Child workflow id|Child workflow type|Timer id|Activity id|Signal name|Marker name)s? of scheduled event '([^']*)' does not match \w+(?: \w+)* of (?:\w+ )*command '([^']*)'/i;

function find(events: readonly DivergenceEventLike[], id: string): DivergenceEventLike | undefined {
  return events.find((e) => idOf(e) === id);
}

/**
 * `outcome` (from classifyReplay) with the event ID and both sides filled in from the history,
 * where the SDK's message allows. Verdicts other than nondeterministic are returned as they are.
 */
export function explainFromHistory(outcome: ReplayOutcome, history: DivergenceHistoryLike): ReplayOutcome {
  if (outcome.verdict !== 'nondeterministic' || !outcome.message) return outcome;
  const events = history.events ?? [];
  const message = outcome.message;

  const machine = MACHINE.exec(message);
  if (machine?.[1] && machine[2]) {
    const kind = machine[1].toLowerCase();
    const event = find(events, machine[2]);
    const had = event ? describeEvent(event) : `event ${machine[2]}`;
    let did = machineCommand(kind);
    const pending = kind === 'timer' ? pendingTimerBefore(events, machine[2]) : undefined;
    if (pending) did += ` (${describeEvent(pending)} was still pending: the code cancelled or replaced it)`;
    return { ...outcome, eventId: machine[2], historyHad: had, codeDid: did };
  }

  const none = NO_COMMAND.exec(message);
  if (none?.[1]) {
    const event = find(events, none[1]);
    return { ...outcome, eventId: none[1], historyHad: event ? describeEvent(event) : `event ${none[1]}`, codeDid: 'nothing there (the code no longer does this)' };
  }

  const local = MISSING_MACHINE.exec(message);
  if (local?.[1]) {
    const markers = events.filter((e) => e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER);
    const marker = markers[Number(local[1]) - 1] ?? markers[0];
    return {
      ...outcome,
      ...(marker && { eventId: idOf(marker) }),
      historyHad: marker ? describeEvent(marker).replace('a local activity marker', `local activity ${local[1]} (a marker)`) : `local activity ${local[1]}`,
      codeDid: `no local activity ${local[1]}: a normal activity (or other command) in its place`,
    };
  }

  const mismatch = MISMATCH.exec(message);
  if (mismatch?.[1] && mismatch[2] !== undefined && mismatch[3] !== undefined) {
    const what = mismatch[1].toLowerCase();
    const [had, did] = [mismatch[2], mismatch[3]];
    const event = events.find((e) => {
      if (what === 'activity type') return e.activityTaskScheduledEventAttributes?.activityType?.name === had;
      if (what === 'child workflow id') return e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId === had;
      if (what === 'child workflow type') return e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name === had;
      if (what === 'timer id') return e.timerStartedEventAttributes?.timerId === had;
      return false;
    });
    const noun = what === 'activity type' ? 'activity' : what.startsWith('child workflow') ? 'child workflow' : what.replace(/ (id|name|type)$/, '');
    return {
      ...outcome,
      ...(event && { eventId: idOf(event) }),
      historyHad: event ? describeEvent(event) : `${noun} ${had}`,
      codeDid: `${noun} ${did} there`,
    };
  }
  return outcome;
}

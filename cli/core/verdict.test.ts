import { describe, expect, it } from 'vitest';
import { classifyReplay, isIncompatible, withCandidateTypes } from './verdict.js';

// Messages as the TypeScript SDK 1.24 produced them while replaying the recorded corpus.
const wrap = (inner: string) =>
  `Replay failed with a nondeterminism error. This means that the workflow code as written is not compatible with the history that was fed in. Details: Workflow activation completion failed: Failure { failure: Some(Failure { message: "${inner}", source: "", stack_trace: "" }) }`;

describe('classifyReplay', () => {
  it.each([
    {
      scenario: 'no error: compatible',
      error: undefined,
      expected: { verdict: 'compatible' },
    },
    {
      scenario: 'an activity replaced by another',
      error: {
        name: 'DeterminismViolationError',
        message: wrap("[TMPRL1100] Nondeterminism error: Activity type of scheduled event 'researchStep' does not match activity type of activity command 'factCheck'"),
      },
      expected: {
        verdict: 'nondeterministic',
        message: "[TMPRL1100] Nondeterminism error: Activity type of scheduled event 'researchStep' does not match activity type of activity command 'factCheck'",
        historyHad: 'activity researchStep',
        codeDid: 'activity factCheck',
      },
    },
    {
      scenario: 'a timer replaced by an activity, with the event ID',
      error: {
        name: 'DeterminismViolationError',
        message: wrap('[TMPRL1100] Nondeterminism error: Activity machine does not handle this event: HistoryEvent(id: 5, TimerStarted)'),
      },
      expected: { verdict: 'nondeterministic', eventId: '5', historyHad: 'TimerStarted', codeDid: 'an activity command' },
    },
    {
      scenario: 'a command missing from the code',
      error: { name: 'DeterminismViolationError', message: wrap('[TMPRL1100] Nondeterminism error: No command scheduled for event HistoryEvent(id: 9, TimerStarted)') },
      expected: { verdict: 'nondeterministic', eventId: '9', historyHad: 'TimerStarted', codeDid: 'no matching command' },
    },
    {
      scenario: 'the workflow type missing from the bundle',
      error: { name: 'ReplayError', message: "Failed to initialize workflow of type 'ResearchWorkflow': no such function is exported by the workflow bundle" },
      expected: { verdict: 'missing-workflow-type', message: "workflow type 'ResearchWorkflow' is not exported by the candidate" },
    },
    {
      scenario: "a breaking change in core's FATAL wrapper, without the word nondeterminism",
      error: {
        name: 'ReplayError',
        message: 'Replay failed due workflow task failure. Details: Workflow activation completion failed: Failure { failure: Some(Failure { message: "internal SDK issue. Code: FATAL: Timer machine does not handle this event: HistoryEvent(id: 26, TimerStarted)", source: "", stack_trace: "" }) }',
      },
      expected: { verdict: 'nondeterministic', eventId: '26', historyHad: 'TimerStarted', codeDid: 'a timer command' },
    },
    {
      scenario: 'a codec failure',
      error: { name: 'ReplayError', message: 'Unknown encoding: binary/encrypted\n    at decode (x.js:1:1)' },
      expected: { verdict: 'replay-error', message: 'Unknown encoding: binary/encrypted' },
    },
  ])('$scenario', ({ error, expected }) => {
    expect(classifyReplay(error)).toMatchObject(expected);
  });

  it('counts nondeterminism and a missing type as incompatible, not a replay error', () => {
    expect(['compatible', 'nondeterministic', 'missing-workflow-type', 'replay-error'].map((v) => isIncompatible(v as never))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});

describe('withCandidateTypes', () => {
  const missing = { verdict: 'missing-workflow-type' as const, message: "workflow type 'Gone' is not exported by the candidate" };
  it.each([
    ['names the types the candidate has', missing, ['A', 'B'], "workflow type 'Gone' is not exported by the candidate; the candidate exports A, B"],
    ['says so when it exports nothing', missing, [], "workflow type 'Gone' is not exported by the candidate; the candidate exports nothing"],
    ['leaves the message alone when the types are unknown (a prebuilt bundle)', missing, undefined, "workflow type 'Gone' is not exported by the candidate"],
    ['leaves other verdicts alone', { verdict: 'replay-error' as const, message: 'boom' }, ['A'], 'boom'],
  ])('%s', (_name, outcome, types, message) => {
    expect(withCandidateTypes(outcome, types).message).toBe(message);
  });
});

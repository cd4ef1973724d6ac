import { describe, expect, it } from 'vitest';
import { sampleResult } from './check-fixtures.js';
import { describeDivergence, describeFailure, oneLine, verdictLine } from './check-wording.js';

describe('describeDivergence', () => {
  it.each([
    { scenario: 'both sides', historyHad: 'TimerStarted', codeDid: 'an activity command', expected: 'history had TimerStarted, code did an activity command' },
    { scenario: 'only the history side', historyHad: 'TimerStarted', codeDid: undefined, expected: 'history had TimerStarted' },
    { scenario: 'only the code side', historyHad: undefined, codeDid: 'a timer command', expected: 'code did a timer command' },
    { scenario: 'neither', historyHad: undefined, codeDid: undefined, expected: undefined },
  ])('$scenario', ({ historyHad, codeDid, expected }) => {
    expect(describeDivergence({ historyHad, codeDid })).toBe(expected);
  });
});

describe('describeFailure', () => {
  it('falls back to the verdict when the SDK said nothing', () => {
    expect(describeFailure(sampleResult({ verdict: 'replay-error' }))).toBe('replay error');
  });
});

describe('oneLine', () => {
  it('makes newlines, tabs and terminal escapes visible instead of acting on them', () => {
    expect(oneLine('a\nb\r\tc\u001b[31m\u0085')).toBe('a\\nb\\r\\tc\\u001b[31m\\u0085');
  });
});

describe('verdictLine', () => {
  it.each([
    { scenario: 'passed', summary: { total: 3, compatible: 3, incompatible: 0, errors: 0 }, interrupted: undefined, expected: 'PASSED: 3 of 3 executions replay cleanly on the candidate' },
    { scenario: 'failed', summary: { total: 3, compatible: 1, incompatible: 1, errors: 1 }, interrupted: undefined, expected: 'FAILED: 1 incompatible, 1 error of 3 executions' },
    { scenario: 'interrupted', summary: { total: 1, compatible: 1, incompatible: 0, errors: 0 }, interrupted: { notChecked: 2 }, expected: 'INCOMPLETE: 1 of 1 replayed execution replays cleanly; 2 not checked: 2 not reached (interrupted)' },
    { scenario: 'failed and interrupted', summary: { total: 3, compatible: 1, incompatible: 2, errors: 0 }, interrupted: { notChecked: 4 }, expected: 'FAILED: 2 incompatible, 0 errors of 3 executions; 4 not checked: 4 not reached (interrupted)' },
    { scenario: 'nothing to check', summary: { total: 0, compatible: 0, incompatible: 0, errors: 0 }, interrupted: undefined, expected: 'NOTHING TO CHECK: the selection has no running executions' },
  ])('$scenario', ({ summary, interrupted, expected }) => {
    expect(verdictLine({ summary, interrupted })).toBe(expected);
  });
});

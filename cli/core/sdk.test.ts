import { describe, expect, it } from 'vitest';
import { looksLikePythonWorkflows, otherSdkOutcome, sdkOfHistory, splitClassList } from './sdk.js';

describe('sdkOfHistory', () => {
  const cases: [string | undefined, string | undefined][] = [
    ['temporal-python', 'python'],
    ['temporal-typescript', 'typescript'],
    ['temporal-go', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [sdkName, kind] of cases) {
    it(`a history of ${JSON.stringify(sdkName)} is ${kind ?? 'no SDK we replay'}`, () => expect(sdkOfHistory(sdkName)).toBe(kind));
  }
});

describe('looksLikePythonWorkflows', () => {
  const cases: [string, boolean][] = [
    ['src/workflows.py', true],
    ['src/workflows.py:ResearchWorkflow,ResearchPollingWorkflow', true],
    ['app.workflows:ResearchWorkflow', true],
    ['src/workflows.ts', false],
    ['./dist/workflows.js', false],
    ['app.workflows', false], // a module name alone needs --sdk python
    ['C:\\work\\workflows.ts', false],
  ];
  for (const [spec, python] of cases) it(`${spec} -> ${python ? 'Python' : 'not Python'}`, () => expect(looksLikePythonWorkflows(spec)).toBe(python));
});

describe('splitClassList', () => {
  it('splits a class list off a module', () => expect(splitClassList('app/workflows.py:A, B')).toEqual(['app/workflows.py', ['A', 'B']]));
  it('leaves a spec without a list as it is', () => expect(splitClassList('app/workflows.py')).toEqual(['app/workflows.py', undefined]));
  it('does not take a Windows drive for a list', () => expect(splitClassList('C:\\app\\workflows.py')).toEqual(['C:\\app\\workflows.py', undefined]));
});

describe('otherSdkOutcome', () => {
  it('reports a TypeScript history on a Python candidate as not replayed, never as an NDE', () => {
    const outcome = otherSdkOutcome('temporal-typescript', ['python']);
    expect(outcome.verdict).toBe('replay-error');
    expect(outcome.message).toBe('a TypeScript history (temporal-typescript), and the candidate is Python: not replayed: pass a TypeScript candidate too');
  });
  it('names an SDK it does not know by its sdkName', () => {
    expect(otherSdkOutcome('temporal-go', ['typescript', 'python']).message).toBe('a history of another SDK (temporal-go), and the candidate is TypeScript and Python: not replayed');
  });
});

import { describe, expect, it } from 'vitest';
import { ExitCode } from '../errors.js';
import { checkExitCode, checkVerdict, gatePasses, summarize, type CheckReport, type CheckResult, type UncheckedItem } from './check-report.js';

const ok = (id: string): CheckResult => ({ workflowId: id, runId: `run-${id}`, workflowType: 'T', version: 'd:v1', lastEventId: '9', origin: 'server', verdict: 'compatible' });
const broken = (id: string): CheckResult => ({ ...ok(id), verdict: 'nondeterministic' });
const unloadable: UncheckedItem = { reason: 'unloadable', origin: 'h/empty.json', message: 'h/empty.json: not valid JSON' };
const unfetchable: UncheckedItem = { reason: 'unfetchable', origin: 'server', workflowId: 'w9', runId: 'r9', message: 'not found' };

type Input = Pick<CheckReport, 'unchecked' | 'interrupted' | 'serverLost' | 'failOnEmpty'> & { results: CheckResult[] };
const report = (input: Input) => ({ ...input, summary: summarize(input.results) });

describe('the one verdict rule: passed only when everything selected was replayed cleanly', () => {
  it.each<{ scenario: string; input: Input; verdict: string; gate: boolean; exit: ExitCode }>([
    { scenario: 'all replayed cleanly', input: { results: [ok('a'), ok('b')] }, verdict: 'passed', gate: true, exit: ExitCode.ok },
    { scenario: 'one incompatible', input: { results: [ok('a'), broken('b')] }, verdict: 'failed', gate: false, exit: ExitCode.gateFailed },
    { scenario: 'one good file, one that would not load', input: { results: [ok('a')], unchecked: [unloadable] }, verdict: 'incomplete', gate: false, exit: ExitCode.usage },
    { scenario: 'an execution the server would not return', input: { results: [ok('a')], unchecked: [unfetchable] }, verdict: 'incomplete', gate: false, exit: ExitCode.infrastructure },
    { scenario: 'interrupted after the first', input: { results: [ok('a')], interrupted: { notChecked: 3 } }, verdict: 'incomplete', gate: false, exit: ExitCode.interrupted },
    { scenario: 'interrupted before any', input: { results: [], interrupted: { notChecked: 3 } }, verdict: 'incomplete', gate: false, exit: ExitCode.interrupted },
    { scenario: 'server lost part-way', input: { results: [ok('a')], serverLost: { notChecked: 2, message: 'cannot reach Temporal' } }, verdict: 'incomplete', gate: false, exit: ExitCode.infrastructure },
    { scenario: 'server lost after an incompatible one', input: { results: [broken('a')], serverLost: { notChecked: 2, message: 'x' } }, verdict: 'failed', gate: false, exit: ExitCode.infrastructure },
    { scenario: 'nothing to check', input: { results: [] }, verdict: 'nothing-to-check', gate: true, exit: ExitCode.ok },
    { scenario: 'nothing to check with --fail-on-empty', input: { results: [], failOnEmpty: true }, verdict: 'nothing-to-check', gate: false, exit: ExitCode.gateFailed },
    { scenario: '--fail-on-empty with executions', input: { results: [ok('a')], failOnEmpty: true }, verdict: 'passed', gate: true, exit: ExitCode.ok },
  ])('$scenario: $verdict, exit $exit', ({ input, verdict, gate, exit }) => {
    const r = report(input);
    expect(checkVerdict(r)).toBe(verdict);
    expect(gatePasses(r)).toBe(gate);
    expect(checkExitCode(r)).toBe(exit);
  });
});

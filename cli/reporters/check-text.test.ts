import { describe, expect, it } from 'vitest';
import { MIXED_RESULTS, sampleReport, sampleResult, UNCHECKED_ITEMS } from './check-fixtures.js';
import { renderCheckText } from './check-text.js';

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';

describe('renderCheckText', () => {
  it('all compatible: names the candidate and selection, counts without listing, and passes', () => {
    const text = renderCheckText(sampleReport(), {});
    const lines = text.split('\n');
    expect(lines[0]).toBe('Candidate: sample-workers/orders/workflows.ts, bundle hash sha256:9f2c4e, Build ID orders:v2');
    expect(lines[1]).toBe("Selected:  executions on localhost:7233, namespace default, query ExecutionStatus = 'Running'; 2 executions replayed in 1.2 s");
    expect(text).toContain('OrderWorkflow  orders:v1      2           2                 0             0       0');
    expect(text).not.toContain('order-1');
    expect(text).not.toContain('Not proven compatible');
    expect(lastLine(text)).toBe('PASSED: 2 of 2 executions replay cleanly on the candidate');
  });

  it('aligns the group table on plain spaces, numbers right-aligned under their headers', () => {
    const text = renderCheckText(sampleReport({ results: MIXED_RESULTS }), {});
    const table = text.split('\n').filter((l) => /^(Workflow type|OrderWorkflow|RefundWorkflow|ShippingWorkflow)/.test(l));
    expect(table).toEqual([
      'Workflow type     Version      Total  Compatible  Nondeterministic  Missing type  Errors',
      'OrderWorkflow     orders:v1        3           2                 1             0       0',
      'RefundWorkflow    orders:v1        1           0                 0             1       0',
      'ShippingWorkflow  unversioned      1           0                 0             0       1',
    ]);
  });

  it('mixed verdicts: lists failures first, then errors, with event and divergence, and fails', () => {
    const text = renderCheckText(sampleReport({ results: MIXED_RESULTS }), {});
    const failures = text.slice(text.indexOf('Not proven compatible'));
    expect(failures.split('\n').slice(0, 6)).toEqual([
      'Not proven compatible (2 incompatible, 1 error):',
      'NONDETERMINISTIC  workflow ID order-3, run ID run-o3',
      '    type OrderWorkflow, version orders:v1, event 5',
      '    history had activity researchStep, code did activity factCheck',
      "    [TMPRL1100] Nondeterminism error: Activity type of scheduled event 'researchStep' does not match activity type of activity command 'factCheck'",
      'MISSING WORKFLOW TYPE  workflow ID refund-1, run ID run-r1',
    ]);
    expect(failures.indexOf('REPLAY ERROR  workflow ID ship-1')).toBeGreaterThan(failures.indexOf('refund-1'));
    expect(text).not.toContain('workflow ID order-1');
    expect(lastLine(text)).toBe('FAILED: 2 incompatible, 1 error of 5 executions');
  });

  it('interrupted: says how many executions were not checked, and is incomplete even with no failures', () => {
    const text = renderCheckText(sampleReport({ interrupted: { notChecked: 7 } }), {});
    expect(text).toContain('Interrupted: 7 executions were NOT checked');
    expect(text).toContain('NOT REACHED  7 executions (interrupted before they were replayed)');
    expect(lastLine(text)).toBe('INCOMPLETE: 2 of 2 replayed executions replay cleanly; 7 not checked: 7 not reached (interrupted)');
  });

  it('a file that would not load and an execution that could not be fetched: each listed, never PASSED', () => {
    const text = renderCheckText(sampleReport({ unchecked: [...UNCHECKED_ITEMS] }), {});
    const section = text.slice(text.indexOf('Not checked'));
    expect(section.split('\n').slice(0, 3)).toEqual([
      'Not checked (2):',
      'UNLOADABLE  history file histories/empty.json: could not be loaded: histories/empty.json: not valid JSON (Unexpected end of JSON input)',
      'UNFETCHABLE  workflow ID order-9, run ID run-o9: could not be fetched: fetch the history of order-9: not found: workflow execution not found',
    ]);
    expect(text).not.toContain('PASSED');
    expect(lastLine(text)).toBe('INCOMPLETE: 2 of 2 replayed executions replay cleanly; 2 not checked: 1 file could not be loaded, 1 execution could not be fetched');
  });

  it('the server lost part-way: what finished is reported, the rest counted as not reached', () => {
    const text = renderCheckText(sampleReport({ results: MIXED_RESULTS, serverLost: { notChecked: 4, message: 'cannot reach Temporal at localhost:7233 (fetch the history of order-7): No connection established' } }), {});
    expect(text.split('\n')[2]).toBe('Server lost part-way: 4 executions were NOT checked (cannot reach Temporal at localhost:7233 (fetch the history of order-7): No connection established); the counts cover only what finished.');
    expect(text).toContain('NOT REACHED  4 executions (the server was lost before they were replayed)');
    expect(lastLine(text)).toBe('FAILED: 2 incompatible, 1 error of 5 executions; 4 not checked: 4 not reached (server lost)');
  });

  it.each([
    { scenario: 'nothing to check', failOnEmpty: undefined, expected: 'NOTHING TO CHECK: the selection has no running executions' },
    { scenario: 'nothing to check with --fail-on-empty', failOnEmpty: true, expected: 'NOTHING TO CHECK: the selection has no running executions (--fail-on-empty: the gate fails)' },
  ])('$scenario: said as such, not "PASSED 0 of 0"', ({ failOnEmpty, expected }) => {
    const text = renderCheckText(sampleReport({ results: [], failOnEmpty }), {});
    expect(lastLine(text)).toBe(expected);
    expect(text).not.toContain('PASSED');
  });

  it.each([
    { scenario: 'history files with a shard', selection: { source: 'histories' as const, paths: ['histories/a', 'histories/b'] }, shard: { index: 1, count: 4 }, expected: 'history files from histories/a, histories/b, shard 1/4' },
    { scenario: 'a server query', selection: { source: 'server' as const, address: 'temporal:7233', namespace: 'prod', query: 'WorkflowType = "X"' }, shard: undefined, expected: 'executions on temporal:7233, namespace prod, query WorkflowType = "X"' },
  ])('selection line for $scenario', ({ selection, shard, expected }) => {
    expect(renderCheckText(sampleReport({ selection, shard }), {})).toContain(`Selected:  ${expected};`);
  });

  it('caps the failure list at maxRows and says how many more', () => {
    const text = renderCheckText(sampleReport({ results: MIXED_RESULTS }), { maxRows: 1 });
    expect(text).toContain('workflow ID order-3');
    expect(text).not.toContain('workflow ID refund-1');
    expect(text).toContain('… and 2 more');
  });

  it('colours only when asked', () => {
    const report = sampleReport({ results: MIXED_RESULTS });
    expect(renderCheckText(report, {})).not.toContain('\u001b[');
    expect(renderCheckText(report, { color: true })).toContain('\u001b[31m');
  });

  it('a workflow ID with a newline and a terminal escape stays on one line, made visible', () => {
    const report = sampleReport({ results: [sampleResult({ workflowId: 'evil\n\u001b[2Jid', verdict: 'replay-error', message: 'boom' })] });
    const text = renderCheckText(report, {});
    expect(text).not.toContain('\u001b');
    expect(text).toContain('workflow ID evil\\n\\u001b[2Jid, run ID');
  });

  it('a Build ID is left out of the header when the candidate has none', () => {
    const text = renderCheckText(sampleReport({ candidate: { source: 'dist/bundle.js', bundleHash: 'abc' } }), {});
    expect(text.split('\n')[0]).toBe('Candidate: dist/bundle.js, bundle hash abc');
  });

  it('a bundle from the bundle cache is marked as cached', () => {
    const text = renderCheckText(sampleReport({ candidate: { source: 'w.ts', bundleHash: 'abc', bundleCache: 'hit' } }), {});
    expect(text.split('\n')[0]).toBe('Candidate: w.ts, bundle hash abc (cached)');
  });

  it('one execution reads in the singular', () => {
    const text = renderCheckText(sampleReport({ results: [sampleResult()] }), {});
    expect(lastLine(text)).toBe('PASSED: 1 of 1 execution replays cleanly on the candidate');
  });
});

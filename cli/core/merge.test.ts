import { describe, expect, it } from 'vitest';
import { checkExitCode, checkVerdict, groupResults, summarize, type CheckReport, type CheckResult } from './check-report.js';
import { mergeCheckReports, MergeError, mergePlans, parseMergeInput, type MergePart } from './merge.js';
import type { Plan, PlannedExecution } from './plan.js';
import type { Verdict } from './verdict.js';

const selection: CheckReport['selection'] = { source: 'server', address: 'localhost:7233', namespace: 'default', query: "TemporalWorkerDeployment = 'd'" };

function result(workflowId: string, verdict: Verdict = 'compatible'): CheckResult {
  return { workflowId, runId: `run-${workflowId}`, workflowType: 'Research', version: 'd:v1', lastEventId: '12', origin: 'server', verdict };
}

function report(index: number, count: number, results: CheckResult[], over: Partial<CheckReport> = {}): MergePart<CheckReport> {
  return {
    origin: `report-${index}.json`,
    value: {
      schemaVersion: 1,
      candidate: { source: 'src/workflows.ts', bundleHash: 'abc', buildId: 'v2', bundleCache: 'hit' },
      selection,
      shard: { index, count },
      summary: summarize(results),
      groups: groupResults(results),
      results,
      durationMs: 1000 * index,
      ...over,
    },
  };
}

function planned(workflowId: string, workflowType = 'Research'): PlannedExecution {
  return {
    workflowId,
    runId: `run-${workflowId}`,
    workflowType,
    state: { behavior: 'PINNED', version: 'd:v1' },
    effectiveBehavior: 'PINNED',
    receipt: { runId: `run-${workflowId}`, lastEventId: '12', bundleHash: 'abc', verdict: 'compatible' },
    action: 'upgrade',
    targetOverride: { kind: 'auto_upgrade' },
    reason: 'replays cleanly',
  };
}

function plan(index: number, count: number, executions: PlannedExecution[], over: Partial<Plan> = {}): MergePart<Plan> {
  return {
    origin: `plan-${index}.json`,
    value: {
      schemaVersion: 1,
      createdAt: `2026-12-02T04:0${index}:00.000Z`,
      deployment: 'd',
      candidate: { buildId: 'v2', version: 'd:v2', bundleHash: 'abc', source: 'src/workflows.ts' },
      policy: { onAutoUpgradeFailure: 'protect', longRunningTypes: [], nudgeSignal: 'wake_up' },
      selection,
      shard: { index, count },
      executions,
      ...over,
    },
  };
}

describe('mergeCheckReports', () => {
  it('three shards make the report of one unsharded check, with its verdict', () => {
    const merged = mergeCheckReports([report(2, 3, [result('b', 'nondeterministic')]), report(1, 3, [result('a')]), report(3, 3, [result('c'), result('d')])]);
    expect(merged.shard).toBeUndefined();
    expect(merged.results.map((r) => r.workflowId).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(merged.summary).toEqual({ total: 4, compatible: 3, incompatible: 1, errors: 0, notChecked: 0 });
    expect(merged.groups).toEqual([{ workflowType: 'Research', version: 'd:v1', total: 4, compatible: 3, nondeterministic: 1, missingWorkflowType: 0, replayErrors: 0 }]);
    expect(checkVerdict(merged)).toBe('failed');
    expect(merged.durationMs).toBe(3000);
    expect(merged.candidate).toEqual({ source: 'src/workflows.ts', bundleHash: 'abc', buildId: 'v2' });
  });

  it('all compatible shards pass, an empty shard included', () => {
    expect(checkVerdict(mergeCheckReports([report(1, 2, [result('a')]), report(2, 2, [])]))).toBe('passed');
  });

  it('an interrupted shard makes the merged report interrupted (incomplete), counting what was not checked', () => {
    const merged = mergeCheckReports([report(1, 2, [result('a')], { interrupted: { notChecked: 3 } }), report(2, 2, [result('b')], { interrupted: { notChecked: 2 } })]);
    expect(merged.interrupted).toEqual({ notChecked: 5 });
    expect(checkVerdict(merged)).toBe('incomplete');
    expect(checkExitCode(merged)).toBe(130);
  });

  it('what a shard did not check (a file not loaded, the server lost) stays in the merged report', () => {
    const unloadable = { reason: 'unloadable' as const, origin: 'h/zero.json', message: 'h/zero.json: not valid JSON' };
    const merged = mergeCheckReports([
      report(1, 2, [result('a')], { unchecked: [unloadable] }),
      report(2, 2, [result('b')], { serverLost: { notChecked: 4, message: 'cannot reach Temporal' } }),
    ]);
    expect(merged.unchecked).toEqual([unloadable]);
    expect(merged.serverLost).toEqual({ notChecked: 4, message: 'cannot reach Temporal' });
    expect(merged.summary.notChecked).toBe(5);
    expect(checkVerdict(merged)).toBe('incomplete');
    expect(checkExitCode(merged)).toBe(3);
  });

  it.each([
    { scenario: 'a missing shard', parts: () => [report(1, 3, []), report(3, 3, [])], error: 'missing shard(s) 2/3' },
    { scenario: 'a duplicated shard', parts: () => [report(1, 2, []), report(2, 2, []), { ...report(2, 2, []), origin: 'again.json' }], error: 'shard 2/2 given twice: report-2.json and again.json' },
    { scenario: 'different shard counts', parts: () => [report(1, 2, []), report(2, 3, [])], error: 'different shard counts' },
    { scenario: 'a report made without --shard', parts: () => [report(1, 2, []), report(2, 2, [], { shard: undefined })], error: 'report-2.json was not made with --shard i/n' },
    {
      scenario: 'another candidate (bundle hash)',
      parts: () => [report(1, 2, []), report(2, 2, [], { candidate: { source: 'src/workflows.ts', bundleHash: 'other' } })],
      error: 'different candidates (bundle hash)',
    },
    {
      scenario: 'another candidate Build ID',
      parts: () => [report(1, 2, []), report(2, 2, [], { candidate: { source: 'src/workflows.ts', bundleHash: 'abc', buildId: 'v3' } })],
      error: 'different candidate Build IDs',
    },
    { scenario: 'another selection (query)', parts: () => [report(1, 2, []), report(2, 2, [], { selection: { ...selection, query: 'x' } })], error: 'different selections' },
    { scenario: 'another selection (namespace)', parts: () => [report(1, 2, []), report(2, 2, [], { selection: { ...selection, namespace: 'prod' } })], error: 'different selections' },
    { scenario: 'an execution in two shards', parts: () => [report(1, 2, [result('a')]), report(2, 2, [result('a')])], error: 'execution a (run run-a) is in report-1.json and in report-2.json' },
    { scenario: 'nothing at all', parts: () => [], error: 'nothing to merge' },
  ])('refuses $scenario', ({ parts, error }) => {
    expect(() => mergeCheckReports(parts())).toThrow(MergeError);
    expect(() => mergeCheckReports(parts())).toThrow(error);
  });

  it('a selection written in another key order is the same selection', () => {
    const reordered = { query: selection.source === 'server' ? selection.query : '', namespace: 'default', address: 'localhost:7233', source: 'server' } as CheckReport['selection'];
    expect(mergeCheckReports([report(1, 2, []), report(2, 2, [], { selection: reordered })]).summary.total).toBe(0);
  });
});

describe('mergePlans', () => {
  it('joins the shard plans into one, sorted as plan writes them, dated by the oldest shard', () => {
    const merged = mergePlans([plan(2, 2, [planned('b', 'A'), planned('z', 'B')]), plan(1, 2, [planned('a', 'B')])]);
    expect(merged.shard).toBeUndefined();
    expect(merged.executions.map((e) => `${e.workflowType}/${e.workflowId}`)).toEqual(['A/b', 'B/a', 'B/z']);
    expect(merged.createdAt).toBe('2026-12-02T04:01:00.000Z');
    expect(merged.selection).toEqual(selection);
  });

  it.each([
    { scenario: 'another candidate', parts: () => [plan(1, 2, []), plan(2, 2, [], { candidate: { buildId: 'v2', version: 'd:v2', bundleHash: 'zzz', source: 's' } })], error: 'different candidates' },
    { scenario: 'another policy', parts: () => [plan(1, 2, []), plan(2, 2, [], { policy: { onAutoUpgradeFailure: 'block', longRunningTypes: [], nudgeSignal: 'wake_up' } })], error: 'different policies' },
    { scenario: 'another deployment', parts: () => [plan(1, 2, []), plan(2, 2, [], { deployment: 'e' })], error: 'different deployments' },
    { scenario: 'another selection', parts: () => [plan(1, 2, []), plan(2, 2, [], { selection: { ...selection, query: 'y' } })], error: 'different selections' },
    { scenario: 'a missing shard', parts: () => [plan(2, 2, [])], error: 'missing shard(s) 1/2' },
    { scenario: 'an execution in two shards', parts: () => [plan(1, 2, [planned('a')]), plan(2, 2, [planned('a')])], error: 'is in plan-1.json and in plan-2.json' },
  ])('refuses $scenario', ({ parts, error }) => {
    expect(() => mergePlans(parts())).toThrow(error);
  });
});

describe('parseMergeInput', () => {
  it.each([
    { scenario: 'a check report', doc: { schemaVersion: 1, candidate: { bundleHash: 'x' }, selection, results: [] }, kind: 'check' },
    { scenario: 'a plan', doc: { schemaVersion: 1, executions: [] }, kind: 'plan' },
  ])('recognises $scenario', ({ doc, kind }) => {
    expect(parseMergeInput(doc).kind).toBe(kind);
  });

  it.each([
    { scenario: 'not an object', doc: 3, error: 'not a check report or a plan' },
    { scenario: 'something else', doc: { hello: 1 }, error: 'neither a check report' },
    { scenario: 'a report of another schema version', doc: { schemaVersion: 2, results: [] }, error: 'schemaVersion 2 is not supported' },
    { scenario: 'a result with an unknown verdict', doc: { schemaVersion: 1, candidate: { bundleHash: 'x' }, selection, results: [{ workflowId: 'a', runId: 'r', verdict: 'fine' }] }, error: 'known verdict' },
  ])('refuses $scenario', ({ doc, error }) => {
    expect(() => parseMergeInput(doc)).toThrow(error);
  });
});

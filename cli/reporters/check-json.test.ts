import { describe, expect, it } from 'vitest';
import { CHECK_SCHEMA_VERSION, type CheckResult } from '../core/check-report.js';
import { MIXED_RESULTS, sampleReport, UNCHECKED_ITEMS } from './check-fixtures.js';
import { renderCheckJson } from './check-json.js';

describe('renderCheckJson', () => {
  it.each([
    { scenario: 'all compatible', report: sampleReport(), verdict: 'passed' },
    { scenario: 'mixed verdicts', report: sampleReport({ results: MIXED_RESULTS }), verdict: 'failed' },
    { scenario: 'interrupted with nothing failing', report: sampleReport({ interrupted: { notChecked: 3 } }), verdict: 'incomplete', gate: 'fail', notChecked: 3 },
    { scenario: 'a file not loaded, an execution not fetched', report: sampleReport({ unchecked: [...UNCHECKED_ITEMS] }), verdict: 'incomplete', gate: 'fail', notChecked: 2 },
    { scenario: 'the server lost part-way', report: sampleReport({ serverLost: { notChecked: 5, message: 'cannot reach Temporal' } }), verdict: 'incomplete', gate: 'fail', notChecked: 5 },
    { scenario: 'nothing to check', report: sampleReport({ results: [] }), verdict: 'nothing-to-check', gate: 'pass', notChecked: 0 },
    { scenario: 'nothing to check with --fail-on-empty', report: sampleReport({ results: [], failOnEmpty: true }), verdict: 'nothing-to-check', gate: 'fail', notChecked: 0 },
  ])('$scenario: carries the schema version and verdict "$verdict"', ({ report, verdict, gate, notChecked }) => {
    const json = JSON.parse(renderCheckJson(report)) as Record<string, unknown>;
    expect(json.schemaVersion).toBe(CHECK_SCHEMA_VERSION);
    expect(json.verdict).toBe(verdict);
    expect(json.gate).toBe(gate ?? (verdict === 'passed' ? 'pass' : 'fail'));
    expect(json.summary).toEqual({ ...report.summary, notChecked: notChecked ?? 0 });
    expect(json.groups).toEqual(report.groups);
  });

  it('keeps the interfaces key order, with the verdict right after the schema version', () => {
    const json = JSON.parse(renderCheckJson(sampleReport({ shard: { index: 1, count: 2 }, interrupted: { notChecked: 1 } }))) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['schemaVersion', 'verdict', 'gate', 'candidate', 'selection', 'shard', 'summary', 'groups', 'results', 'unchecked', 'interrupted', 'durationMs']);
    expect(Object.keys(json.candidate as object)).toEqual(['source', 'bundleHash', 'buildId']);
    expect(Object.keys(json.selection as object)).toEqual(['source', 'address', 'namespace', 'query']);
  });

  it('lists each item not checked with its reason, workflow and run ID or file', () => {
    const json = JSON.parse(renderCheckJson(sampleReport({ unchecked: [...UNCHECKED_ITEMS] }))) as { unchecked: unknown[] };
    expect(json.unchecked).toEqual(UNCHECKED_ITEMS);
  });

  it('omits the optional fields a report does not have', () => {
    const json = JSON.parse(renderCheckJson(sampleReport({ candidate: { source: 'w.ts', bundleHash: 'h' } }))) as Record<string, unknown>;
    expect(json).not.toHaveProperty('shard');
    expect(json).not.toHaveProperty('interrupted');
    expect(json.candidate).toEqual({ source: 'w.ts', bundleHash: 'h' });
    const [first] = json.results as CheckResult[];
    expect(Object.keys(first ?? {})).toEqual(['workflowId', 'runId', 'workflowType', 'version', 'lastEventId', 'origin', 'verdict']);
  });

  it('says who set an execution\'s versioning override, as its history records it (an empty identity included)', () => {
    const results: CheckResult[] = [
      { workflowId: 'a', runId: 'r1', workflowType: 'T', version: 'd:v1', lastEventId: '9', origin: 'server', overrideSetBy: 'safe-deploy', verdict: 'compatible' },
      { workflowId: 'b', runId: 'r2', workflowType: 'T', version: 'd:v1', lastEventId: '9', origin: 'server', overrideSetBy: '', verdict: 'compatible' },
    ];
    const json = JSON.parse(renderCheckJson(sampleReport({ results }))) as { results: CheckResult[] };
    expect(json.results.map((r) => [r.workflowId, r.overrideSetBy])).toEqual([
      ['a', 'safe-deploy'],
      ['b', ''],
    ]);
    expect(Object.keys(json.results[0] ?? {})).toEqual(['workflowId', 'runId', 'workflowType', 'version', 'lastEventId', 'origin', 'overrideSetBy', 'verdict']);
  });

  it('says whether the bundle came from the bundle cache, after the other candidate fields', () => {
    const json = JSON.parse(renderCheckJson(sampleReport({ candidate: { source: 'w.ts', bundleHash: 'h', buildId: 'v2', bundleCache: 'hit' } }))) as Record<string, unknown>;
    expect(json.candidate).toEqual({ source: 'w.ts', bundleHash: 'h', buildId: 'v2', bundleCache: 'hit' });
    expect(Object.keys(json.candidate as object)).toEqual(['source', 'bundleHash', 'buildId', 'bundleCache']);
  });

  it('sorts results failures first, and keeps every field of a failure', () => {
    const json = JSON.parse(renderCheckJson(sampleReport({ results: MIXED_RESULTS }))) as { results: CheckResult[] };
    expect(json.results.map((r) => `${r.workflowId}:${r.verdict}`)).toEqual([
      'order-3:nondeterministic',
      'refund-1:missing-workflow-type',
      'ship-1:replay-error',
      'order-1:compatible',
      'order-2:compatible',
    ]);
    expect(json.results[0]).toEqual(MIXED_RESULTS.find((r) => r.workflowId === 'order-3'));
  });

  it('does not leak properties the interfaces do not declare', () => {
    const report = sampleReport();
    const withExtra = { ...report, internal: 'x', results: report.results.map((r) => ({ ...r, history: { events: [] } })) };
    const text = renderCheckJson(withExtra);
    expect(text).not.toContain('internal');
    expect(text).not.toContain('events');
  });
});

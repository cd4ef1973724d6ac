import { describe, expect, it } from 'vitest';
import { buildVisibilityQuery, SelectionError } from './selection.js';
import { inShard, parseShard } from './shard.js';

describe('buildVisibilityQuery', () => {
  it.each([
    { scenario: 'a deployment', o: { deployment: 'orders' }, q: `ExecutionStatus = 'Running' AND TemporalWorkerDeployment = 'orders'` },
    {
      scenario: 'a deployment narrowed to Build IDs',
      o: { deployment: 'orders', buildIds: ['b1', 'b2'] },
      q: `ExecutionStatus = 'Running' AND TemporalWorkerDeploymentVersion IN ('orders:b1', 'orders:b2')`,
    },
    {
      scenario: 'task queue, types and a raw query, ANDed',
      o: { taskQueue: 'q', workflowTypes: ['A'], query: `StartTime > '2026-01-01' OR X = 1` },
      q: `ExecutionStatus = 'Running' AND TaskQueue = 'q' AND WorkflowType = 'A' AND (StartTime > '2026-01-01' OR X = 1)`,
    },
    { scenario: 'quotes escaped', o: { workflowTypes: [`it's`] }, q: `ExecutionStatus = 'Running' AND WorkflowType = 'it\\'s'` },
  ])('$scenario', ({ o, q }) => {
    expect(buildVisibilityQuery(o)).toBe(q);
  });

  it('refuses an empty selection and a Build ID without its deployment', () => {
    expect(() => buildVisibilityQuery({})).toThrow(SelectionError);
    expect(() => buildVisibilityQuery({ buildIds: ['b1'], taskQueue: 'q' })).toThrow(/--build-id needs --deployment/);
  });
});

describe('shards', () => {
  it('parses i/n, 1-based, and refuses nonsense', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1-2']) expect(() => parseShard(bad)).toThrow(/invalid shard/);
  });

  it('puts every execution in exactly one shard, spread roughly evenly', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => [`wf-${i}`, `run-${i}`] as const);
    const sizes = [1, 2, 3, 4].map((index) => ids.filter(([w, r]) => inShard(w, r, { index, count: 4 })).length);
    expect(sizes.reduce((a, b) => a + b)).toBe(2000);
    for (const size of sizes) expect(size).toBeGreaterThan(400);
    for (const [w, r] of ids.slice(0, 50)) {
      expect([1, 2, 3, 4].filter((index) => inShard(w, r, { index, count: 4 }))).toHaveLength(1);
    }
  });
});

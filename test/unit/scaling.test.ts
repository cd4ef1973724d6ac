/**
 * The pure steps of check, merge, plan, apply, status and nudge stay linear in the number of
 * executions: the array work they do (elements visited by spreads, copies, searches; see
 * test/helpers/array-work.ts) grows ~4x when the executions grow 4x. A copy per item (the
 * `[...(groups.get(key) ?? []), e]` that made apply's grouping take 134 s at 100k) or a search
 * inside a loop grows ~16x. Counted, not timed, so the answer does not depend on the machine's load.
 */
import { describe, expect, it } from 'vitest';
import { groupResults, sortResults, summarize, type CheckReport, type CheckResult } from '../../cli/core/check-report.js';
import { latestEntries, parseJournal, type JournalEntry } from '../../cli/core/journal.js';
import { mergeCheckReports, mergePlans } from '../../cli/core/merge.js';
import { nudgeResultsOf, sortNudgeResults, summarizeNudge, type NudgeResult } from '../../cli/core/nudge.js';
import { planBlocks, planExecution, planSource, sortPlanExecutions, summarizePlan, type Plan, type PlannedExecution, type PlanPolicy } from '../../cli/core/plan.js';
import { inShard } from '../../cli/core/shard.js';
import { buildStatusReport, type ObservedExecution } from '../../cli/core/status.js';
import type { Verdict } from '../../cli/core/verdict.js';
import { checkJson } from '../../cli/reporters/check-json.js';
import { renderCheckJunit } from '../../cli/reporters/check-junit.js';
import { renderCheckMarkdown } from '../../cli/reporters/check-markdown.js';
import { renderCheckText } from '../../cli/reporters/check-text.js';
import { renderNudgeText } from '../../cli/reporters/nudge-text.js';
import { renderPlanText } from '../../cli/reporters/plan.js';
import { renderStatusText } from '../../cli/reporters/status-text.js';
import { Channel } from '../../cli/util/channel.js';
import { groupBy } from '../../cli/util/group-by.js';
import { countArrayWork, growth } from '../helpers/array-work.js';

const N = 2_500;
/** Linear: 4; a sort or a per-group constant adds a little. Quadratic: ~16. */
const LINEAR_AT_MOST = 6;

const VERDICTS: Verdict[] = ['compatible', 'compatible', 'compatible', 'nondeterministic', 'replay-error'];
const policy: PlanPolicy = { onAutoUpgradeFailure: 'protect', longRunningTypes: ['Poller'], nudgeSignal: 'wake_up' };

function results(n: number): CheckResult[] {
  return Array.from({ length: n }, (_, i) => ({
    workflowId: `wf-${i}`,
    runId: `run-${i}`,
    workflowType: i % 7 === 0 ? 'Poller' : 'Research',
    version: `d:v${i % 3}`,
    lastEventId: String(10 + (i % 40)),
    origin: 'server',
    verdict: VERDICTS[i % VERDICTS.length] as Verdict,
  }));
}

function report(n: number, shard?: { index: number; count: number }): CheckReport {
  const rs = results(n).filter((r) => inShard(r.workflowId, r.runId, shard));
  return {
    schemaVersion: 1,
    candidate: { source: 'w.ts', bundleHash: 'h', buildId: 'v9' },
    selection: { source: 'server', address: 'a', namespace: 'n', query: 'q' },
    ...(shard && { shard }),
    summary: summarize(rs),
    groups: groupResults(rs),
    results: rs,
    durationMs: 1,
  };
}

function planned(n: number): PlannedExecution[] {
  return results(n).map((r, i) =>
    planExecution(r, { behavior: i % 2 ? 'PINNED' : 'AUTO_UPGRADE', version: r.version }, { candidateVersion: 'd:v9', bundleHash: 'h', policy }),
  );
}

function plan(n: number, shard?: { index: number; count: number }): Plan {
  return {
    schemaVersion: 1,
    createdAt: '2026-12-02T00:00:00.000Z',
    deployment: 'd',
    candidate: { buildId: 'v9', version: 'd:v9', bundleHash: 'h', source: 'w.ts' },
    policy,
    ...(shard && { shard }),
    executions: planned(n).filter((e) => inShard(e.workflowId, e.runId, shard)),
  };
}

const overrideKey = (e: PlannedExecution): string => (e.targetOverride ? JSON.stringify(e.targetOverride) : 'clear');

/** The grouping apply had until issue 14: one copy of the group per execution. */
function copyPerItemGrouping(items: PlannedExecution[]): Map<string, PlannedExecution[]> {
  const groups = new Map<string, PlannedExecution[]>();
  for (const e of items) groups.set(overrideKey(e), [...(groups.get(overrideKey(e)) ?? []), e]);
  return groups;
}

const shards = (count: number) => Array.from({ length: count }, (_, i) => ({ index: i + 1, count }));

const STEPS: { step: string; prepare: (n: number) => () => unknown }[] = [
  {
    step: 'apply: group the ready executions by target override',
    prepare: (n) => {
      const ready = planned(n);
      return () => groupBy(ready, overrideKey);
    },
  },
  {
    step: 'apply: what is left to do after the journal (latest entry per execution)',
    prepare: (n) => {
      const entries: JournalEntry[] = planned(n).map((e) => ({ at: 'now', workflowId: e.workflowId, runId: e.runId, action: e.action, status: 'done' }));
      const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
      return () => latestEntries(parseJournal(text));
    },
  },
  {
    step: 'plan: decide, sort, summarise, render',
    prepare: (n) => {
      const rs = results(n);
      return () => {
        const executions = rs.map((r, i) =>
          planExecution(r, { behavior: i % 2 ? 'PINNED' : 'AUTO_UPGRADE', version: r.version }, { candidateVersion: 'd:v9', bundleHash: 'h', policy }),
        );
        const p = { ...plan(0), executions: sortPlanExecutions(executions) };
        return [summarizePlan(p), planBlocks(p), renderPlanText(planSource(p))];
      };
    },
  },
  {
    step: 'check: summarise, group, sort',
    prepare: (n) => {
      const rs = results(n);
      return () => [summarize(rs), groupResults(rs), sortResults(rs)];
    },
  },
  {
    step: 'check reporters: JSON, text, JUnit, markdown',
    prepare: (n) => {
      const r = report(n);
      return () => [JSON.stringify(checkJson(r)), renderCheckText(r), renderCheckJunit(r), renderCheckMarkdown(r)];
    },
  },
  {
    step: 'merge: 4 shard reports',
    prepare: (n) => {
      const parts = shards(4).map((s) => ({ origin: `r${s.index}`, value: report(n, s) }));
      return () => mergeCheckReports(parts);
    },
  },
  {
    step: 'merge: 4 shard plans',
    prepare: (n) => {
      const parts = shards(4).map((s) => ({ origin: `p${s.index}`, value: plan(n, s) }));
      return () => mergePlans(parts);
    },
  },
  {
    step: 'status: group and render the described executions',
    prepare: (n) => {
      const observed: ObservedExecution[] = Array.from({ length: n }, (_, i) => ({ workflowType: 'R', behavior: i % 2 ? 'PINNED' : 'AUTO_UPGRADE', version: `d:v${i % 3}` }));
      const deployment = { name: 'd', currentVersion: 'd:v2', rampingPercentage: 0, versions: [0, 1, 2].map((v) => ({ version: `d:v${v}`, buildId: `v${v}`, status: 'DRAINING' as const })) };
      return () => renderStatusText(buildStatusReport(deployment, observed, { total: n }));
    },
  },
  {
    step: 'nudge: summarise, sort, render the results',
    prepare: (n) => {
      const rs: NudgeResult[] = Array.from({ length: n }, (_, i) => ({
        workflowId: `wf-${i}`,
        runId: `run-${i}`,
        workflowType: 'Poller',
        fromVersion: 'd:v1',
        outcome: i % 3 ? 'moved' : 'straggler',
        signalsSent: 1,
      }));
      const r = { schemaVersion: 1 as const, deployment: 'd', currentVersion: 'd:v2', signal: 'wake_up', dryRun: false, results: nudgeResultsOf(rs), summary: summarizeNudge(rs) };
      return async () => [summarizeNudge(rs), sortNudgeResults(rs), await renderNudgeText(r)];
    },
  },
  {
    step: 'replay results channel: a producer running far ahead of the consumer',
    prepare: (n) => async () => {
      const channel = new Channel<number>();
      for (let i = 0; i < n; i++) channel.push(i);
      channel.close();
      let seen = 0;
      for await (const _ of channel) seen++;
      return seen;
    },
  },
];

describe('scaling: array work grows linearly with the executions', () => {
  it.each(STEPS)('$step', async ({ prepare }) => {
    const g = await growth(prepare, N);
    expect(g.ratio, `visits ${g.small} at ${N}, ${g.large} at ${4 * N}`).toBeLessThan(LINEAR_AT_MOST);
  });

  it('catches a copy per item: the old grouping of apply grows ~16x', async () => {
    const g = await growth((n) => {
      const ready = planned(n);
      return () => copyPerItemGrouping(ready);
    }, N);
    expect(g.ratio).toBeGreaterThan(12);
  });

  it('catches a search inside a loop over the executions', async () => {
    const g = await growth((n) => {
      const rs = results(n);
      return () => rs.filter((r, i) => rs.findIndex((x) => x.workflowId === r.workflowId) === i);
    }, N / 10);
    expect(g.ratio).toBeGreaterThan(12);
  });

  it('counts the work of a spread, a slice and a search', async () => {
    const a = [1, 2, 3, 4];
    expect(await countArrayWork(() => [...a])).toBe(5);
    expect(await countArrayWork(() => a.slice(1))).toBe(4);
    expect(await countArrayWork(() => a.includes(9))).toBe(4);
  });
});

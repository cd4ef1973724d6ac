/**
 * Scaling benchmark of the pure steps apply and plan run per execution (no server): deciding,
 * sorting and summarising a plan, finding what is left after the journal, and grouping the ready
 * executions by target override, at 20k / 50k / 100k executions, beside the copy-per-item grouping
 * apply had before (`groups.set(key, [...(groups.get(key) ?? []), e])`). Prints; asserts nothing.
 *
 *   node dist/bench/scale.js [--sizes 20000,50000,100000] [--old-up-to 50000]
 */
import { isSettled, journalKey, journalStep, parseJournalLine, type JournalEntry, type JournalStep } from '../cli/core/journal.js';
import { planExecution, sortPlanExecutions, summarizePlan, planBlocks, type PlannedExecution, type PlanPolicy } from '../cli/core/plan.js';
import type { CheckResult } from '../cli/core/check-report.js';
import type { Verdict } from '../cli/core/verdict.js';
import { phaseActions } from '../cli/pipeline/apply.js';
import { groupBy } from '../cli/util/group-by.js';
import { benchArgs, intList, positiveInt } from './args.js';

const policy: PlanPolicy = { onAutoUpgradeFailure: 'protect', longRunningTypes: ['Poller'], nudgeSignal: 'wake_up' };
const VERDICTS: Verdict[] = ['compatible', 'compatible', 'compatible', 'nondeterministic'];

function results(n: number): CheckResult[] {
  return Array.from({ length: n }, (_, i) => ({
    workflowId: `research-${i.toString(36)}-${(i * 7919).toString(36)}`,
    runId: `0b6c1a52-7d1e-4d6f-9a53-${i.toString(16).padStart(12, '0')}`,
    workflowType: i % 7 === 0 ? 'Poller' : 'Research',
    version: `research-agent:v${i % 3}`,
    lastEventId: String(10 + (i % 40)),
    origin: 'server',
    verdict: VERDICTS[i % VERDICTS.length] as Verdict,
  }));
}

const overrideKey = (e: PlannedExecution): string => (e.targetOverride ? (e.targetOverride.kind === 'pinned' ? `pinned:${e.targetOverride.version}` : 'auto_upgrade') : 'clear');

function copyPerItemGrouping(items: PlannedExecution[]): Map<string, PlannedExecution[]> {
  const groups = new Map<string, PlannedExecution[]>();
  for (const e of items) groups.set(overrideKey(e), [...(groups.get(overrideKey(e)) ?? []), e]);
  return groups;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

function parseArgs(argv: string[]): { sizes: number[]; oldUpTo: number } {
  const args = benchArgs(argv, { strings: ['sizes', 'old-up-to'] });
  return { sizes: intList(args, 'sizes', [20_000, 50_000, 100_000]), oldUpTo: positiveInt(args, 'old-up-to', 50_000) };
}

function main(): void {
  const { sizes, oldUpTo } = parseArgs(process.argv.slice(2));
  console.log('Scaling of the pure per-execution steps of plan and apply (ms, one process, no server)');
  const header = ['executions', 'plan: decide+sort+summarise', 'apply: left after journal', 'apply: group (push)', 'apply: group (copy per item, before)', 'heap MB'];
  const rows: string[][] = [];
  for (const n of sizes) {
    const rs = results(n);
    const planning = time(() => {
      const executions = rs.map((r, i) =>
        planExecution(r, { behavior: i % 4 ? 'PINNED' : 'AUTO_UPGRADE', version: r.version }, { candidateVersion: 'research-agent:v9', bundleHash: 'h', policy }),
      );
      sortPlanExecutions(executions);
      summarizePlan({ executions });
      planBlocks({ executions });
      return executions;
    });
    const executions = planning.value;
    // A journal with a settled entry for every other execution (a resumed run).
    const journalText = executions
      .filter((_, i) => i % 2 === 0)
      .map((e) => JSON.stringify({ at: '2026-12-02T00:00:00.000Z', workflowId: e.workflowId, runId: e.runId, action: e.action, status: 'done' } satisfies JournalEntry))
      .join('\n');
    const actions = phaseActions('all');
    const todo = time(() => {
      // As apply's openJournal does it, line by line, keeping each execution's last step.
      const settled = new Map<string, JournalStep>();
      for (const line of journalText.split('\n')) {
        const entry = parseJournalLine(line);
        if (!('problem' in entry)) settled.set(journalKey(entry), journalStep(entry));
      }
      return executions.filter((e) => {
        const entry = settled.get(journalKey(e));
        return actions.includes(e.action) && !(entry && isSettled(entry.status));
      });
    });
    const ready = executions.filter((e) => actions.includes(e.action));
    const grouped = time(() => groupBy(ready, overrideKey));
    const old = n <= oldUpTo ? time(() => copyPerItemGrouping(ready)) : undefined;
    rows.push([
      String(n),
      planning.ms.toFixed(0),
      todo.ms.toFixed(0),
      grouped.ms.toFixed(1),
      old ? `${old.ms.toFixed(0)} (${(old.ms / Math.max(grouped.ms, 0.01)).toFixed(0)}x)` : `not run (> --old-up-to ${oldUpTo})`,
      (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0),
    ]);
    console.log(`  ${n}: ${ready.length} ready in ${grouped.value.size} groups, ${todo.value.length} left after the journal`);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}

main();

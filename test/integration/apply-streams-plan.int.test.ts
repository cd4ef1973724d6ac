/**
 * apply holds a chunk of the plan, not the plan: it pulls executions as it works, so a plan of any
 * length costs the memory of a chunk, and its report's entries are read back from the journal, not
 * kept. Shown structurally (how far apply has read ahead of the outcomes it journaled) on the real
 * server, with planned executions that no longer exist: each is described and skipped.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../cli/core/journal.js';
import type { PlanHeader, PlannedExecution, PlanSource } from '../../cli/core/plan.js';
import { runApply, type ApplyResult } from '../../cli/pipeline/apply.js';
import { journalEntriesFrom } from '../../cli/pipeline/journal-file.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { connectTest } from '../helpers/temporal.js';

const N = 3000;
const CHUNK = 100;

const header: PlanHeader = {
  schemaVersion: 1,
  createdAt: '2026-12-03T00:00:00.000Z',
  deployment: 'streamed',
  candidate: { buildId: 'v2', version: 'streamed:v2', bundleHash: 'h', source: 'test' },
  policy: { onAutoUpgradeFailure: 'protect', longRunningTypes: [], nudgeSignal: 'wake_up' },
};

function gone(i: number): PlannedExecution {
  const runId = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  return {
    workflowId: `streamed-gone-${i}`,
    runId,
    workflowType: 'Research',
    state: { behavior: 'PINNED', version: 'streamed:v1' },
    effectiveBehavior: 'PINNED',
    receipt: { runId, lastEventId: '11', bundleHash: 'h', verdict: 'compatible' },
    action: 'upgrade',
    targetOverride: { kind: 'auto_upgrade' },
    reason: 'replays cleanly',
  };
}

/** A plan of N that counts how many executions apply has taken from it. */
function countingSource(): { source: PlanSource; pulled: () => number } {
  let pulled = 0;
  return {
    pulled: () => pulled,
    source: {
      header,
      tally: { executions: N, actions: { upgrade: N }, rows: [], blocking: [], nudgeTypes: [] },
      async *executions() {
        for (let i = 0; i < N; i++) {
          pulled++;
          yield gone(i);
        }
      },
    },
  };
}

async function all(source: AsyncIterable<JournalEntry>): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  for await (const e of source) out.push(e);
  return out;
}

describe('apply streams its plan', () => {
  let t: TemporalHandle;
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-streams-'));
  beforeAll(async () => {
    t = await connectTest();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Applies the plan of N, measuring how far apply read the plan ahead of the outcomes it recorded. */
  async function applyCountingAhead(journalPath: string, dryRun: boolean): Promise<{ result: ApplyResult; ahead: number }> {
    const { source, pulled } = countingSource();
    let recorded = 0;
    let ahead = 0;
    const result = await runApply({
      temporal: t,
      plan: source,
      phase: 'upgrade',
      journalPath,
      chunkSize: CHUNK,
      dryRun,
      onEntry: () => {
        recorded++;
        ahead = Math.max(ahead, pulled() - recorded);
      },
    });
    return { result, ahead };
  }

  it('reads the plan at most a chunk ahead of its outcomes, and keeps no entry in memory', async () => {
    const journalPath = join(dir, 'whole.journal.jsonl');
    const { result, ahead } = await applyCountingAhead(journalPath, false);
    expect(result.counts.skipped).toBe(N);
    expect(result.notDone).toBe(0);
    // Read whole first (as apply did before), it would be N - 1 ahead at the first outcome.
    expect(ahead).toBeLessThanOrEqual(CHUNK);
    expect(result.dryRunRecords).toBeUndefined();
    const entries = await all(journalEntriesFrom(journalPath, result.journalFrom as number));
    // Every execution once (in the order their describes came back).
    expect(entries.map((e) => e.workflowId).sort()).toEqual(Array.from({ length: N }, (_, i) => `streamed-gone-${i}`).sort());
    expect(new Set(entries.map((e) => e.detail))).toEqual(new Set(['no longer exists on the server']));
  });

  it('a dry run keeps its entries on disk, not in memory, and journals nothing', async () => {
    const journalPath = join(dir, 'dry.journal.jsonl');
    const { result, ahead } = await applyCountingAhead(journalPath, true);
    const records = result.dryRunRecords;
    expect(records).toBeDefined();
    if (!records) return;
    try {
      expect(ahead).toBeLessThanOrEqual(CHUNK);
      expect(existsSync(journalPath)).toBe(false);
      expect(records.entries.count).toBe(N);
      expect(records.wouldChange.count).toBe(0);
      // Read back whole, twice (a report may read more than once): every execution once, each time.
      for (let pass = 0; pass < 2; pass++) {
        const entries = await all(records.entries.read());
        expect(entries.map((e) => e.workflowId).sort()).toEqual(Array.from({ length: N }, (_, i) => `streamed-gone-${i}`).sort());
        expect(new Set(entries.map((e) => e.status))).toEqual(new Set(['skipped']));
      }
    } finally {
      records.dispose();
    }
    expect(existsSync(records.entries.path)).toBe(false);
  });

  it('stopped part-way, counts what is not done by reading the rest of the plan, and a re-run does only that', async () => {
    const journalPath = join(dir, 'stopped.journal.jsonl');
    const stop = new AbortController();
    let journaled = 0;
    const first = await runApply({
      temporal: t,
      plan: countingSource().source,
      phase: 'upgrade',
      journalPath,
      chunkSize: CHUNK,
      signal: stop.signal,
      onEntry: () => {
        if (++journaled === 250) stop.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    const settled = first.counts.skipped;
    expect(settled).toBeGreaterThanOrEqual(250);
    expect(settled).toBeLessThan(N);
    expect(first.notDone).toBe(N - settled);

    const again = await runApply({ temporal: t, plan: countingSource().source, phase: 'upgrade', journalPath, chunkSize: CHUNK });
    expect(again.counts.skipped).toBe(N - settled);
    expect(again.notDone).toBe(0);
    // This run's entries only: the report of the re-run does not repeat the first run's.
    expect(await all(journalEntriesFrom(journalPath, again.journalFrom as number))).toHaveLength(N - settled);
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WatchReport } from '../pipeline/watch.js';
import { renderWatchMarkdown, renderWatchText, reportWatch } from './watch.js';

const report: WatchReport = {
  schemaVersion: 1,
  deployment: 'agent',
  candidate: 'agent:v4',
  windowMs: 120_000,
  startedAt: '2026-12-02T05:00:00.000Z',
  endedAt: '2026-12-02T05:02:00.000Z',
  rounds: 24,
  scanned: 3,
  reportedByServer: 1,
  items: [
    {
      workflowId: 'follow-up-1',
      runId: 'r1',
      workflowType: 'ResearchFollowUpWorkflow',
      failure: { kind: 'nde', message: 'Fatal error in workflow machines: TimerMachine in state CancelTimerCommandSent', eventId: 38, attempt: 3 },
      status: 'pinned-back',
      reason: 'no workflow task completed on agent:v4',
      pinnedTo: 'agent:v1',
      method: 'reset-to-last-task',
      resetEventId: 33,
      newRunId: 'r2',
      from: 'agent:v1',
      reportedByServer: false,
    },
    {
      workflowId: 'follow-up-2',
      runId: 'r3',
      workflowType: 'ResearchFollowUpWorkflow',
      failure: { kind: 'other', message: 'question too long', eventId: 40, attempt: 2 },
      status: 'reset-needed',
      reason: 'agent:v4 already completed a workflow task',
      from: 'agent:v1',
      resetEventId: 28,
      resetCommand: 'temporal workflow reset --workflow-id follow-up-2 --run-id r3 --event-id 28',
      reportedByServer: true,
    },
  ],
  counts: { failing: 2, pinnedBack: 1, unconfirmed: 0, resetNeeded: 1, reset: 0, failed: 0 },
  verdict: 'broke',
  dryRun: false,
  journalFile: 'watch.jsonl',
};

describe('watch reporters', () => {
  it('text: each failing execution with its failure, what was done, and the reset command', () => {
    const text = renderWatchText(report);
    expect(text).toContain('watch agent:v4: BROKE');
    expect(text).toContain('non-determinism error (attempt 3): Fatal error in workflow machines');
    expect(text).toContain('pinned back to agent:v1 by a reset to its last task (event 33), new run r2; its next task completed there');
    expect(text).toContain('reset: temporal workflow reset --workflow-id follow-up-2 --run-id r3 --event-id 28');
    expect(text).toContain('2 failing on agent:v4: 1 pinned back, 1 need a reset');
  });

  it('markdown: a row per execution', () => {
    const md = renderWatchMarkdown(report);
    expect(md).toContain('## ❌ safe-deploy watch agent:v4: broke');
    expect(md).toMatch(/\| follow-up-2 \| ResearchFollowUpWorkflow \| other \| needs a reset to event 28 \|/);
  });

  it('under GitHub Actions: the job summary and the step outputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'watch-gh-'));
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), GITHUB_OUTPUT: join(dir, 'output') };
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      reportWatch('json', report, env);
    } finally {
      process.stdout.write = write;
    }
    expect(readFileSync(env.GITHUB_OUTPUT, 'utf8')).toBe('watch-verdict=broke\nfailing=2\npinned-back=1\nreset-needed=1\n');
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')).toContain('safe-deploy watch agent:v4');
  });
});

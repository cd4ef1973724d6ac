import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { nudgeResultsOf, NUDGE_SCHEMA_VERSION, summarizeNudge, type NudgeReport, type NudgeResult } from '../core/nudge.js';
import { reportNudgeToGitHub } from './nudge-github.js';
import { reportNudgeJson } from './nudge-json.js';
import { renderNudgeText } from './nudge-text.js';

const results: NudgeResult[] = [
  { workflowId: 'poller-1', runId: 'r1', workflowType: 'ResearchPollingWorkflow', fromVersion: 'agent:v1', outcome: 'moved', newRunId: 'r1b', newVersion: 'agent:v3', signalsSent: 2 },
  { workflowId: 'research-1', runId: 'r2', workflowType: 'ResearchWorkflow', fromVersion: 'agent:v1', outcome: 'straggler', signalsSent: 3 },
  { workflowId: 'poller-2', runId: 'r3', workflowType: 'ResearchPollingWorkflow', fromVersion: 'agent:v2', outcome: 'closed', closeStatus: 'TERMINATED', signalsSent: 1 },
];
const sample = (r: NudgeResult[] = results, extra: Partial<NudgeReport> = {}): NudgeReport => ({
  schemaVersion: NUDGE_SCHEMA_VERSION,
  deployment: 'agent',
  currentVersion: 'agent:v3',
  signal: 'wake_up',
  dryRun: false,
  results: nudgeResultsOf(r),
  summary: summarizeNudge(r),
  ...extra,
});

async function renderNudgeJson(report: NudgeReport): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await reportNudgeJson(report, out);
  return Buffer.concat(chunks).toString('utf8');
}

describe('renderNudgeText', () => {
  it('lists stragglers first, says where each one is now, and counts them last', async () => {
    const lines = (await renderNudgeText(sample())).trimEnd().split('\n');
    expect(lines[0]).toBe('Deployment agent: current version agent:v3; signal wake_up');
    expect(lines.slice(2, 6)).toEqual([
      'Outcome    Workflow type            Workflow ID  From version  Now',
      'STRAGGLER  ResearchWorkflow         research-1   agent:v1      still pinned after 3 signals',
      'CLOSED     ResearchPollingWorkflow  poller-2     agent:v2      closed (TERMINATED) without moving',
      'MOVED      ResearchPollingWorkflow  poller-1     agent:v1      new run r1b on agent:v3',
    ]);
    expect(lines.at(-1)).toBe('Moved 1, stragglers 1, closed 1 of 3 nudged executions.');
  });

  it('dry run: lists what would be signalled', async () => {
    const text = await renderNudgeText(sample([{ workflowId: 'p', runId: 'r', workflowType: 'T', fromVersion: 'agent:v1', outcome: 'would_signal', signalsSent: 0 }], { dryRun: true }));
    expect(text).toContain('WOULD SIGNAL  T              p            agent:v1      run r');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Dry run: would signal 1 execution; nothing was signalled.');
  });

  it('says when there is nothing to nudge', async () => {
    expect(await renderNudgeText(sample([]))).toContain('No running execution is pinned to an older version: nothing to nudge.');
  });

  it('shows a signal error on a straggler', async () => {
    const text = await renderNudgeText(sample([{ ...results[1]!, signalsSent: 0, error: 'rate limited' }]));
    expect(text).toContain('still pinned, never signalled; signal failed: rate limited');
  });
});

describe('renderNudgeJson', () => {
  it('has the documented shape, stragglers first, optional fields only when set', async () => {
    const json = JSON.parse(await renderNudgeJson(sample())) as Record<string, unknown> & { results: Record<string, unknown>[] };
    expect(Object.keys(json)).toEqual(['schemaVersion', 'deployment', 'currentVersion', 'signal', 'dryRun', 'summary', 'results']);
    expect(json.summary).toEqual({ moved: 1, stragglers: 1, closed: 1, nudged: 3 });
    expect(json.results.map((r) => r.outcome)).toEqual(['straggler', 'closed', 'moved']);
    expect(json.results[2]).toEqual({
      workflowId: 'poller-1',
      runId: 'r1',
      workflowType: 'ResearchPollingWorkflow',
      fromVersion: 'agent:v1',
      outcome: 'moved',
      newRunId: 'r1b',
      newVersion: 'agent:v3',
      signalsSent: 2,
    });
    expect(json.results[0]).not.toHaveProperty('newRunId');
  });

  it('marks an interrupted run', async () => {
    expect(JSON.parse(await renderNudgeJson(sample(results, { interrupted: true })))).toMatchObject({ interrupted: true });
  });
});

describe('reportNudgeToGitHub', () => {
  it('writes nudged, moved and stragglers (and closed) as step outputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-nudge-gha-'));
    try {
      const file = join(dir, 'output');
      expect(reportNudgeToGitHub(sample(), { GITHUB_OUTPUT: file })).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe('nudged=3\nmoved=1\nstragglers=1\nclosed=1\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The watch report: text, JSON, and under GitHub Actions the job summary and step outputs. */
import type { WatchItem, WatchReport } from '../pipeline/watch.js';
import { formatDuration } from '../core/duration.js';
import { appendStepSummary, isGitHubActions, writeOutputs } from './github-actions.js';
import { writeJson, writeStdout } from './stdout.js';

function how(i: WatchItem): string {
  return i.method === 'reset-to-last-task' ? ` by a reset to its last task (event ${i.resetEventId})${i.newRunId ? `, new run ${i.newRunId}` : ''}` : '';
}

function statusLabel(i: WatchItem): string {
  switch (i.status) {
    case 'pinned-back':
      return `pinned back to ${i.pinnedTo}${how(i)}; its next task completed there`;
    case 'pinned-unconfirmed':
      return `pinned back to ${i.pinnedTo}${how(i)}; no task completed there yet`;
    case 'would-pin-back':
      return `would pin back to ${i.pinnedTo}${how(i)}`;
    case 'reset-needed':
      return i.resetEventId === undefined ? 'cannot go back: no earlier version ran it' : `needs a reset to event ${i.resetEventId}`;
    case 'would-reset':
      return `would reset to event ${i.resetEventId}`;
    case 'reset':
      return `reset to event ${i.resetEventId}; new run ${i.newRunId} pinned to ${i.from}`;
    case 'failed':
      return `could not be changed: ${i.detail ?? 'see the journal'}`;
  }
}

export function summaryLine(r: WatchReport): string {
  const c = r.counts;
  return `${c.failing} failing on ${r.candidate}: ${c.pinnedBack} pinned back${c.unconfirmed ? ` (${c.unconfirmed} not yet confirmed)` : ''}, ${c.resetNeeded} need a reset${c.reset ? `, ${c.reset} reset` : ''}${c.failed ? `, ${c.failed} could not be changed` : ''}`;
}

export function renderWatchText(r: WatchReport): string {
  const lines = [
    `watch ${r.candidate}: ${r.verdict.toUpperCase()}${r.dryRun ? ' (dry run)' : ''}`,
    `${formatDuration(r.windowMs)} window, ${r.rounds} scans, ${r.scanned} running executions described, ${r.reportedByServer} flagged by the server (TemporalReportedProblems)`,
  ];
  for (const i of r.items) {
    lines.push('', `${i.workflowId} (${i.workflowType}, run ${i.runId})`);
    lines.push(`  ${i.failure.kind === 'nde' ? 'non-determinism error' : 'workflow task failure'} (attempt ${i.failure.attempt}): ${i.failure.message.split('\n')[0]}`);
    lines.push(`  ${statusLabel(i)}`, `  why: ${i.reason}`);
    if (i.status === 'reset-needed' && i.resetCommand) lines.push(`  reset: ${i.resetCommand}`, '  (or run watch again with --reset)');
    if (i.longRunningNote) lines.push(`  note: ${i.longRunningNote}`);
  }
  lines.push('', summaryLine(r));
  if (r.journalFile) lines.push(`journal: ${r.journalFile}`);
  return lines.join('\n') + '\n';
}

export function renderWatchMarkdown(r: WatchReport): string {
  const icon = r.verdict === 'clean' ? '✅' : '❌';
  const rows = r.items.map((i) => `| ${i.workflowId} | ${i.workflowType} | ${i.failure.kind} | ${statusLabel(i).replace(/\|/g, '\\|')} |`);
  return [`## ${icon} safe-deploy watch ${r.candidate}: ${r.verdict}`, '', ...(rows.length ? ['| workflow | type | failure | outcome |', '|---|---|---|---|', ...rows, ''] : []), summaryLine(r), ''].join('\n');
}

export function reportWatch(format: 'text' | 'json', r: WatchReport, env: NodeJS.ProcessEnv = process.env): void {
  if (format === 'json') writeJson(r);
  else writeStdout(renderWatchText(r));
  if (isGitHubActions(env)) {
    appendStepSummary(renderWatchMarkdown(r), env);
    writeOutputs({ 'watch-verdict': r.verdict, failing: r.counts.failing, 'pinned-back': r.counts.pinnedBack, 'reset-needed': r.counts.resetNeeded }, env);
  }
}

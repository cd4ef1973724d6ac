/** The one summary of a deploy: each step, the plan by type x version x action, and the counts. */
import type { DeployReport } from '../pipeline/deploy.js';
import { alignColumns } from './check-columns.js';
import { isGitHubActions, writeOutputs, appendStepSummary } from './github-actions.js';
import { actionLabel } from './plan.js';
import { writeJson, writeStdout } from './stdout.js';

export function renderDeployText(r: DeployReport): string {
  const lines = [`deploy ${r.candidate.version}: ${r.verdict.toUpperCase()}`, ''];
  lines.push(...alignColumns(r.steps.map((s) => [s.step, s.status, s.detail])));
  if (r.plan.length) {
    lines.push('', ...alignColumns([['Workflow type', 'Version', 'Action', 'Executions'], ...r.plan.map((p) => [p.workflowType, p.version, actionLabel(p.action), String(p.count)])], ['left', 'left', 'left', 'right']));
  }
  const c = r.counts;
  lines.push('', `${c.executions} executions: ${c.upgraded} upgraded, ${c.protected} protected, ${c.keptPinned} kept pinned, ${c.nudged} nudged (${c.moved} moved, ${c.stragglers} still pinned)`);
  for (const i of r.watch?.items ?? []) {
    const what = i.status === 'pinned-back' || i.status === 'pinned-unconfirmed' ? `pinned back to ${i.pinnedTo}${i.method === 'reset-to-last-task' ? ` (reset to its last task, event ${i.resetEventId}; new run ${i.newRunId ?? '?'})` : ''}${i.status === 'pinned-unconfirmed' ? ', no task completed there yet' : ', its next task completed there'}` : i.status === 'reset-needed' ? `needs a reset: ${i.resetCommand ?? 'no earlier version ran it'}` : i.status;
    lines.push(`watch: ${i.workflowId} (${i.failure.kind === 'nde' ? 'non-determinism error' : 'task failure'} on ${r.watch?.candidate}): ${what}`);
  }
  if (r.planFile) lines.push(`plan: ${r.planFile}${r.journalFile ? `, journal: ${r.journalFile}` : ''}`);
  if (r.error) lines.push(`error: ${r.error.message}`, ...(r.error.hint ? [`hint: ${r.error.hint}`] : []));
  return lines.join('\n') + '\n';
}

export function renderDeployMarkdown(r: DeployReport): string {
  const icon = r.verdict === 'deployed' || r.verdict === 'dry-run' ? '✅' : '❌';
  const watched = (r.watch?.items ?? []).map((i) => `- watch: \`${i.workflowId}\` ${i.failure.kind}: ${i.status}${i.pinnedTo ? ` to ${i.pinnedTo}` : ''}`);
  const rows = r.steps.map((s) => `| ${s.step} | ${s.status} | ${s.detail.replace(/\|/g, '\\|')} |`);
  const c = r.counts;
  return [
    `## ${icon} safe-deploy ${r.candidate.version}: ${r.verdict}`,
    '',
    '| step | status | detail |',
    '|---|---|---|',
    ...rows,
    '',
    `${c.executions} executions: **${c.upgraded} upgraded**, ${c.protected} protected, ${c.keptPinned} kept pinned, ${c.nudged} nudged (${c.moved} moved, ${c.stragglers} still pinned)`,
    '',
    ...(watched.length ? [...watched, ''] : []),
  ].join('\n');
}

export function reportDeploy(format: 'text' | 'json', r: DeployReport, env: NodeJS.ProcessEnv = process.env): void {
  if (format === 'json') writeJson(r);
  else writeStdout(renderDeployText(r));
  if (isGitHubActions(env)) {
    appendStepSummary(renderDeployMarkdown(r), env);
    writeOutputs(
      {
        verdict: r.verdict,
        upgraded: r.counts.upgraded,
        protected: r.counts.protected,
        'kept-pinned': r.counts.keptPinned,
        nudged: r.counts.nudged,
        moved: r.counts.moved,
        stragglers: r.counts.stragglers,
        ...(r.watch && { 'pinned-back': r.watch.counts.pinnedBack, 'reset-needed': r.watch.counts.resetNeeded }),
      },
      env,
    );
  }
}

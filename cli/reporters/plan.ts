/** Renders a plan: a summary by workflow type x version x action, and what blocks, if anything. */
import type { Action, PlanSource } from '../core/plan.js';
import { alignColumns } from './check-columns.js';
import { describeSdk } from './check-wording.js';
import { writeJsonStreamingArray, writeStdout } from './stdout.js';

export function actionLabel(action: Action): string {
  switch (action) {
    case 'none':
      return 'no change';
    case 'upgrade':
      return 'upgrade (auto_upgrade override)';
    case 'protect-clear-override':
      return 'protect (clear our override)';
    case 'protect-pin':
      return 'protect (pinned override)';
    case 'keep-pinned':
      return 'keep pinned';
    case 'nudge':
      return 'keep pinned, nudge after rollout';
    case 'block':
      return 'BLOCK';
  }
}

export function renderPlanText(plan: Pick<PlanSource, 'header' | 'tally'>, planFile?: string): string {
  const { header, tally } = plan;
  const rows = tally.rows.map((r) => [r.workflowType, r.version, actionLabel(r.action), String(r.count)]);
  const lines = [
    `Plan for ${header.candidate.version} (bundle hash ${header.candidate.bundleHash}${header.candidate.sdks ? `, replayed with ${header.candidate.sdks.map(describeSdk).join(' and ')}` : ''}), ${tally.executions} running executions of ${header.deployment}`,
    '',
    ...alignColumns([['Workflow type', 'Version', 'Action', 'Executions'], ...rows], ['left', 'left', 'left', 'right']),
  ];
  const blocks = tally.actions.block ?? 0;
  if (blocks > 0) {
    lines.push('', `Blocked by ${blocks} execution(s):`);
    for (const e of tally.blocking) lines.push(`  ${e.workflowId} (${e.runId}): ${e.reason}`);
    if (blocks > tally.blocking.length) lines.push(`  ... and ${blocks - tally.blocking.length} more (the plan file lists them all)`);
  }
  if (planFile) lines.push('', `Plan written to ${planFile}`);
  lines.push('', blocks > 0 ? 'BLOCKED: the deploy must not proceed' : 'OK: the plan can be applied');
  return lines.join('\n') + '\n';
}

/** JSON: the plan itself, its executions streamed from the source (a file of any size is never held). */
export async function reportPlan(format: 'text' | 'json', plan: PlanSource, planFile?: string): Promise<void> {
  if (format === 'json') await writeJsonStreamingArray(plan.header, 'executions', plan.executions());
  else writeStdout(renderPlanText(plan, planFile));
}

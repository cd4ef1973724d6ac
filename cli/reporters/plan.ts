/** Renders a plan: a summary by workflow type x version x action, and what blocks, if anything. */
import { planBlocks, summarizePlan, type Action, type Plan } from '../core/plan.js';
import { alignColumns } from './check-columns.js';
import { describeSdk } from './check-wording.js';
import { writeJson, writeStdout } from './stdout.js';

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

export function renderPlanText(plan: Plan, planFile?: string): string {
  const rows = summarizePlan(plan).map((r) => [r.workflowType, r.version, actionLabel(r.action), String(r.count)]);
  const lines = [
    `Plan for ${plan.candidate.version} (bundle hash ${plan.candidate.bundleHash}${plan.candidate.sdks ? `, replayed with ${plan.candidate.sdks.map(describeSdk).join(' and ')}` : ''}), ${plan.executions.length} running executions of ${plan.deployment}`,
    '',
    ...alignColumns([['Workflow type', 'Version', 'Action', 'Executions'], ...rows], ['left', 'left', 'left', 'right']),
  ];
  const blocking = plan.executions.filter((e) => e.action === 'block');
  if (blocking.length > 0) {
    lines.push('', `Blocked by ${blocking.length} execution(s):`);
    for (const e of blocking.slice(0, 50)) lines.push(`  ${e.workflowId} (${e.runId}): ${e.reason}`);
  }
  if (planFile) lines.push('', `Plan written to ${planFile}`);
  lines.push('', planBlocks(plan) ? 'BLOCKED: the deploy must not proceed' : 'OK: the plan can be applied');
  return lines.join('\n') + '\n';
}

export function reportPlan(format: 'text' | 'json', plan: Plan, planFile?: string): void {
  if (format === 'json') writeJson(plan);
  else writeStdout(renderPlanText(plan, planFile));
}

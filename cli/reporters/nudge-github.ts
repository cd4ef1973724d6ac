/** `safe-deploy nudge` inside GitHub Actions: the counts as step outputs, for later steps' `if:`. */
import type { NudgeReport } from '../core/nudge.js';
import { writeOutputs, type Env } from './github-actions.js';

export function nudgeOutputs(report: NudgeReport): Record<string, number> {
  const { summary } = report;
  return { nudged: summary.nudged, moved: summary.moved, stragglers: summary.stragglers, closed: summary.closed };
}

export function reportNudgeToGitHub(report: NudgeReport, env: Env = process.env): boolean {
  return writeOutputs(nudgeOutputs(report), env);
}

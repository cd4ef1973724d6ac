/** `safe-deploy histories pull`: what landed in the folder, as text or JSON. */
import type { PullReport } from '../pipeline/pull.js';
import { oneLine, plural } from './check-wording.js';
import { writeStdout } from './stdout.js';

export function renderPullText(report: PullReport): string {
  const { counts } = report;
  const lines = [
    `Pulled into ${oneLine(report.outDir)}: ${counts.downloaded} downloaded, ${counts.kept} already there, ${counts.failed} failed, of ${plural(counts.selected, 'running execution')} (${oneLine(report.selection.query)})`,
  ];
  for (const f of report.files.filter((x) => x.status === 'failed')) lines.push(`FAILED  workflow ID ${oneLine(f.workflowId)}, run ID ${oneLine(f.runId)}: ${oneLine(f.message ?? '')}`);
  if (report.interrupted) lines.push(`Interrupted: ${plural(report.interrupted.notPulled, 'execution was', 'executions were')} not pulled; run it again to finish.`);
  if (counts.downloaded + counts.kept > 0) lines.push(`Check them with: safe-deploy check --histories ${oneLine(report.outDir)} --workflows <path>`);
  return lines.join('\n') + '\n';
}

export function reportPull(output: 'text' | 'json', report: PullReport): void {
  writeStdout(output === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderPullText(report));
}

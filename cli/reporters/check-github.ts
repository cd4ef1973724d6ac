/**
 * `safe-deploy check` inside GitHub Actions: the markdown report in the job summary, the counts
 * as step outputs (for later steps' `if:`), and one error annotation per execution that is not
 * proven compatible. The caller prints the annotations with writeStdout.
 */
import { checkVerdict, gatePasses, notCheckedCount, sortResults, type CheckReport, type CheckResult } from '../core/check-report.js';
import { renderCheckMarkdown } from './check-markdown.js';
import { describeFailure, describeUnchecked, notReachedLine, oneLine, plural, verdictLabel } from './check-wording.js';
import { annotation, appendStepSummary, writeOutputs, type Env } from './github-actions.js';

/**
 * More would only be noise: GitHub shows at most 10 error annotations per step and 50 per job;
 * the job summary has them all.
 */
export const MAX_ANNOTATIONS = 50;

function failureAnnotation(r: CheckResult): string {
  const where = [`run ID ${r.runId}`, `version ${r.version}`];
  if (r.eventId) where.push(`event ${r.eventId}`);
  const message = `${verdictLabel(r.verdict)} (${where.join(', ')}): ${describeFailure(r)}`;
  return annotation('error', oneLine(message), { title: oneLine(`${r.workflowType} ${r.workflowId}`) });
}

export function reportCheckToGitHub(report: CheckReport, env: Env = process.env): { annotations: string[] } {
  appendStepSummary(renderCheckMarkdown(report), env);
  writeOutputs(
    {
      verdict: checkVerdict(report),
      gate: gatePasses(report) ? 'pass' : 'fail',
      total: report.summary.total,
      compatible: report.summary.compatible,
      incompatible: report.summary.incompatible,
      errors: report.summary.errors,
      'not-checked': notCheckedCount(report),
      'bundle-hash': report.candidate.bundleHash,
      ...(report.candidate.sdk && { 'sdk-version': report.candidate.sdk.version }),
    },
    env,
  );

  const failing = sortResults(report.results).filter((r) => r.verdict !== 'compatible');
  const annotations = failing.slice(0, MAX_ANNOTATIONS).map(failureAnnotation);
  if (failing.length > MAX_ANNOTATIONS) {
    const more = failing.length - MAX_ANNOTATIONS;
    annotations.push(annotation('warning', `${plural(more, 'more execution')} not proven compatible; see the job summary or the JSON report`, { title: 'safe-deploy check' }));
  }
  for (const u of (report.unchecked ?? []).slice(0, MAX_ANNOTATIONS)) annotations.push(annotation('error', describeUnchecked(u), { title: 'safe-deploy check: not checked' }));
  const stopped = notReachedLine(report);
  if (stopped) annotations.push(annotation('error', stopped, { title: report.serverLost ? 'safe-deploy check: server lost' : 'safe-deploy check interrupted' }));
  return { annotations };
}

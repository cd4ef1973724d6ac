/**
 * Rollback: the previous version current again, without breaking what already ran the candidate.
 * Pure. Per running execution of the deployment:
 *
 *   ran candidate code (a workflow task completed there)
 *     effective AUTO_UPGRADE    keep: pin it to the candidate, or routing would move it back to a
 *                               build that cannot replay what the candidate wrote
 *     PINNED to the candidate   keep: nothing to do, it stays
 *   upgraded, never ran candidate code
 *     our auto_upgrade override return: clear it (declared PINNED: back on the version it is on)
 *     declared AUTO_UPGRADE     return: nothing to do, it follows the current version back
 *   anything else               untouched
 */
import { SAFE_DEPLOY_IDENTITY } from './plan.js';
import { effectiveBehavior, type DeploymentVersionSummary, type ExecutionVersioning, type VersioningOverride } from './versioning.js';

export const ROLLBACK_SCHEMA_VERSION = 1;

export type RollbackGroup = 'keep' | 'return' | 'untouched';
export type RollbackAction = 'pin-to-candidate' | 'clear-override' | 'none';

export interface RollbackSubject extends ExecutionVersioning {
  workflowId: string;
  runId: string;
  workflowType: string;
  transitioningTo?: string;
  /** A workflow task of this run completed on the candidate. */
  ranCandidate: boolean;
  /** Who set the current override, per the history. */
  overrideSetBy?: string;
}

export interface RollbackDecision {
  group: RollbackGroup;
  action: RollbackAction;
  targetOverride?: VersioningOverride;
  reason: string;
}

export function decideRollback(e: RollbackSubject, candidateVersion: string, previousVersion: string): RollbackDecision {
  const effective = effectiveBehavior(e);
  const ours = e.overrideSetBy === SAFE_DEPLOY_IDENTITY;
  if (e.ranCandidate) {
    if (effective === 'PINNED') {
      if (e.override?.kind === 'pinned' && e.override.version !== candidateVersion) {
        return { group: 'untouched', action: 'none', reason: `pinned by an override to ${e.override.version}: left alone` };
      }
      return { group: 'keep', action: 'none', reason: `ran ${candidateVersion} code and is PINNED there: it stays` };
    }
    if (effective === 'UNVERSIONED') return { group: 'untouched', action: 'none', reason: 'unversioned' };
    return {
      group: 'keep',
      action: 'pin-to-candidate',
      targetOverride: { kind: 'pinned', version: candidateVersion },
      reason: `ran ${candidateVersion} code: ${previousVersion} cannot replay what it wrote, so it is pinned to ${candidateVersion}`,
    };
  }
  const upgraded = e.override?.kind === 'auto_upgrade' || e.transitioningTo === candidateVersion || e.version === candidateVersion;
  if (!upgraded) return { group: 'untouched', action: 'none', reason: `never moved to ${candidateVersion}` };
  if (e.override?.kind === 'auto_upgrade') {
    if (!ours) return { group: 'untouched', action: 'none', reason: `auto_upgrade override set by ${e.overrideSetBy || 'someone else'}: not ours to change` };
    if (e.behavior === 'AUTO_UPGRADE') {
      return { group: 'return', action: 'clear-override', reason: `never ran ${candidateVersion} code: our override is cleared, it follows the current version back` };
    }
    return { group: 'return', action: 'clear-override', reason: `never ran ${candidateVersion} code: our auto_upgrade override is cleared, it is PINNED to ${e.version ?? previousVersion} again` };
  }
  if (e.override?.kind === 'pinned') return { group: 'untouched', action: 'none', reason: `pinned by an override to ${e.override.version}: left alone` };
  return { group: 'return', action: 'none', reason: `never ran ${candidateVersion} code and is AUTO_UPGRADE: it follows the current version back` };
}

/** What a pin to the candidate means later, said in the report. */
export function keptOnCandidateNote(candidateVersion: string): string {
  return `pinned overrides follow continue-as-new: these executions (and every run they continue into) stay on ${candidateVersion}, so keep its workers running until they finish, then clear the overrides (\`safe-deploy overrides clear --not-needed\` once nothing is left to run there)`;
}

/**
 * The version to go back to: the one that was current last, among those that stopped being current
 * (DRAINING or DRAINED; drainage counts only pinned executions). A string: why it cannot tell.
 */
export function previousCurrent(versions: readonly DeploymentVersionSummary[], current: string): DeploymentVersionSummary | string {
  const before = versions.filter((v) => v.version !== current && (v.status === 'DRAINING' || v.status === 'DRAINED')).sort((a, b) => (b.lastCurrentMs ?? 0) - (a.lastCurrentMs ?? 0));
  const last = before[0];
  if (!last || (before.length > 1 && !last.lastCurrentMs)) {
    return `cannot tell which version to go back to: ${before.length} versions were current before${before.length ? ` (${before.map((v) => v.buildId).join(', ')})` : ''}`;
  }
  return last;
}

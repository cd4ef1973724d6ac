/**
 * What the pre-push hook does with one pushed commit, decided from the project config found in
 * that commit's tree. Pure: the checkout, the server probe and the check run are the pipeline's.
 */
import type { ProjectConfig } from './config.js';
import type { PushedCommit } from './push-refs.js';

export const PRE_PUSH_SCHEMA_VERSION = 1;

/** How `check` will select executions in that tree: live ones (the server is needed) or history files. */
export function checkNeedsServer(config: Pick<ProjectConfig, 'deployment' | 'taskQueue' | 'workflowTypes' | 'query'>): boolean {
  return Boolean(config.deployment || config.taskQueue || config.workflowTypes?.length || config.query);
}

export type UnreachablePolicy = 'check-histories-offline' | 'block' | 'allow';

/**
 * The server cannot be reached: check the recorded histories instead when the config lists them;
 * otherwise let the push through with a warning, unless the config says "strict": true.
 */
export function whenUnreachable(config: Pick<ProjectConfig, 'histories' | 'strict'>): UnreachablePolicy {
  if (config.histories?.length) return 'check-histories-offline';
  return config.strict ? 'block' : 'allow';
}

export type CommitOutcome =
  /** `check` ran in the commit's tree; its exit code decides. */
  | { kind: 'checked'; mode: 'live' | 'histories' | 'histories-offline'; exitCode: number; report?: unknown }
  /** The tree has no safe-deploy config at the project folder: nothing to check. */
  | { kind: 'no-config' }
  /** The server could not be reached and nothing could be checked instead. */
  | { kind: 'unreachable'; blocked: boolean; reason: string };

export interface CommitCheck {
  commit: PushedCommit;
  /** The config file, relative to the tree's root. */
  config?: string;
  outcome: CommitOutcome;
}

/** The hook's exit code: the worst check's (1 breaks, 2 config, 3 unreachable under strict), else 0. */
export function prePushExitCode(checks: readonly CommitCheck[]): number {
  let code = 0;
  for (const { outcome } of checks) {
    if (outcome.kind === 'checked') code = Math.max(code, outcome.exitCode);
    if (outcome.kind === 'unreachable' && outcome.blocked) code = Math.max(code, 3);
  }
  return code;
}

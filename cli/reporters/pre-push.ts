/** `safe-deploy hook pre-push`: what was checked for each pushed commit, and whether the push goes. */
import { PRE_PUSH_SCHEMA_VERSION, type CommitCheck } from '../core/pre-push.js';
import { writeJson, writeStdout } from './stdout.js';

const MODE: Record<'live' | 'histories' | 'histories-offline', string> = {
  live: 'running executions',
  histories: 'recorded histories',
  'histories-offline': 'recorded histories, offline (the server cannot be reached)',
};

function line(check: CommitCheck): string {
  const sha = check.commit.sha.slice(0, 12);
  const { outcome } = check;
  switch (outcome.kind) {
    case 'checked':
      return `safe-deploy: ${sha}: ${MODE[outcome.mode]} against the pushed tree (${check.config}): ${outcome.exitCode === 0 ? 'passed' : `failed (check exited ${outcome.exitCode})`}`;
    case 'no-config':
      return `safe-deploy: ${sha}: the pushed tree has no safe-deploy config for this folder: nothing to check`;
    case 'unreachable':
      return outcome.blocked
        ? `safe-deploy: ${sha}: NOT CHECKED: ${outcome.reason}; "strict": true in ${check.config} blocks the push`
        : `safe-deploy: warning: ${sha}: NOT CHECKED: ${outcome.reason}. The push goes through; add "histories" to ${check.config} to check them offline then, or "strict": true to block`;
  }
}

export function reportPrePush(output: 'text' | 'json', checks: readonly CommitCheck[], exitCode: number): void {
  if (output === 'json') {
    writeJson({ schemaVersion: PRE_PUSH_SCHEMA_VERSION, blocked: exitCode !== 0, exitCode, commits: checks.map((c) => ({ sha: c.commit.sha, remoteRefs: c.commit.remoteRefs, config: c.config, ...c.outcome })) });
    return;
  }
  const lines = checks.map(line);
  if (checks.length === 0) lines.push('safe-deploy: the push publishes no commits: nothing to check');
  if (exitCode !== 0) {
    lines.push(
      '',
      `safe-deploy: push blocked (exit ${exitCode}: 1 executions would break, 2 usage or config error, 3 Temporal unreachable).`,
      'safe-deploy: fix it and push again, or bypass this check once with: git push --no-verify',
    );
  }
  writeStdout(lines.join('\n'));
}

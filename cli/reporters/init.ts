/** `safe-deploy init`: what was found, what was written, the hook, and the CI steps to paste. */
import { INIT_SCHEMA_VERSION } from '../core/init.js';
import type { InitResult } from '../pipeline/init.js';
import { writeJson, writeStdout } from './stdout.js';

const HOOK: Record<InitResult['hook']['step'], string> = {
  installed: 'installed',
  updated: 'updated (it was ours)',
  'would-install': 'would be installed',
  declined: 'not installed (`safe-deploy hook install` adds it)',
  'not-a-git-repository': 'not installed: not inside a git repository',
  'foreign-hook-kept': 'not installed: a pre-push hook that safe-deploy did not install is there (`safe-deploy hook install --force` replaces it)',
};

export function reportInit(output: 'text' | 'json', r: InitResult): void {
  if (output === 'json') {
    writeJson({ schemaVersion: INIT_SCHEMA_VERSION, ...r });
    return;
  }
  const lines: string[] = [];
  lines.push(`workflows found: ${r.workflowsFound.join(', ') || 'none'}`);
  lines.push(`Worker Deployments found: ${r.deploymentsFound.join(', ') || 'none'}`);
  lines.push(`recorded histories found: ${r.historyDirsFound.join(', ') || 'none'}`);
  lines.push('');
  switch (r.configOutcome) {
    case 'written':
      lines.push(`Wrote ${r.configPath}:`, r.configText ?? '');
      break;
    case 'would-write':
      lines.push(`Would write ${r.configPath} (--dry-run):`, r.configText ?? '');
      break;
    case 'declined':
      lines.push(`Did not write ${r.configPath}.`);
      break;
    case 'kept':
      lines.push('Kept the existing project config.');
      break;
  }
  lines.push(`pre-push hook: ${HOOK[r.hook.step]}${r.hook.path ? ` (${r.hook.path})` : ''}`);
  for (const note of r.notes) lines.push(`note: ${note}`);
  lines.push('', 'Next: `npx safe-deploy check` replays with this config. In GitHub Actions, paste into a job\'s steps:', '', r.githubStep);
  writeStdout(lines.join('\n'));
}

/** `safe-deploy hook install / uninstall` for a terminal. */
import type { InstallResult, UninstallResult } from '../config/git-hook.js';
import { writeStdout } from './stdout.js';

export function reportHookInstall(r: InstallResult): void {
  if (r.dryRun) {
    const what = r.outcome === 'installed' ? 'write' : r.outcome === 'updated' ? 'update' : 'replace (a hook not installed by safe-deploy)';
    writeStdout(`Would ${what} ${r.path} (mode 755):\n\n${r.script}`);
    return;
  }
  const verb = r.outcome === 'installed' ? 'Installed' : r.outcome === 'updated' ? 'Updated' : 'Replaced a foreign hook with';
  writeStdout(
    [
      `${verb} the safe-deploy pre-push hook: ${r.path}`,
      `  Before each push it runs: ${r.command}`,
      '  A failing check blocks the push; bypass once with: git push --no-verify',
      '  Remove it with: safe-deploy hook uninstall',
    ].join('\n'),
  );
}

export function reportHookUninstall(r: UninstallResult): void {
  const would = r.dryRun ? 'Would remove' : 'Removed';
  switch (r.outcome) {
    case 'removed':
      writeStdout(`${would} the safe-deploy pre-push hook: ${r.path}`);
      return;
    case 'absent':
      writeStdout(`No pre-push hook at ${r.path}; nothing to remove.`);
      return;
    case 'foreign':
      writeStdout(`${r.path} was not installed by safe-deploy (no "# installed by safe-deploy" line); left it in place.`);
      return;
  }
}

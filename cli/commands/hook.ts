import type { Command } from 'commander';
import type { CommandContext } from './common.js';

interface InstallFlags {
  force?: boolean;
  dryRun?: boolean;
}

export function registerHook(program: Command, _ctx: CommandContext): void {
  const hook = program
    .command('hook')
    .summary('install or remove a git pre-push hook that runs `safe-deploy check`')
    .description(
      'Manage a git pre-push hook (in the folder `git rev-parse --git-path hooks` names, so core.hooksPath is respected) that runs `safe-deploy check` from the current directory, configured by safe-deploy.config.json, and blocks the push when it fails. Bypass it once with `git push --no-verify`.',
    )
    .addHelpText('after', '\nExamples:\n  safe-deploy hook install\n  safe-deploy hook install --force --dry-run\n  safe-deploy hook uninstall\n');

  hook
    .command('install')
    .summary('write the pre-push hook')
    .description(
      'Write the pre-push hook. It runs `npx --no-install safe-deploy check` when safe-deploy is a dependency of the nearest package.json, else this CLI by its absolute path. An existing hook not installed by safe-deploy is kept unless --force is given (exit 2).',
    )
    .option('--force', 'replace a pre-push hook that safe-deploy did not install')
    .option('--dry-run', 'print the hook and where it would go; write nothing')
    .addHelpText('after', '\nExample:\n  safe-deploy hook install --dry-run\n')
    .action(async (flags: InstallFlags) => {
      const { installHook } = await import('../config/git-hook.js');
      const { reportHookInstall } = await import('../reporters/hook.js');
      reportHookInstall(await installHook({ cwd: process.cwd(), force: flags.force, dryRun: flags.dryRun }));
    });

  hook
    .command('uninstall')
    .summary('remove the pre-push hook safe-deploy installed')
    .description('Remove the pre-push hook if safe-deploy installed it; a hook it did not install is left in place (and reported).')
    .option('--dry-run', 'say what would be removed; remove nothing')
    .addHelpText('after', '\nExample:\n  safe-deploy hook uninstall --dry-run\n')
    .action(async (flags: { dryRun?: boolean }) => {
      const { uninstallHook } = await import('../config/git-hook.js');
      const { reportHookUninstall } = await import('../reporters/hook.js');
      reportHookUninstall(await uninstallHook({ cwd: process.cwd(), dryRun: flags.dryRun }));
    });
}

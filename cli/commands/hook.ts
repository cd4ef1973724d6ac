import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { OutputFormat } from '../log.js';
import { outputOption, type CommandContext } from './common.js';

interface InstallFlags {
  force?: boolean;
  dryRun?: boolean;
}

export function registerHook(program: Command, ctx: CommandContext): void {
  const hook = program
    .command('hook')
    .summary('install or remove a git pre-push hook that runs `safe-deploy check`')
    .description(
      'Manage a git pre-push hook (in the folder `git rev-parse --git-path hooks` names, so core.hooksPath is respected) that checks out the tree of every pushed commit and runs `safe-deploy check` in it, configured by that tree\'s safe-deploy.config.json, and blocks the push when it fails. Bypass it once with `git push --no-verify`.',
    )
    .addHelpText('after', '\nExamples:\n  safe-deploy hook install\n  safe-deploy hook install --force --dry-run\n  safe-deploy hook uninstall\n');

  hook
    .command('install')
    .summary('write the pre-push hook')
    .description(
      'Write the pre-push hook. It runs `npx --no-install safe-deploy hook pre-push` when safe-deploy is a dependency of the nearest package.json, else this CLI by its absolute path. An existing hook not installed by safe-deploy is kept unless --force is given (exit 2).',
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

  hook
    .command('pre-push')
    .summary('what the installed hook runs: check the tree of each pushed commit')
    .description(
      'Read the pushed refs from stdin as git gives them to a pre-push hook ("<local ref> <local sha> <remote ref> <remote sha>" per line). For each pushed commit: check out its tree in a temporary git worktree (with the working tree\'s node_modules linked in, so your own SDK is used), and run `safe-deploy check` there, configured by that tree\'s project config, from the folder the hook was installed in. A live selection whose server cannot be reached falls back to the config\'s "histories", offline; without them the push is let through with a warning, unless the config has "strict": true (then exit 3). Exit: the worst check\'s code (1 would break, 2 usage/config), else 0.',
    )
    .argument('[remote]', 'the remote name (git passes it)')
    .argument('[url]', 'the remote URL (git passes it)')
    .addOption(outputOption())
    .addHelpText('after', '\nExample:\n  echo "refs/heads/main $(git rev-parse HEAD) refs/heads/main $(git rev-parse origin/main)" | safe-deploy hook pre-push --output json\n')
    .action(async (_remote: string | undefined, _url: string | undefined, flags: { output: OutputFormat }) => {
      if (process.stdin.isTTY) throw new UsageError('hook pre-push reads the pushed refs from stdin', 'git runs it from the installed hook; by hand: echo "refs/heads/main SHA refs/heads/main REMOTE_SHA" | safe-deploy hook pre-push');
      let stdin = '';
      for await (const chunk of process.stdin) stdin += String(chunk);
      const { parsePushRefs, pushedCommits } = await import('../core/push-refs.js');
      const { prePushExitCode } = await import('../core/pre-push.js');
      const { runPrePush } = await import('../pipeline/pre-push.js');
      const { reportPrePush } = await import('../reporters/pre-push.js');
      const { createLog } = await import('../log.js');
      let commits;
      try {
        commits = pushedCommits(parsePushRefs(stdin));
      } catch (err) {
        throw new UsageError((err as Error).message, 'hook pre-push reads what git gives a pre-push hook on stdin');
      }
      const checks = await runPrePush({ cwd: process.cwd(), commits, output: flags.output, log: await createLog({ output: flags.output }) });
      const code = prePushExitCode(checks);
      reportPrePush(flags.output, checks, code);
      ctx.setExitCode(code);
    });
}

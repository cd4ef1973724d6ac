import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { OutputFormat } from '../log.js';
import { outputOption, type CommandContext } from './common.js';

interface InitFlags {
  yes?: boolean;
  workflows?: string;
  deployment?: string;
  hook: boolean;
  dryRun?: boolean;
  output: OutputFormat;
}

export function registerInit(program: Command, _ctx: CommandContext): void {
  program
    .command('init')
    .summary('set safe-deploy up in your project: config, pre-push hook, CI step')
    .description(
      'Find the workflows file your worker runs (its Worker.create({ workflowsPath })) and its Worker Deployment (workerDeploymentOptions), and a folder of recorded histories; write safe-deploy.config.json here (never over a project config that already applies); offer the git pre-push hook; print the GitHub Actions steps to paste. Asks when there is a choice; --yes takes the defaults and asks nothing.',
    )
    .option('-y, --yes', 'ask nothing: take the one found (more than one workflows file is an error: pass --workflows), install the hook')
    .option('--workflows <path>', 'the workflows file, instead of the one found')
    .option('--deployment <name>', 'the Worker Deployment, instead of the one found')
    .option('--no-hook', 'do not offer the pre-push hook')
    .option('--dry-run', 'show what would be written and installed; write nothing')
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  safe-deploy init\n  safe-deploy init --yes --dry-run --output json\n  safe-deploy init --yes --workflows src/workflows.ts --deployment my-deployment --no-hook\n')
    .action(async (flags: InitFlags) => {
      if (!flags.yes && !process.stdin.isTTY) throw new UsageError('init asks questions, and stdin is not a terminal', 'pass --yes to take the defaults (add --dry-run to see them first)');
      const { runInit } = await import('../pipeline/init.js');
      const { reportInit } = await import('../reporters/init.js');
      const prompt = flags.yes ? undefined : (await import('../util/prompt.js')).terminalPrompt();
      try {
        const result = await runInit({ cwd: process.cwd(), prompt, workflows: flags.workflows, deployment: flags.deployment, hook: flags.hook, dryRun: Boolean(flags.dryRun) });
        reportInit(flags.output, result);
      } finally {
        prompt?.close();
      }
    });
}

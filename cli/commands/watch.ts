import type { Command } from 'commander';
import { DEFAULT_DESCRIBE_CONCURRENCY } from '../core/status.js';
import { ExitCode } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { createLog, type OutputFormat } from '../log.js';
import type { ConnectionFlags } from '../temporal/connection.js';
import { collect, durationOption, outputOption, parsePositiveInt, type CommandContext } from './common.js';
import { addConnectionOptions, connectionFlags } from './options.js';
import { assertWritableOutputs } from '../util/output-path.js';

interface WatchFlags extends ConnectionFlags {
  deployment: string;
  candidateBuildId?: string;
  for: number;
  interval: number;
  confirmTimeout: number;
  rps: number;
  concurrency: number;
  longRunningType?: string[];
  reset?: boolean;
  journal?: string;
  dryRun?: boolean;
  output: OutputFormat;
}

export function registerWatch(program: Command, ctx: CommandContext): void {
  const command = program
    .command('watch')
    .summary('after the rollout: pin back executions whose workflow tasks fail on the candidate')
    .description(
      "For a window, look for running executions of the deployment whose workflow tasks fail on the candidate (a retried pending task, or the server's TemporalReportedProblems), classify the failure (non-determinism or other) and act: one the candidate never completed a task for is pinned back to the version that wrote its history, and its next task confirmed there; one the candidate already ran is reported with its reset point and the `temporal workflow reset` command (--reset does it). Journaled; a re-run resumes. Exit 1 if anything broke during the window.",
    )
    .requiredOption('--deployment <name>', 'the Worker Deployment')
    .option('--candidate-build-id <id>', 'the candidate (default: the current version)')
    .option('--for <duration>', 'how long to watch', durationOption, 120_000)
    .option('--interval <duration>', 'time between scans', durationOption, 5_000)
    .option('--confirm-timeout <duration>', 'after the window, how long to wait for a pinned-back execution to complete a task', durationOption, 60_000)
    .option('--rps <n>', 'requests per second to the server', parsePositiveInt, 20)
    .option('--concurrency <n>', 'executions described at once while scanning (within --rps)', parsePositiveInt, DEFAULT_DESCRIBE_CONCURRENCY)
    .option('--long-running-type <type>', 'workflow type that continues-as-new (repeatable): a pin-back is reported as following it', collect)
    .option('--reset', 'reset the executions the candidate already ran to their reset point (new run pinned to the old version)')
    .option('--journal <file>', 'journal file (default: safe-deploy-watch-<deployment>.journal.jsonl)')
    .option('--dry-run', 'find and classify; change nothing');
  addConnectionOptions(command);
  command
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
Examples:
  safe-deploy watch --deployment research-agent --for 10m --long-running-type ResearchPollingWorkflow
  safe-deploy watch --deployment research-agent --candidate-build-id "$GIT_SHA" --for 2m --dry-run --output json`,
    )
    .action(async (flags: WatchFlags) => ctx.setExitCode(await watch(flags)));
}

async function watch(flags: WatchFlags): Promise<number> {
  const log = await createLog({ output: flags.output });
  if (!flags.dryRun) assertWritableOutputs([['--journal', flags.journal]]);
  const { runWatch } = await import('../pipeline/watch.js');
  const { reportWatch } = await import('../reporters/watch.js');
  const { connect, resolveConnection } = await import('../temporal/connection.js');
  const temporal = await connect(resolveConnection(connectionFlags(flags)));
  try {
    const report = await runWatch({
      temporal,
      deployment: flags.deployment,
      candidateBuildId: flags.candidateBuildId,
      windowMs: flags.for,
      intervalMs: flags.interval,
      confirmTimeoutMs: flags.confirmTimeout,
      rps: flags.rps,
      concurrency: flags.concurrency,
      longRunningTypes: flags.longRunningType ?? [],
      reset: flags.reset,
      dryRun: flags.dryRun,
      journalPath: flags.journal ?? `safe-deploy-watch-${flags.deployment}.journal.jsonl`,
      signal: interruptSignal(),
      onStep: (m) => log.info(m),
    });
    reportWatch(flags.output, report);
    switch (report.verdict) {
      case 'clean':
        return ExitCode.ok;
      case 'broke':
        return ExitCode.gateFailed;
      case 'interrupted':
        return ExitCode.interrupted;
    }
  } finally {
    await temporal.close();
  }
}

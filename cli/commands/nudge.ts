import { InvalidArgumentError, Option, type Command } from 'commander';
import { DurationError, formatDuration, parseDuration } from '../core/duration.js';
import { nudgeGatePassed } from '../core/nudge.js';
import { DEFAULT_DESCRIBE_CONCURRENCY } from '../core/status.js';
import { ExitCode } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { createLog, type OutputFormat } from '../log.js';
import { isGitHubActions } from '../reporters/github-actions.js';
import type { ConnectionFlags, TemporalHandle } from '../temporal/connection.js';
import { collect, outputOption, parsePositiveInt, type CommandContext } from './common.js';
import { addConnectionOptions, connectionFlags } from './options.js';

export interface NudgeFlags extends ConnectionFlags {
  deployment: string;
  workflowType?: string[];
  signal: string;
  rps: number;
  confirmTimeout: number;
  requireDrained?: boolean;
  dryRun?: boolean;
  concurrency: number;
  output: OutputFormat;
  verbose?: boolean;
}

function durationOption(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    if (err instanceof DurationError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

export function registerNudge(program: Command, ctx: CommandContext): void {
  const command = program
    .command('nudge')
    .summary('signal executions pinned to an old version so they continue-as-new onto the current one')
    .description(
      "After a rollout: find the deployment's running executions that are pinned to a version that is no longer current (nor ramping), send each a signal (rate-limited) that makes it continue-as-new onto the current version, and confirm each one moved, signalling again those that have not until the confirm timeout. Reports each as moved, straggler (still pinned) or closed. Exit codes: 0 done, 1 stragglers with --require-drained, 2 usage error, unknown deployment or no current version, 3 Temporal unreachable, 130 interrupted.",
    )
    .requiredOption('--deployment <name>', 'the Worker Deployment')
    .option('--workflow-type <type>', 'only this workflow type (repeatable)', collect)
    .option('--signal <name>', 'the signal that makes the workflow check for a new version', 'wake_up')
    .option('--rps <n>', 'signals per second, re-signals included', positiveNumber, 10)
    .addOption(
      new Option('--confirm-timeout <duration>', 'how long to wait for them to move: 500ms, 120s, 2m or seconds').argParser(durationOption).default(120_000, '120s'),
    )
    .option('--require-drained', 'exit 1 if any execution is still pinned to an old version at the end')
    .option('--dry-run', 'list what would be signalled; signal nothing')
    .option('--concurrency <n>', 'executions described at once', parsePositiveInt, DEFAULT_DESCRIBE_CONCURRENCY);
  addConnectionOptions(command);
  command
    .addOption(outputOption())
    .option('--verbose', 'more logs on stderr')
    .addHelpText(
      'after',
      `
Examples:
  safe-deploy nudge --deployment research-agent --dry-run
  safe-deploy nudge --deployment research-agent --workflow-type ResearchPollingWorkflow --signal wake_up --rps 20 --confirm-timeout 5m --require-drained --output json`,
    )
    .action(async (flags: NudgeFlags) => ctx.setExitCode(await nudge(flags)));
}

export async function nudge(flags: NudgeFlags): Promise<number> {
  const log = await createLog({ output: flags.output, verbose: flags.verbose });
  const { runNudge } = await import('../pipeline/nudge.js');
  const { connect, resolveConnection } = await import('../temporal/connection.js');
  let temporal: TemporalHandle | undefined;
  try {
    temporal = await connect(resolveConnection(connectionFlags(flags)));
    const spinner = log.progress(`looking for executions of ${flags.deployment} pinned to older versions...`);
    const report = await runNudge({
      temporal,
      deployment: flags.deployment,
      workflowTypes: flags.workflowType,
      signalName: flags.signal,
      rps: flags.rps,
      confirmTimeoutMs: flags.confirmTimeout,
      dryRun: Boolean(flags.dryRun),
      concurrency: flags.concurrency,
      signal: interruptSignal(),
      onProgress: (p) => {
        switch (p.phase) {
          case 'listing':
            spinner.update(
              `described ${p.described} running executions, ${p.candidates} pinned to older versions` +
                (flags.dryRun ? '' : `, ${p.signalled} signalled with ${flags.signal}`),
            );
            break;
          case 'confirming':
            spinner.update(`moved ${p.moved}, closed ${p.closed}, waiting for ${p.waiting} (${formatDuration(p.remainingMs)} left)`);
            break;
        }
      },
    }).finally(() => spinner.stop());

    try {
      if (flags.output === 'json') await (await import('../reporters/nudge-json.js')).reportNudgeJson(report);
      else await (await import('../reporters/nudge-text.js')).reportNudgeText(report, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
    } finally {
      await report.results.close();
    }
    if (isGitHubActions(process.env)) (await import('../reporters/nudge-github.js')).reportNudgeToGitHub(report);

    if (report.interrupted) {
      log.warn('interrupted: executions not confirmed yet are reported as stragglers');
      return ExitCode.interrupted;
    }
    if (!nudgeGatePassed(report, Boolean(flags.requireDrained))) {
      process.stderr.write(`error: ${report.summary.stragglers} execution(s) still pinned to an older version after ${formatDuration(flags.confirmTimeout)}\n`);
      process.stderr.write('hint: they ignore the signal or are busy; check `safe-deploy status`, raise --confirm-timeout, or let them finish on the old version\n');
      return ExitCode.gateFailed;
    }
    return ExitCode.ok;
  } finally {
    await temporal?.close();
  }
}

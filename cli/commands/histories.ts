import type { Command } from 'commander';
import { DEFAULT_DOWNLOAD_CONCURRENCY, hasLiveSelector, SelectionError } from '../core/selection.js';
import { ExitCode, UsageError } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { createLog, type OutputFormat } from '../log.js';
import type { ConnectionFlags, TemporalHandle } from '../temporal/connection.js';
import { addLiveSelectionOptions, type LiveSelectionFlags } from './check.js';
import { outputOption, parsePositiveInt, type CommandContext } from './common.js';
import { addConnectionOptions, connectionFlags } from './options.js';
import { assertWritableFolders } from '../util/output-path.js';

export interface PullFlags extends ConnectionFlags, LiveSelectionFlags {
  out: string;
  concurrency: number;
  output: OutputFormat;
}

export function registerHistories(program: Command, ctx: CommandContext): void {
  const histories = program.command('histories').summary('history files: pull the histories of live executions into a folder');
  const pull = histories.command('pull');
  pull
    .summary('download the histories of running executions into a folder (a corpus for check --histories)')
    .description(
      'Download the history of every running execution you select into --out, one file per execution named <workflow ID>@<run ID>.json (the workflow ID URI-encoded), in the format of `temporal workflow show --output json`. Downloads run concurrently; files already in the folder are kept, so a pull that was interrupted finishes when run again. The folder is a regression corpus for `safe-deploy check --histories` and for the hook\'s offline fallback. Changes nothing on the server. Exit codes: 0 pulled, 2 usage error or unknown deployment, 3 Temporal unreachable or a history that could not be downloaded, 130 interrupted.',
    )
    .requiredOption('--out <dir>', 'the folder to write the history files to (created if missing)');
  addLiveSelectionOptions(pull, 'pull').option('--concurrency <n>', 'histories downloaded at once', parsePositiveInt, DEFAULT_DOWNLOAD_CONCURRENCY);
  addConnectionOptions(pull);
  pull
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
Examples:
  safe-deploy histories pull --deployment research-agent --out ./histories
  safe-deploy check --histories ./histories --workflows ./src/workflows.ts`,
    )
    .action(async (flags: PullFlags) => ctx.setExitCode(await pullHistories(flags)));
}

async function pullHistories(flags: PullFlags): Promise<number> {
  const log = await createLog({ output: flags.output });
  const selection = { deployment: flags.deployment, buildIds: flags.buildId, taskQueue: flags.taskQueue, workflowTypes: flags.workflowType, query: flags.query };
  if (!hasLiveSelector(selection)) {
    throw new UsageError('nothing selects the executions to pull', 'pass --deployment NAME (or --task-queue / --workflow-type / --query)');
  }
  assertWritableFolders([['--out', flags.out]]);
  const { runPull } = await import('../pipeline/pull.js');
  const { reportPull } = await import('../reporters/pull.js');
  const { connect, resolveConnection } = await import('../temporal/connection.js');
  let temporal: TemporalHandle | undefined;
  try {
    temporal = await connect(resolveConnection(connectionFlags(flags)));
    const spinner = log.progress(`pulling into ${flags.out}...`);
    const report = await runPull({
      temporal,
      selection,
      outDir: flags.out,
      limit: flags.limit,
      concurrency: flags.concurrency,
      signal: interruptSignal(),
      onProgress: (done, total) => spinner.update(`pulled ${done}/${total}`),
    })
      .catch((err: unknown) => {
        throw err instanceof SelectionError ? new UsageError(err.message, 'see `safe-deploy histories pull --help`') : err;
      })
      .finally(() => spinner.stop());
    reportPull(flags.output, report);
    if (report.interrupted) return ExitCode.interrupted;
    return report.counts.failed > 0 ? ExitCode.infrastructure : ExitCode.ok;
  } finally {
    await temporal?.close();
  }
}

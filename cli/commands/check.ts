import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { addProjectConfigOptions, withProjectConfig, type ProjectConfigFlags } from '../config/check-options.js';
import { checkExitCode, type CheckReport } from '../core/check-report.js';
import { DEFAULT_DOWNLOAD_CONCURRENCY, hasLiveSelector, SelectionError } from '../core/selection.js';
import { parseShard, type Shard } from '../core/shard.js';
import { UsageError } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { createLog, type OutputFormat } from '../log.js';
import type { CheckSelection } from '../pipeline/check.js';
import { isGitHubActions } from '../reporters/github-actions.js';
import { writeStdout } from '../reporters/stdout.js';
import type { ConnectionFlags, TemporalHandle } from '../temporal/connection.js';
import { collect, outputOption, parsePositiveInt, type CommandContext } from './common.js';
import { addCandidateOptions, addConnectionOptions, candidateOptions, connectionFlags, hasCandidate, type CandidateFlags } from './options.js';
import { assertWritableFolders, assertWritableOutputs } from '../util/output-path.js';

/** The flags that select live executions (check, histories pull). */
export interface LiveSelectionFlags {
  deployment?: string;
  buildId?: string[];
  taskQueue?: string;
  workflowType?: string[];
  query?: string;
  limit?: number;
}

export interface CheckFlags extends ConnectionFlags, CandidateFlags, ProjectConfigFlags, LiveSelectionFlags {
  histories?: string[];
  concurrency: number;
  parallel: number;
  shard?: Shard;
  cacheDir?: string;
  output: OutputFormat;
  junit?: string;
  markdown?: string;
  verbose?: boolean;
  failOnEmpty?: boolean;
}

function shardOption(value: string): Shard {
  try {
    return parseShard(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function addSelectionOptions(command: Command): Command {
  return addLiveSelectionOptions(command.option('--histories <paths...>', 'check history files / folders instead of live executions (offline)'), 'check');
}

export function addLiveSelectionOptions(command: Command, verb: string): Command {
  return command
    .option('--deployment <name>', 'running executions on the versions of this Worker Deployment')
    .option('--build-id <id>', 'only these Build IDs of the deployment (repeatable)', collect)
    .option('--task-queue <name>', 'running executions on this task queue')
    .option('--workflow-type <type>', 'only this workflow type (repeatable)', collect)
    .option('--query <visibility-query>', 'raw visibility query, ANDed with the rest')
    .option('--limit <n>', `${verb} at most n executions`, parsePositiveInt);
}

export function addReplayOptions(command: Command): Command {
  return command
    .option('--concurrency <n>', 'histories downloaded at once', parsePositiveInt, DEFAULT_DOWNLOAD_CONCURRENCY)
    // The CPUs this process may run on (its affinity), not all the machine has.
    .option('--parallel <n>', 'replay workers', parsePositiveInt, availableParallelism())
    .option('--shard <i/n>', 'check only shard i of n (for a CI matrix)', shardOption)
    .option('--cache-dir <dir>', 'keep downloaded histories here; unchanged ones are not downloaded again');
}

export function registerCheck(program: Command, ctx: CommandContext): void {
  const command = program
    .command('check')
    .summary('replay running executions (or history files) against the candidate; exit 1 if any break')
    .description(
      'Download the histories of the running executions you select, replay them against the candidate workflow bundle, and report which would break (non-determinism), which lack their workflow type in the candidate, and which replay cleanly. The verdict is passed only when every selected execution or file was replayed, cleanly; whatever was not checked is listed in every report. Exit codes: 0 all compatible (or nothing to check), 1 anything incompatible (or nothing to check with --fail-on-empty), 2 usage or input error (a history file that would not load), 3 Temporal unreachable or lost part-way (the report covers what was checked), 130 interrupted (likewise).',
    );
  addSelectionOptions(command);
  addCandidateOptions(command);
  addReplayOptions(command);
  addConnectionOptions(command);
  addProjectConfigOptions(command);
  command
    .addOption(outputOption())
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--markdown <file>', 'also write a markdown report')
    .option('--fail-on-empty', 'fail the gate (exit 1) when the selection has no running executions (config: "failOnEmpty": true)')
    .option('--verbose', 'more logs on stderr')
    .addHelpText(
      'after',
      `
Examples:
  safe-deploy check --deployment research-agent --workflows ./src/workflows.ts
  safe-deploy check --histories ./histories --workflows ./src/workflows.ts --output json
  safe-deploy check --deployment research-agent --build-id v1 --bundle ./dist/bundle.js --shard 2/4 --junit report.xml`,
    )
    .action(async (flags: CheckFlags) => ctx.setExitCode(await check(await withProjectConfig(flags))));
}

/** Every form a check report takes: stdout (text or JSON), --junit, --markdown, GitHub annotations. */
export async function writeCheckReports(report: CheckReport, flags: Pick<CheckFlags, 'output' | 'junit' | 'markdown'>): Promise<void> {
  if (flags.output === 'json') (await import('../reporters/check-json.js')).reportCheckJson(report);
  else (await import('../reporters/check-text.js')).reportCheckText(report, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
  if (flags.junit) writeFileSync(flags.junit, (await import('../reporters/check-junit.js')).renderCheckJunit(report));
  if (flags.markdown) writeFileSync(flags.markdown, (await import('../reporters/check-markdown.js')).renderCheckMarkdown(report));
  if (isGitHubActions(process.env)) {
    const { reportCheckToGitHub } = await import('../reporters/check-github.js');
    for (const line of reportCheckToGitHub(report).annotations) writeStdout(line);
  }
}

export async function check(flags: CheckFlags): Promise<number> {
  const log = await createLog({ output: flags.output, verbose: flags.verbose });
  const signal = interruptSignal();
  const live = { deployment: flags.deployment, buildIds: flags.buildId, taskQueue: flags.taskQueue, workflowTypes: flags.workflowType, query: flags.query };
  if (flags.histories && hasLiveSelector(live)) {
    throw new UsageError('--histories checks files; it cannot be combined with --deployment / --task-queue / --workflow-type / --query', 'pick one: files or live executions');
  }
  if (!flags.histories && !hasLiveSelector(live)) {
    throw new UsageError('nothing selects the executions to check', 'pass --deployment NAME (or --task-queue / --workflow-type / --query), or --histories PATH');
  }
  if (flags.workflows && flags.bundle) throw new UsageError('--workflows and --bundle both given', 'pass one candidate');
  if (!hasCandidate(flags)) throw new UsageError('no candidate given', 'pass --workflows PATH (workflow source) or --bundle FILE');
  assertWritableOutputs([['--junit', flags.junit], ['--markdown', flags.markdown]]);
  assertWritableFolders([['--cache-dir', flags.cacheDir]]);
  const { runCheck } = await import('../pipeline/check.js');

  let temporal: TemporalHandle | undefined;
  try {
    let selection: CheckSelection;
    if (flags.histories) selection = { kind: 'histories', paths: flags.histories };
    else {
      const { connect, resolveConnection } = await import('../temporal/connection.js');
      temporal = await connect(resolveConnection(connectionFlags(flags)));
      selection = { kind: 'server', temporal, selection: live, limit: flags.limit };
    }
    const spinner = log.progress('bundling the candidate...');
    const run = await runCheck({
      selection,
      candidate: candidateOptions(flags),
      concurrency: flags.concurrency,
      parallel: flags.parallel,
      shard: flags.shard,
      cacheDir: flags.cacheDir,
      signal,
      partialOnServerLoss: true,
      failOnEmpty: flags.failOnEmpty,
      onProgress: (p) => {
        if (p.phase === 'replaying') {
          spinner.update(`replayed ${p.checked}${p.total !== undefined ? `/${p.total}` : ''} (${p.incompatible} not compatible)`);
        }
      },
    }).catch((err: unknown) => {
      spinner.fail();
      throw err instanceof SelectionError ? new UsageError(err.message, 'see `safe-deploy check --help`') : err;
    });
    spinner.stop();

    const { report } = run;
    await writeCheckReports(report, flags);
    if (run.fetchStats.fromCache > 0) log.info(`${run.fetchStats.fromCache} histories came from the cache, ${run.fetchStats.downloaded} were downloaded`);

    if (report.serverLost) {
      // An error, not a log line: it is printed under --output json too.
      process.stderr.write(`error: the server was lost part-way: ${report.serverLost.notChecked} executions were not checked: ${report.serverLost.message}\n`);
      if (report.serverLost.hint) process.stderr.write(`hint: ${report.serverLost.hint}\n`);
    }
    if (report.interrupted) log.warn(`interrupted: ${report.interrupted.notChecked} executions were not checked`);
    const unchecked = report.unchecked ?? [];
    for (const u of unchecked) process.stderr.write(`error: ${u.message}\n`);
    for (const hint of new Set(unchecked.flatMap((u) => (u.hint ? [u.hint] : [])))) process.stderr.write(`hint: ${hint}\n`);
    const files = unchecked.filter((u) => u.reason === 'unloadable').length;
    if (files > 0) process.stderr.write(`hint: ${files} history file(s) could not be loaded and were not checked; fix or remove them and run again\n`);
    return checkExitCode(report);
  } finally {
    await temporal?.close();
  }
}

import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { loadProjectConfig } from '../config/load.js';
import { CONFIG_FILE_NAME, policyTypesFromConfig } from '../core/config.js';
import type { PlanPolicy } from '../core/plan.js';
import { ExitCode, UsageError } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { createLog, type OutputFormat } from '../log.js';
import type { ConnectionFlags } from '../temporal/connection.js';
import { addReplayOptions } from './check.js';
import { collect, outputOption, parsePositiveInt, type CommandContext } from './common.js';
import { addCandidateOptions, addConnectionOptions, candidateOptions, connectionFlags, hasCandidate, type CandidateFlags } from './options.js';
import type { Shard } from '../core/shard.js';
import { assertWritableFolders, assertWritableOutputs } from '../util/output-path.js';

export interface PolicyFlags {
  onAutoUpgradeFailure: 'protect' | 'block';
  longRunningType?: string[];
  keepPinnedType?: string[];
  nudgeSignal: string;
  /** `--config FILE`; false for `--no-config`. Only its policy keys apply here. */
  config?: string | false;
}

export interface PlanFlags extends ConnectionFlags, CandidateFlags, PolicyFlags {
  deployment: string;
  taskQueue?: string;
  workflowType?: string[];
  query?: string;
  limit?: number;
  concurrency: number;
  parallel: number;
  shard?: Shard;
  cacheDir?: string;
  out: string;
  checkReport?: string;
  output: OutputFormat;
}

export function addPolicyOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--on-auto-upgrade-failure <policy>', 'an AUTO_UPGRADE execution that fails replay: protect it, or block the deploy')
        .choices(['protect', 'block'])
        .default('protect'),
    )
    .option('--long-running-type <type>', 'a long-running workflow type, nudged after the rollout when it fails replay (repeatable; default: the config\'s "longRunningTypes")', collect)
    .option('--keep-pinned-type <type>', 'a workflow type that always stays PINNED: never upgraded or nudged, even when it replays cleanly (repeatable; default: the config\'s "keepPinnedTypes")', collect)
    .option('--nudge-signal <name>', 'signal that wakes a long-running execution', 'wake_up')
    .option('--config <file>', `project config whose "longRunningTypes" and "keepPinnedTypes" apply (default: ${CONFIG_FILE_NAME} or the "safe-deploy" key of package.json, searched upward to the git root)`)
    .option('--no-config', 'ignore the project config');
}

/** The policy from the flags, with the lists the command line left out taken from the project config. */
export function policyFrom(flags: PolicyFlags, cwd: string = process.cwd()): PlanPolicy {
  const config = loadProjectConfig({ cwd, explicit: flags.config });
  return { onAutoUpgradeFailure: flags.onAutoUpgradeFailure, ...policyTypesFromConfig(flags, config), nudgeSignal: flags.nudgeSignal };
}

export function registerPlan(program: Command, ctx: CommandContext): void {
  const command = program
    .command('plan')
    .summary('check, then decide per execution: upgrade, protect, keep pinned, nudge; write a plan file')
    .description(
      'Replay the running executions of a Worker Deployment against the candidate, read each execution\'s versioning state (behavior, version, override), and decide by the decision table. Writes the plan (with a receipt per execution: run ID, last event ID, verdict, bundle hash) for `safe-deploy apply`. Changes nothing. Exit 1 when the plan blocks the deploy.',
    )
    .requiredOption('--deployment <name>', 'the Worker Deployment')
    .option('--task-queue <name>', 'only executions on this task queue')
    .option('--workflow-type <type>', 'only this workflow type (repeatable)', collect)
    .option('--query <visibility-query>', 'raw visibility query, ANDed')
    .option('--limit <n>', 'plan at most n executions', parsePositiveInt)
    .option('--out <file>', 'where to write the plan', 'safe-deploy-plan.json')
    .option('--check-report <file>', 'also write the check behind the plan as JSON (as `check --output json`; for `safe-deploy merge`)');
  addPolicyOptions(command);
  addCandidateOptions(command, { requireBuildId: true });
  addReplayOptions(command);
  addConnectionOptions(command);
  command
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
Examples:
  safe-deploy plan --deployment research-agent --candidate-build-id v2 --workflows ./src/workflows.ts --long-running-type ResearchPollingWorkflow --out plan.json
  safe-deploy plan --deployment research-agent --candidate-build-id v2 --workflows ./src/workflows.ts --shard 2/4 --out plan-2.json --check-report report-2.json`,
    )
    .action(async (flags: PlanFlags) => ctx.setExitCode(await plan(flags)));
}

async function plan(flags: PlanFlags): Promise<number> {
  const log = await createLog({ output: flags.output });
  if (!hasCandidate(flags)) throw new UsageError('no candidate given', 'pass --workflows PATH or --bundle FILE');
  assertWritableOutputs([['--out', flags.out], ['--check-report', flags.checkReport]]);
  assertWritableFolders([['--cache-dir', flags.cacheDir]]);
  const { runPlan } = await import('../pipeline/plan.js');
  const { reportPlan } = await import('../reporters/plan.js');
  const { connect, resolveConnection } = await import('../temporal/connection.js');
  const temporal = await connect(resolveConnection(connectionFlags(flags)));
  try {
    const spinner = log.progress('checking the running executions...');
    const { plan: result, check } = await runPlan({
      temporal,
      deployment: flags.deployment,
      buildId: flags.candidateBuildId as string,
      policy: policyFrom(flags),
      candidate: candidateOptions(flags),
      taskQueue: flags.taskQueue,
      workflowTypes: flags.workflowType,
      query: flags.query,
      limit: flags.limit,
      concurrency: flags.concurrency,
      parallel: flags.parallel,
      shard: flags.shard,
      cacheDir: flags.cacheDir,
      out: flags.out,
      signal: interruptSignal(),
    }).finally(() => spinner.stop());
    if (flags.checkReport) writeFileSync(flags.checkReport, (await import('../reporters/check-json.js')).renderCheckJson(check.report));
    if (!result) {
      log.warn('interrupted: no plan written');
      return ExitCode.interrupted;
    }
    await reportPlan(flags.output, result, flags.out);
    return result.tally.actions.block ? ExitCode.gateFailed : ExitCode.ok;
  } finally {
    await temporal.close();
  }
}

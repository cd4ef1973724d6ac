import type { Command } from 'commander';
import { ExitCode, UsageError } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { createLog, type OutputFormat } from '../log.js';
import type { ConnectionFlags } from '../temporal/connection.js';
import { addRolloutGateOptions, parseNonNegativeInt, type RolloutGateFlags } from './apply.js';
import { addReplayOptions } from './check.js';
import { durationOption, outputOption, parsePositiveInt, type CommandContext } from './common.js';
import { addCandidateOptions, addConnectionOptions, candidateOptions, connectionFlags, hasCandidate, type CandidateFlags } from './options.js';
import { addPolicyOptions, policyFrom, type PolicyFlags } from './plan.js';
import { assertWritableFolders, assertWritableOutputs } from '../util/output-path.js';

interface DeployFlags extends ConnectionFlags, CandidateFlags, PolicyFlags, RolloutGateFlags {
  deployment: string;
  rollout?: string;
  rerunRollout?: boolean;
  directMax?: number;
  rps?: number;
  nudgeConfirmTimeout: number;
  nudgeRps: number;
  planOut?: string;
  journal?: string;
  watch?: number;
  concurrency: number;
  parallel: number;
  cacheDir?: string;
  dryRun?: boolean;
  newDeployment?: boolean;
  output: OutputFormat;
}

export function registerDeploy(program: Command, ctx: CommandContext): void {
  const command = program
    .command('deploy')
    .summary('the merge pipeline: check -> plan -> protect -> rollout -> promote -> upgrade -> nudge [-> watch]')
    .description(
      'Replay the running executions against the candidate and plan; stop (exit 1) if the plan blocks. Otherwise protect AUTO_UPGRADE executions that would break, run the --rollout command, wait for or promote the candidate, give the compatible PINNED executions auto_upgrade, and wake the long-running ones that must continue-as-new onto it. One summary at the end.',
    )
    .requiredOption('--deployment <name>', 'the Worker Deployment')
    .option('--rollout <command>', 'shell command that rolls out the candidate workers (e.g. helm upgrade --install ... --wait)')
    .option('--rerun-rollout', 'run the rollout again even if an earlier run of this deploy (same plan) recorded it done')
    .option('--direct-max <n>', 'apply: chunks of more than n changes go out as one batch job each (default: every change one by one; 0: always batch)', parseNonNegativeInt)
    .option('--rps <n>', 'apply: changes per second sent one by one (a batch job runs at the server\'s own pace)', parsePositiveInt)
    .option('--nudge-confirm-timeout <duration>', 'how long to wait for nudged executions to move', durationOption, 120_000)
    .option('--nudge-rps <n>', 'nudge signals per second', parsePositiveInt, 10)
    .option('--plan-out <file>', 'where to keep the plan (default: safe-deploy-plan-<build-id>.json)')
    .option('--journal <file>', 'apply journal (default: <plan>.journal.jsonl)')
    .option('--watch <duration>', 'last step: watch the executions this long, pin back those whose tasks fail on the candidate (see `safe-deploy watch`)', durationOption)
    .option('--new-deployment', 'the first deploy of a Worker Deployment the server does not know yet (no worker of it has polled): nothing runs on it, so nothing is checked; without it an unknown deployment is exit 2')
    .option('--dry-run', 'check and plan only: change nothing, run no rollout');
  addRolloutGateOptions(command);
  addPolicyOptions(command);
  addCandidateOptions(command, { requireBuildId: true });
  addReplayOptions(command);
  addConnectionOptions(command);
  command
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
Example:
  safe-deploy deploy --deployment research-agent --candidate-build-id "$GIT_SHA" --workflows ./src/workflows.ts \\
    --long-running-type ResearchPollingWorkflow --rollout "helm upgrade --install agent ./chart --set buildId=$GIT_SHA --wait" --promote --watch 10m

  # The very first deploy, before any worker of the deployment exists:
  safe-deploy deploy --deployment research-agent --candidate-build-id "$GIT_SHA" --workflows ./src/workflows.ts \\
    --new-deployment --rollout "helm upgrade --install agent ./chart --set buildId=$GIT_SHA --wait" --promote`,
    )
    .action(async (flags: DeployFlags) => ctx.setExitCode(await deploy(flags)));
}

async function deploy(flags: DeployFlags): Promise<number> {
  const log = await createLog({ output: flags.output });
  if (!hasCandidate(flags)) throw new UsageError('no candidate given', 'pass --workflows PATH or --bundle FILE');
  if (flags.promote && flags.waitForCurrent) throw new UsageError('--promote and --wait-for-current both given', 'promote it yourself, or wait for another manager to');
  const planPath = flags.planOut ?? `safe-deploy-plan-${flags.candidateBuildId}.json`;
  const journalPath = flags.journal ?? `${planPath}.journal.jsonl`;
  assertWritableOutputs([['--plan-out', planPath], ['--journal', journalPath]]);
  assertWritableFolders([['--cache-dir', flags.cacheDir]]);
  const { runDeploy } = await import('../pipeline/deploy.js');
  const { reportDeploy } = await import('../reporters/deploy.js');
  const { connect, resolveConnection } = await import('../temporal/connection.js');
  const temporal = await connect(resolveConnection(connectionFlags(flags)));
  try {
    const report = await runDeploy({
      temporal,
      deployment: flags.deployment,
      buildId: flags.candidateBuildId as string,
      candidate: candidateOptions(flags),
      policy: policyFrom(flags),
      rollout: flags.rollout,
      rerunRollout: flags.rerunRollout,
      directMax: flags.directMax,
      rps: flags.rps,
      promote: flags.promote,
      waitForCurrent: flags.waitForCurrent,
      ramp: flags.ramp,
      rampIntervalMs: flags.rampInterval,
      timeoutMs: flags.timeout,
      nudgeConfirmTimeoutMs: flags.nudgeConfirmTimeout,
      nudgeRps: flags.nudgeRps,
      planPath,
      journalPath,
      watchMs: flags.watch,
      dryRun: flags.dryRun,
      newDeployment: flags.newDeployment,
      concurrency: flags.concurrency,
      parallel: flags.parallel,
      cacheDir: flags.cacheDir,
      signal: interruptSignal(),
      log,
    });
    reportDeploy(flags.output, report);
    switch (report.verdict) {
      case 'deployed':
      case 'dry-run':
        return ExitCode.ok;
      case 'blocked':
      case 'broke':
        return ExitCode.gateFailed;
      case 'interrupted':
        return ExitCode.interrupted;
      case 'failed':
        return report.error?.exitCode ?? ExitCode.infrastructure;
    }
  } finally {
    await temporal.close();
  }
}

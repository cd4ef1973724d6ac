import type { Command } from 'commander';
import { DEFAULT_DESCRIBE_CONCURRENCY } from '../core/status.js';
import { ExitCode } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { createLog, type OutputFormat } from '../log.js';
import type { ConnectionFlags, TemporalHandle } from '../temporal/connection.js';
import { collect, outputOption, parsePositiveInt, type CommandContext } from './common.js';
import { addConnectionOptions, connectionFlags } from './options.js';

export interface StatusFlags extends ConnectionFlags {
  deployment: string;
  limit?: number;
  concurrency: number;
  overrides?: boolean;
  journal?: string[];
  output: OutputFormat;
  verbose?: boolean;
}

export function registerStatus(program: Command, ctx: CommandContext): void {
  const command = program
    .command('status')
    .summary("show a deployment's versions and its running executions per version, behavior and override")
    .description(
      "Show a Worker Deployment's versions (current, ramping, draining, drained, inactive) and count its running executions per version x effective versioning behavior x override. Each execution is described (visibility does not carry overrides), so this reads; it changes nothing. Exit codes: 0 shown, 2 usage error or unknown deployment, 3 Temporal unreachable, 130 interrupted.",
    )
    .requiredOption('--deployment <name>', 'the Worker Deployment')
    .option('--limit <n>', 'describe at most n running executions', parsePositiveInt)
    .option('--concurrency <n>', 'executions described at once', parsePositiveInt, DEFAULT_DESCRIBE_CONCURRENCY)
    .option('--overrides', 'the override ledger instead: every override on a running execution, who set it, when, why, still needed?')
    .option('--journal <file>', 'with --overrides: a journal of apply / watch / rollback that explains them (repeatable)', collect);
  addConnectionOptions(command);
  command
    .addOption(outputOption())
    .option('--verbose', 'more logs on stderr')
    .addHelpText(
      'after',
      `
Examples:
  safe-deploy status --deployment research-agent
  safe-deploy status --deployment research-agent --overrides --journal safe-deploy-plan-v2.json.journal.jsonl
  safe-deploy status --deployment research-agent --address temporal.example.com:7233 --namespace prod --limit 1000 --output json`,
    )
    .action(async (flags: StatusFlags) => ctx.setExitCode(await status(flags)));
}

export async function status(flags: StatusFlags): Promise<number> {
  if (flags.overrides) return ledger(flags);
  const log = await createLog({ output: flags.output, verbose: flags.verbose });
  const { runStatus } = await import('../pipeline/status.js');
  const { connect, resolveConnection } = await import('../temporal/connection.js');
  let temporal: TemporalHandle | undefined;
  try {
    temporal = await connect(resolveConnection(connectionFlags(flags)));
    const spinner = log.progress(`describing ${flags.deployment}...`);
    const report = await runStatus({
      temporal,
      deployment: flags.deployment,
      limit: flags.limit,
      concurrency: flags.concurrency,
      signal: interruptSignal(),
      onProgress: (described, total) => spinner.update(`described ${described}/${total} running executions`),
    }).finally(() => spinner.stop());
    if (flags.output === 'json') (await import('../reporters/status-json.js')).reportStatusJson(report);
    else (await import('../reporters/status-text.js')).reportStatusText(report, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
    return ExitCode.ok;
  } finally {
    await temporal?.close();
  }
}

async function ledger(flags: StatusFlags): Promise<number> {
  await createLog({ output: flags.output, verbose: flags.verbose });
  const { buildLedger } = await import('../pipeline/overrides.js');
  const { reportLedger } = await import('../reporters/overrides.js');
  const { connect, resolveConnection } = await import('../temporal/connection.js');
  const temporal = await connect(resolveConnection(connectionFlags(flags)));
  try {
    reportLedger(flags.output, await buildLedger({ temporal, deployment: flags.deployment, journals: flags.journal, signal: interruptSignal() }));
    return ExitCode.ok;
  } finally {
    await temporal.close();
  }
}

import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { createLog, type OutputFormat } from '../log.js';
import type { ConnectionFlags } from '../temporal/connection.js';
import { collect, outputOption, parsePositiveInt, type CommandContext } from './common.js';
import { addConnectionOptions, connectionFlags } from './options.js';
import { assertWritableOutputs } from '../util/output-path.js';

interface ClearFlags extends ConnectionFlags {
  deployment: string;
  notNeeded?: boolean;
  journal?: string;
  from?: string[];
  rps: number;
  dryRun?: boolean;
  output: OutputFormat;
}

export function registerOverrides(program: Command, ctx: CommandContext): void {
  const group = program
    .command('overrides')
    .summary('the versioning overrides safe-deploy set (list them: status --overrides)')
    .addHelpText('after', '\nExamples:\n  safe-deploy status --deployment research-agent --overrides\n  safe-deploy overrides clear --deployment research-agent --not-needed --dry-run\n');
  const command = group
    .command('clear')
    .summary('clear the overrides safe-deploy set that no longer do anything')
    .description(
      "Read the override ledger (as `status --overrides`) and clear the overrides set by safe-deploy that are no longer needed, e.g. auto_upgrade on an execution already on the current version with nothing older to leave. Never touches an override another identity set. Each clear is read back and journaled.",
    )
    .requiredOption('--deployment <name>', 'the Worker Deployment')
    .requiredOption('--not-needed', 'clear only those that are not needed (required: the only mode)')
    .option('--from <journal>', 'journal of apply / watch / rollback that explains the overrides (repeatable)', collect)
    .option('--journal <file>', 'journal file (default: safe-deploy-overrides-<deployment>.journal.jsonl)')
    .option('--rps <n>', 'requests per second to the server', parsePositiveInt, 20)
    .option('--dry-run', 'list what would be cleared; clear nothing');
  addConnectionOptions(command);
  command
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  safe-deploy overrides clear --deployment research-agent --not-needed --dry-run\n  safe-deploy overrides clear --deployment research-agent --not-needed --output json\n')
    .action(async (flags: ClearFlags) => ctx.setExitCode(await clear(flags)));
}

async function clear(flags: ClearFlags): Promise<number> {
  await createLog({ output: flags.output });
  if (!flags.dryRun) assertWritableOutputs([['--journal', flags.journal]]);
  const { clearNotNeeded } = await import('../pipeline/overrides.js');
  const { reportClear } = await import('../reporters/overrides.js');
  const { connect, resolveConnection } = await import('../temporal/connection.js');
  const temporal = await connect(resolveConnection(connectionFlags(flags)));
  try {
    const r = await clearNotNeeded({
      temporal,
      deployment: flags.deployment,
      journals: flags.from,
      rps: flags.rps,
      dryRun: flags.dryRun,
      journalPath: flags.journal ?? `safe-deploy-overrides-${flags.deployment}.journal.jsonl`,
      signal: interruptSignal(),
    });
    reportClear(flags.output, r);
    return r.cleared.some((c) => c.status === 'failed') ? ExitCode.infrastructure : ExitCode.ok;
  } finally {
    await temporal.close();
  }
}

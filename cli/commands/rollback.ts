import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { createLog, type OutputFormat } from '../log.js';
import type { ConnectionFlags } from '../temporal/connection.js';
import { outputOption, parsePositiveInt, type CommandContext } from './common.js';
import { addConnectionOptions, connectionFlags } from './options.js';
import { assertWritableOutputs } from '../util/output-path.js';

interface RollbackFlags extends ConnectionFlags {
  deployment: string;
  to?: string;
  rps: number;
  journal?: string;
  dryRun?: boolean;
  output: OutputFormat;
}

export function registerRollback(program: Command, ctx: CommandContext): void {
  const command = program
    .command('rollback')
    .summary('make the previous version current again; keep on the candidate what already ran its code')
    .description(
      'Make the previous version current again, safely. Executions that already ran candidate code (a workflow task completed on it) cannot go back: the AUTO_UPGRADE ones are pinned to the candidate first. Those upgraded that never ran it are returned: our auto_upgrade overrides are cleared. Then the previous version is set current with the conflict token; a deployment managed by another identity is refused. Journaled; a re-run resumes.',
    )
    .requiredOption('--deployment <name>', 'the Worker Deployment')
    .option('--to <build-id>', 'the version to make current (default: the one that was current last)')
    .option('--rps <n>', 'requests per second to the server', parsePositiveInt, 20)
    .option('--journal <file>', 'journal file (default: safe-deploy-rollback-<deployment>.journal.jsonl)')
    .option('--dry-run', 'print the rollback report; change nothing');
  addConnectionOptions(command);
  command
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  safe-deploy rollback --deployment research-agent --dry-run\n  safe-deploy rollback --deployment research-agent --to v1 --output json\n')
    .action(async (flags: RollbackFlags) => ctx.setExitCode(await rollback(flags)));
}

async function rollback(flags: RollbackFlags): Promise<number> {
  const log = await createLog({ output: flags.output });
  if (!flags.dryRun) assertWritableOutputs([['--journal', flags.journal]]);
  const { runRollback } = await import('../pipeline/rollback.js');
  const { reportRollback } = await import('../reporters/rollback.js');
  const { connect, resolveConnection } = await import('../temporal/connection.js');
  const temporal = await connect(resolveConnection(connectionFlags(flags)));
  try {
    const report = await runRollback({
      temporal,
      deployment: flags.deployment,
      toBuildId: flags.to,
      dryRun: flags.dryRun,
      rps: flags.rps,
      journalPath: flags.journal ?? `safe-deploy-rollback-${flags.deployment}.journal.jsonl`,
      signal: interruptSignal(),
      onStep: (m) => log.info(m),
    });
    reportRollback(flags.output, report);
    return report.verdict === 'failed' ? ExitCode.infrastructure : ExitCode.ok;
  } finally {
    await temporal.close();
  }
}

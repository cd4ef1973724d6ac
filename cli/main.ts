/**
 * The commander program. Wires commands and is the one place where errors become exit codes:
 * SafeDeployError -> its code with a hint; commander usage errors -> 2; anything else -> 4.
 *
 * Registering a command (flags, help, flag validation) imports only light modules; each action
 * loads its pipeline, reporters and temporal/* with `await import(...)` when it runs. Loading them
 * all up front (@temporalio/client and proto ~175 ms, execa ~75 ms, ora ~55 ms) made `--version`
 * and `--help` take ~0.40 s on a 2-core machine; lazily, ~0.10 s. test/unit/lazy-imports.test.ts
 * keeps it so. An error thrown by a lazily loaded module rejects the action as before, so it still
 * reaches reportError below.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerApply } from './commands/apply.js';
import { registerCheck } from './commands/check.js';
import { registerDeploy } from './commands/deploy.js';
import { registerHistories } from './commands/histories.js';
import { registerHook } from './commands/hook.js';
import { registerInit } from './commands/init.js';
import { registerMerge } from './commands/merge.js';
import { registerNudge } from './commands/nudge.js';
import { registerStatus } from './commands/status.js';
import { registerDevServer } from './commands/dev-server.js';
import { registerPlan } from './commands/plan.js';
import { registerOverrides } from './commands/overrides.js';
import { registerRollback } from './commands/rollback.js';
import { registerWatch } from './commands/watch.js';
import type { CommandContext } from './commands/common.js';
import { ExitCode, SafeDeployError } from './errors.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('safe-deploy')
    .description(
      'Gate deploys of Temporal workflow code: replay the running executions against the candidate build, upgrade the ones that replay cleanly, keep the others pinned, wake the long-running ones.',
    )
    .version(version, '-V, --version')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for the options and an example)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) })
    .addHelpText('after', '\nExamples:\n  safe-deploy check --deployment research-agent --workflows ./src/workflows.ts\n  safe-deploy dev-server --port 7233\n');
  registerCheck(program, ctx);
  registerMerge(program, ctx);
  registerStatus(program, ctx);
  registerNudge(program, ctx);
  registerPlan(program, ctx);
  registerApply(program, ctx);
  registerDeploy(program, ctx);
  registerWatch(program, ctx);
  registerRollback(program, ctx);
  registerOverrides(program, ctx);
  registerDevServer(program, ctx);
  registerHook(program, ctx);
  registerInit(program, ctx);
  registerHistories(program, ctx);
  // Subcommands too (`histories pull`): every usage error reaches reportError.
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  program.commands.forEach(override);
  return program;
}

export async function run(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram({ setExitCode: (code) => void (exitCode = Math.max(exitCode, code)) });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // help and --version arrive here too, with exit code 0
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (err instanceof SafeDeployError) {
    process.stderr.write(`error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    return err.exitCode;
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`internal error: ${detail}\n`);
  process.stderr.write('hint: this is a bug in safe-deploy; please open an issue with the output above\n');
  return ExitCode.internal;
}

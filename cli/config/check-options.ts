/** The project config as `check` sees it: its options, and its flags filled in from the config. */
import { type Command } from 'commander';
import { applyConfigToCheck, CONFIG_FILE_NAME, ConfigError, type CheckConfigFlags } from '../core/config.js';
import { UsageError } from '../errors.js';
import { createLog, type OutputFormat } from '../log.js';
import { loadProjectConfig } from './load.js';

export interface ProjectConfigFlags {
  /** `--config FILE`; false for `--no-config`. */
  config?: string | false;
  offline?: boolean;
}

export function addProjectConfigOptions(command: Command): Command {
  return command
    .option('--config <file>', `project config (default: ${CONFIG_FILE_NAME}, or the "safe-deploy" key of package.json, searched upward to the git root)`)
    .option('--no-config', 'ignore the project config')
    .option('--offline', `check the config's "histories" even though it names live executions`)
    .addHelpText(
      'after',
      `
Project config:
  Flags not given come from ${CONFIG_FILE_NAME} (nearest one, from here up to the git root), else from the
  "safe-deploy" key of the nearest package.json; --config FILE names one, --no-config ignores it.
  Precedence: flags > TEMPORAL_* environment > config file > Temporal profile. Paths are relative to the
  config file. Its "histories" are checked when neither the command line nor the config selects live
  executions (deployment, taskQueue, workflowTypes, query), or with --offline. No secrets in it: API keys
  go in TEMPORAL_API_KEY or a Temporal profile.
  safe-deploy check --config ./safe-deploy.config.json --offline`,
    );
}

/** `flags` with the settings the command line left out taken from the project config, if any. */
export async function withProjectConfig<F extends CheckConfigFlags & ProjectConfigFlags & { output?: OutputFormat; verbose?: boolean }>(
  flags: F,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<F> {
  const config = loadProjectConfig({ cwd: options.cwd, explicit: flags.config });
  if (config) (await createLog({ output: flags.output ?? 'text', verbose: flags.verbose })).info(`config: ${config.source}`);
  try {
    return applyConfigToCheck(flags, config, options.env ?? process.env);
  } catch (err) {
    throw err instanceof ConfigError ? new UsageError(err.message, err.hint) : err;
  }
}

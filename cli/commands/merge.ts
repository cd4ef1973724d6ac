import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { checkExitCode, type CheckReport } from '../core/check-report.js';
import { mergeCheckReports, MergeError, mergePlans, parseMergeInput, type MergeInput, type MergePart } from '../core/merge.js';
import type { Plan } from '../core/plan.js';
import { ExitCode, InputError } from '../errors.js';
import { createLog, type OutputFormat } from '../log.js';
import { writeCheckReports } from './check.js';
import { outputOption, type CommandContext } from './common.js';
import { assertWritableOutputs } from '../util/output-path.js';

interface MergeFlags {
  output: OutputFormat;
  junit?: string;
  markdown?: string;
  out: string;
}

const HINT = 'merge the JSON reports (`check --shard i/n --output json`) or the plans (`plan --shard i/n`) of one matrix run, every shard once';

export function registerMerge(program: Command, ctx: CommandContext): void {
  program
    .command('merge <files...>')
    .summary('combine the reports (or plans) of `--shard i/n` runs into one report (or plan)')
    .description(
      'Combine the JSON reports of `check --shard i/n --output json` (or the plans of `plan --shard i/n`) into the one report or plan an unsharded run would have made, with the same verdict rules and every report format check writes. Refuses parts made with different candidates (bundle hash), selections or shard counts, a missing or duplicated shard, and an execution in two shards. Exit codes: reports 0 passed, 1 failed; plans 0 ok, 1 the plan blocks the deploy; 2 the parts cannot be merged.',
    )
    .addOption(outputOption())
    .option('--junit <file>', 'reports: also write a JUnit XML report')
    .option('--markdown <file>', 'reports: also write a markdown report')
    .option('--out <file>', 'plans: where to write the merged plan', 'safe-deploy-plan.json')
    .addHelpText(
      'after',
      `
Examples:
  safe-deploy merge report-1.json report-2.json report-3.json report-4.json --junit report.xml --markdown report.md
  safe-deploy merge plan-1.json plan-2.json plan-3.json plan-4.json --out plan.json`,
    )
    .action(async (files: string[], flags: MergeFlags) => ctx.setExitCode(await merge(files, flags)));
}

function readPart(path: string): MergePart<MergeInput> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`, HINT);
  }
  try {
    return { origin: path, value: parseMergeInput(json) };
  } catch (err) {
    throw new InputError(`${path}: ${(err as Error).message}`, HINT);
  }
}

async function merge(files: string[], flags: MergeFlags): Promise<number> {
  const log = await createLog({ output: flags.output });
  assertWritableOutputs([['--junit', flags.junit], ['--markdown', flags.markdown]]);
  const parts = files.map(readPart);
  const reports: MergePart<CheckReport>[] = [];
  const plans: MergePart<Plan>[] = [];
  for (const { origin, value } of parts) {
    if (value.kind === 'check') reports.push({ origin, value: value.report });
    else plans.push({ origin, value: value.plan });
  }
  if (reports.length > 0 && plans.length > 0) {
    throw new InputError(`${(reports[0] as MergePart<CheckReport>).origin} is a check report and ${(plans[0] as MergePart<Plan>).origin} a plan`, 'merge reports and plans in two calls');
  }
  try {
    if (plans.length > 0) {
      assertWritableOutputs([['--out', flags.out]]); // its default is only written when plans are merged
      const { executions, ...header } = mergePlans(plans);
      const plan = await (await import('../pipeline/plan-file.js')).writePlanFile(flags.out, header, executions);
      await (await import('../reporters/plan.js')).reportPlan(flags.output, plan, flags.out);
      return plan.tally.actions.block ? ExitCode.gateFailed : ExitCode.ok;
    }
    const report = mergeCheckReports(reports);
    await writeCheckReports(report, flags);
    if (report.interrupted) log.warn(`a shard was interrupted: ${report.interrupted.notChecked} executions were not checked`);
    return checkExitCode(report);
  } catch (err) {
    if (err instanceof MergeError) throw new InputError(`cannot merge: ${err.message}`, HINT);
    throw err;
  }
}

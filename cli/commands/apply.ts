import { InvalidArgumentError, Option, type Command } from 'commander';
import { ExitCode, SafeDeployError } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { createLog, type OutputFormat } from '../log.js';
import type { ApplyPhase } from '../pipeline/apply.js';
import type { ConnectionFlags } from '../temporal/connection.js';
import { durationOption, outputOption, parsePercentages, parsePositiveInt, type CommandContext } from './common.js';

export function parseNonNegativeInt(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return n;
}
import { addCandidateOptions, addConnectionOptions, candidateOptions, connectionFlags, hasCandidate, type CandidateFlags } from './options.js';
import { assertWritableOutputs } from '../util/output-path.js';

export interface RolloutGateFlags {
  waitForCurrent?: boolean;
  promote?: boolean;
  ramp?: number[];
  rampInterval: number;
  timeout: number;
}

interface ApplyFlags extends ConnectionFlags, CandidateFlags, RolloutGateFlags {
  phase: ApplyPhase;
  journal?: string;
  chunkSize: number;
  directMax?: number;
  rps?: number;
  dryRun?: boolean;
  output: OutputFormat;
}

export function addRolloutGateOptions(command: Command): Command {
  return command
    .option('--wait-for-current', 'before upgrading, wait until the candidate is current (promoted by someone else)')
    .option('--promote', 'before upgrading, set the candidate current once its workers poll')
    .option('--ramp <percentages>', 'with --promote: ramp steps before current, e.g. 10,50,100', parsePercentages)
    .option('--ramp-interval <duration>', 'time between ramp steps', durationOption, 30_000)
    .option('--timeout <duration>', 'how long to wait for pollers / for the candidate to become current', durationOption, 300_000);
}

export function registerApply(program: Command, ctx: CommandContext): void {
  const command = program
    .command('apply [plan]')
    .summary('carry out a plan: protect failing AUTO_UPGRADE executions, upgrade the compatible PINNED ones')
    .description(
      'Execute a plan written by `safe-deploy plan`. Each execution is described again just before it is changed; one whose history grew since its replay is replayed again (needs --workflows / --bundle) and decided again. Overrides go out one by one (or as batch jobs, --direct-max), are read back, and are journaled: a re-run resumes and never changes an execution twice.',
    )
    .addOption(new Option('--phase <phase>', 'protect (before the candidate is current), upgrade (after), or all').choices(['protect', 'upgrade', 'all']).default('all'))
    .option('--journal <file>', 'journal file (default: <plan>.journal.jsonl)')
    .option('--chunk-size <n>', 'executions per batch operation', parsePositiveInt, 500)
    .option('--direct-max <n>', 'chunks of more than n changes go out as one batch job each, not one by one (default: every change one by one, each right after its re-check; 0: always batch)', parseNonNegativeInt)
    .option('--rps <n>', 'changes per second sent one by one; also sent as a batch job\'s maxOperationsPerSecond, which servers 1.31 and 1.32 do not honour (they run batch jobs at their worker.batcherRPS, 50 a second by default)', parsePositiveInt)
    .option('--dry-run', 'show what would change; change nothing');
  addRolloutGateOptions(command);
  addCandidateOptions(command);
  addConnectionOptions(command);
  command
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  safe-deploy apply plan.json --phase protect\n  safe-deploy apply plan.json --phase upgrade --promote --workflows ./src/workflows.ts --dry-run\n')
    .action(async (planPath: string | undefined, flags: ApplyFlags) => ctx.setExitCode(await apply(planPath ?? 'safe-deploy-plan.json', flags)));
}

async function apply(planPath: string, flags: ApplyFlags): Promise<number> {
  const log = await createLog({ output: flags.output });
  const { readPlanFile } = await import('../pipeline/plan-file.js');
  const source = await readPlanFile(planPath);
  const plan = source.header;
  const journalPath = flags.journal ?? `${planPath}.journal.jsonl`;
  if (!flags.dryRun) assertWritableOutputs([['--journal', journalPath]]);
  const { mergeApplyResults, runApply } = await import('../pipeline/apply.js');
  const { journalEntriesFrom } = await import('../pipeline/journal-file.js');
  const { passRolloutGate, rolloutGate } = await import('../pipeline/promote.js');
  const { reportApply } = await import('../reporters/apply.js');
  const { connect, resolveConnection } = await import('../temporal/connection.js');
  const signal = interruptSignal();
  const temporal = await connect(resolveConnection(connectionFlags(flags)));
  // One set of dry-run records for both runs of --phase all, removed once reported.
  const dryRunRecords = flags.dryRun ? (await import('../pipeline/dry-run-records.js')).DryRunRecords.create() : undefined;
  try {
    const run = (phase: ApplyPhase) =>
      runApply({
        temporal,
        plan: source,
        phase,
        journalPath,
        candidate: hasCandidate(flags) ? candidateOptions(flags) : undefined,
        dryRun: flags.dryRun,
        ...(dryRunRecords && { dryRunRecords }),
        chunkSize: flags.chunkSize,
        directMax: flags.directMax,
        rps: flags.rps,
        signal,
        onBatchProgress: (p) => log.info(`batch ${p.jobId}: ${p.state} ${p.complete}/${p.total}${p.failure ? `, ${p.failure} failed` : ''}`),
        onNote: (m) => log.warn(m),
      });
    const gate = flags.phase === 'all' ? rolloutGate(flags) : undefined;
    let result = await run(gate ? 'protect' : flags.phase);
    if (gate && !result.interrupted && !result.error) {
      let gateFailed = false;
      if (!flags.dryRun) {
        const { deployment, candidate } = plan;
        try {
          await passRolloutGate({ temporal, deployment, buildId: candidate.buildId, gate, ramp: flags.ramp, rampIntervalMs: flags.rampInterval, timeoutMs: flags.timeout, signal, onStep: (m) => log.info(m) });
        } catch (err) {
          if (!(err instanceof SafeDeployError)) throw err;
          gateFailed = true;
          if (signal.aborted) result.interrupted = true;
          else result.error = { message: err.message, ...(err.hint && { hint: err.hint }), exitCode: err.exitCode };
          result.notes.push(`stopped at --${gate}: nothing was upgraded`);
        }
      }
      if (!gateFailed) result = mergeApplyResults(result, await run('upgrade'));
    }
    const dry = result.dryRunRecords;
    await reportApply(
      flags.output,
      plan,
      result,
      {
        entries: dry ? dry.entries.read() : result.journalFrom === undefined ? [] : journalEntriesFrom(journalPath, result.journalFrom),
        wouldChange: { count: dry?.wouldChange.count ?? 0, items: dry ? dry.wouldChange.read() : [] },
      },
      Boolean(flags.dryRun),
      journalPath,
    );
    if (result.interrupted) return ExitCode.interrupted;
    if (result.error) return result.error.exitCode as ExitCode;
    return result.counts.failed > 0 ? ExitCode.infrastructure : ExitCode.ok;
  } finally {
    dryRunRecords?.dispose();
    await temporal.close();
  }
}

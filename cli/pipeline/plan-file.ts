/**
 * A plan file written and read as a stream: plan writes each execution as it is made, and apply
 * holds one chunk of executions at a time, never the whole plan (a plan of 100,000 executions is
 * ~60-80 MB of JSON, several times that once parsed).
 *
 * The file is read through once to validate it all before anything acts on it (the header, then
 * every execution), and again for each pass that acts on it. A file that changes in between is
 * refused: what was validated is what is carried out.
 */
import { createReadStream, createWriteStream, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { finished } from 'node:stream/promises';
import chain from 'stream-chain';
import { parser } from 'stream-json';
import { pick } from 'stream-json/filters/pick.js';
import { replace } from 'stream-json/filters/replace.js';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import { streamValues } from 'stream-json/streamers/stream-values.js';
import { parsePlanHeader, plannedExecutionChecker, PlanFormatError, planTally, type PlanHeader, type PlannedExecution, type PlanSource, type PlanTally } from '../core/plan.js';
import { InputError } from '../errors.js';
import { writeJsonStreamingArrays } from '../util/json-stream.js';

const EXECUTIONS = /^executions$/;
/** What the header pass puts where the executions were: only whether they were an array. */
const ARRAY_MARK = '\u0000array';

/** Tokens, not values: the parser's fast mode (whole strings and numbers, not streamed in parts). */
const tokens = (path: string) => [createReadStream(path), parser({ streamValues: false })];

async function readHeader(path: string): Promise<PlanHeader> {
  const values: unknown[] = [];
  const stream = chain([
    ...tokens(path),
    replace({ filter: EXECUTIONS, replacement: (_stack: unknown, token: { name: string }) => (token.name === 'startArray' ? ARRAY_MARK : 'not an array') }),
    streamValues(),
  ]);
  for await (const item of stream as AsyncIterable<{ value: unknown }>) values.push(item.value);
  const json = values[0] as { executions?: unknown } | undefined;
  const header = parsePlanHeader(values.length === 1 ? json : undefined);
  if (json?.executions !== ARRAY_MARK) throw new PlanFormatError('executions is missing');
  return header;
}

async function* rawExecutions(path: string): AsyncGenerator<unknown> {
  const stream = chain([...tokens(path), pick({ filter: EXECUTIONS }), streamArray()]);
  for await (const item of stream as AsyncIterable<{ value: unknown }>) yield item.value;
}

function notAPlan(path: string, err: unknown): InputError {
  const why = err instanceof PlanFormatError ? err.message : `not JSON: ${(err as Error).message}`;
  return new InputError(`${path}: ${why}`, 'make a new plan with this version of `safe-deploy plan`');
}

const sameFile = (a: Stats, b: Stats) => a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;

/** Reads and validates a plan file, then hands out its executions as a stream, once per pass. */
export async function readPlanFile(path: string): Promise<PlanSource> {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    throw new InputError(`cannot read plan file ${path}`, 'make one with `safe-deploy plan --out FILE`');
  }
  let header: PlanHeader;
  let tally: ReturnType<typeof planTally>;
  try {
    header = await readHeader(path);
    tally = planTally(header.policy);
    const check = plannedExecutionChecker(header.deployment);
    let i = 0;
    for await (const raw of rawExecutions(path)) tally.add(check(raw, i++));
  } catch (err) {
    throw notAPlan(path, err);
  }
  return fileSource(path, stat, header, tally.done());
}

/** A plan file already validated (read through, or written by us) as `stat` says it was. */
function fileSource(path: string, stat: Stats, header: PlanHeader, tally: PlanTally): PlanSource {
  return {
    header,
    tally,
    async *executions() {
      // Before each execution is handed out (a stat is ~2 µs): a file rewritten in place part-way
      // through a pass would otherwise hand out executions nobody validated as a whole.
      const unchanged = (): void => {
        let now: Stats | undefined;
        try {
          now = statSync(path);
        } catch {
          // a file gone is a file changed
        }
        if (!now || !sameFile(stat, now)) {
          throw new InputError(`plan file ${path} changed while apply ran`, 'run apply again: it validates the plan as it is now and resumes from the journal');
        }
      };
      unchanged();
      // Unchanged since the whole file was checked: no execution in it is there twice.
      const check = plannedExecutionChecker(header.deployment, { duplicates: false });
      let i = 0;
      try {
        for await (const raw of rawExecutions(path)) {
          const e = check(raw, i++);
          unchanged();
          yield e;
        }
      } catch (err) {
        throw err instanceof InputError ? err : notAPlan(path, err);
      }
    },
  };
}

/**
 * Writes a plan as its executions come, one per line, counting them as they go: the plan is never
 * held whole. It is written beside `path` and renamed into place when complete, so a run that
 * fails or is stopped part-way leaves the plan that was there, never half of one.
 */
export async function writePlanFile(path: string, header: PlanHeader, executions: AsyncIterable<PlannedExecution> | Iterable<PlannedExecution>): Promise<PlanSource> {
  const partial = `${path}.${process.pid}.partial`;
  const tally = planTally(header.policy);
  async function* counted(): AsyncGenerator<PlannedExecution> {
    for await (const e of executions) {
      tally.add(e);
      yield e;
    }
  }
  const out = createWriteStream(partial);
  // A failure of the file is the user's to fix (exit 2); one of the executions (a describe) is its own.
  let fileError: Error | undefined;
  out.on('error', (err) => (fileError ??= err));
  try {
    await writeJsonStreamingArrays(header, [['executions', counted()]], out);
    out.end();
    await finished(out);
    renameSync(partial, path);
  } catch (err) {
    out.destroy();
    rmSync(partial, { force: true });
    const file = fileError ?? (out.writableFinished ? (err as Error) : undefined);
    if (file) throw new InputError(`cannot write the plan to ${path}: ${file.message}`, 'write it to a folder that exists, has room, and that you can write to');
    throw err;
  }
  return fileSource(path, statSync(path), header, tally.done());
}

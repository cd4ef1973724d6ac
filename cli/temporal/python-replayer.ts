/**
 * Replays histories through a Python candidate: `parallel` replay helper processes in the user's
 * interpreter (a process replays one history at a time on one core, so processes put every core to
 * work). Histories stream to them as protobuf bytes over stdin, verdicts come back over stdout, one
 * JSON line each; no file is written. The same interface as replayAll: items in, results out, in
 * completion order; when `signal` aborts, no new history is sent and the ones in flight finish.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { classifyReplay } from '../core/verdict.js';
import { TemporalError } from '../errors.js';
import { Channel } from '../util/channel.js';
import { REPLAY_HELPER, type PythonCandidate } from './python-candidate.js';
import { historyBytes, withoutHistory, type ReplayedItem, type ReplayItem, type ReplayItemResult } from './replay-item.js';

/** Histories sent to a process ahead of its replay, so it never waits for the next one. */
const IN_FLIGHT_PER_PROCESS = 2;

export interface PythonReplayOptions {
  parallel?: number;
  signal?: AbortSignal;
}

interface Helper {
  child: ChildProcessWithoutNullStreams;
  inFlight: Map<number, ReplayedItem>;
  /** Resolves at the process's exit: with an error if it died with histories unanswered. */
  exited: Promise<Error | undefined>;
}

export async function* replayAllPython(
  candidate: PythonCandidate,
  items: AsyncIterable<ReplayItem> | Iterable<ReplayItem>,
  options: PythonReplayOptions = {},
): AsyncGenerator<ReplayItemResult> {
  let count = Math.max(1, options.parallel ?? 1);
  if (Array.isArray(items)) count = Math.max(1, Math.min(count, items.length));
  const out = new Channel<ReplayItemResult>();
  let wakeDispatcher: (() => void) | undefined;
  const wake = () => {
    const w = wakeDispatcher;
    wakeDispatcher = undefined;
    w?.();
  };
  const helpers = Array.from({ length: count }, () => startHelper(candidate, out, wake));

  const dispatch = async () => {
    const source = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : (items as Iterable<ReplayItem>)[Symbol.iterator]();
    let id = 0;
    for (;;) {
      if (options.signal?.aborted) break;
      const alive = helpers.filter((h) => h.child.exitCode === null && h.child.signalCode === null);
      if (alive.length === 0) break;
      const free = alive.filter((h) => h.inFlight.size < IN_FLIGHT_PER_PROCESS);
      if (free.length === 0) {
        await new Promise<void>((r) => (wakeDispatcher = r));
        continue;
      }
      const next = await source.next();
      if (next.done) break;
      const helper = free.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
      const item = next.value;
      const bytes = historyBytes(item.history);
      helper.inFlight.set(++id, withoutHistory(item));
      const line = `{"id":${id},"workflowId":${JSON.stringify(item.workflowId)},"history":"${Buffer.from(bytes).toString('base64')}"}\n`;
      if (!helper.child.stdin.write(line)) await new Promise((r) => helper.child.stdin.once('drain', r));
    }
    for (const h of helpers) h.child.stdin.end();
    const failure = (await Promise.all(helpers.map((h) => h.exited))).find((e) => e !== undefined);
    if (failure) throw failure;
  };
  dispatch().then(
    () => out.close(),
    (err: unknown) => out.close(err),
  );
  try {
    yield* out;
  } finally {
    for (const h of helpers) if (h.child.exitCode === null) h.child.kill();
  }
}

function startHelper(candidate: PythonCandidate, out: Channel<ReplayItemResult>, onAnswer: () => void): Helper {
  const child = spawn(candidate.python, [REPLAY_HELPER, ...candidate.helperArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  const inFlight = new Map<number, ReplayedItem>();
  const stderrTail: string[] = [];
  // The user's code may print; the SDK logs its errors: both go to our stderr, as the TS path does.
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    process.stderr.write(`[python] ${line}\n`);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { type: string; id?: number; error?: { name: string; message: string } | null };
    if (message.type !== 'result' || message.id === undefined) return;
    const item = inFlight.get(message.id);
    if (!item) return;
    inFlight.delete(message.id);
    out.push({ item, ...classifyReplay(message.error ?? undefined) });
    onAnswer();
  });
  child.stdin.on('error', () => undefined); // a dead helper is reported by its exit below
  const exited = new Promise<Error | undefined>((resolve) => {
    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = new TemporalError(`cannot run the Python replay helper (${candidate.python}): ${err.message}`, 'pass --python PATH');
    });
    child.on('close', (code, signal) => {
      onAnswer();
      if (spawnError) return resolve(spawnError);
      if (inFlight.size === 0 && code === 0) return resolve(undefined);
      resolve(
        new TemporalError(
          `the Python replay helper stopped (${signal ?? `exit ${code}`}) with ${inFlight.size} histories unanswered:\n${stderrTail.slice(-5).join('\n')}`,
          'run the check again; if it repeats, replay one of those histories with your worker code to see why',
        ),
      );
    });
  });
  return { child, inFlight, exited };
}

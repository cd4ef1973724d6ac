/**
 * The apply journal on disk: read it back a line at a time (a torn last line set aside, never
 * appended onto), and this run's entries streamed out again for the report. Its one-writer lock
 * is cli/util/lock-file.ts.
 */
import { appendFileSync, closeSync, createReadStream, existsSync, openSync, readSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { journalKey, journalStep, parseJournalLine, type JournalEntry, type JournalStep } from '../core/journal.js';
import { InputError } from '../errors.js';

export { acquireJournalLock, type JournalLock } from '../util/lock-file.js';

export interface OpenedJournal {
  /** The last step per execution + action (journalKey): one small record each, not the entries. */
  steps: Map<string, JournalStep>;
  /** What was repaired, for the log: a torn line moved aside. */
  notes: string[];
}

function endsWithNewline(path: string, size: number): boolean {
  const fd = openSync(path, 'r');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, size - 1);
    return byte[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the journal and makes it safe to append to; with `readOnly` (a dry run) it changes nothing.
 * Only the last line may be damaged, and only when it has no newline (one write per line): that is
 * a torn write, set aside. A damaged line anywhere else is a corrupt journal.
 */
export async function openJournal(path: string, options: { readOnly?: boolean } = {}): Promise<OpenedJournal> {
  const steps = new Map<string, JournalStep>();
  const notes: string[] = [];
  if (!existsSync(path)) return { steps, notes };
  const size = statSync(path).size;
  if (size === 0) return { steps, notes };
  const corrupt = (line: number, problem: string) =>
    new InputError(`journal ${path} is corrupt at line ${line}: ${problem}`, `only a torn last line is repaired; fix or remove line ${line} of ${path} (every line is one JSON entry)`);
  let line = 0;
  // A damaged line is an error only once another line follows it.
  let damaged: { line: number; text: string; problem: string } | undefined;
  for await (const raw of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    line++;
    if (damaged) throw corrupt(damaged.line, damaged.problem);
    if (!raw.trim()) continue;
    const parsed = parseJournalLine(raw);
    if ('problem' in parsed) damaged = { line, text: raw, problem: parsed.problem };
    else steps.set(journalKey(parsed), journalStep(parsed));
  }
  const newline = endsWithNewline(path, size);
  if (damaged) {
    if (newline) throw corrupt(damaged.line, damaged.problem);
    const aside = `${path}.torn-${Date.now()}`;
    notes.push(`journal ${path}: line ${damaged.line} was cut short by a crash; ${options.readOnly ? 'ignored' : `moved to ${aside}`} (that step is read back from the server again)`);
    if (!options.readOnly) {
      writeFileSync(aside, damaged.text);
      truncateSync(path, size - Buffer.byteLength(damaged.text));
    }
  } else if (!newline && !options.readOnly) appendFileSync(path, '\n');
  return { steps, notes };
}

/**
 * The entries from byte `offset` on (where a run began to append), read a line at a time: a
 * report of 100,000 changes is streamed out of the journal, never held.
 */
export async function* journalEntriesFrom(path: string, offset: number): AsyncGenerator<JournalEntry> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, { start: offset }), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield JSON.parse(line) as JournalEntry;
}

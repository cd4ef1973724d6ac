/**
 * The apply journal on disk: read it back (a torn last line set aside, never appended onto). Its
 * one-writer lock is cli/util/lock-file.ts.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { JournalFormatError, parseApplyJournal, type JournalEntry } from '../core/journal.js';
import { InputError } from '../errors.js';

export { acquireJournalLock, type JournalLock } from '../util/lock-file.js';

export interface OpenedJournal {
  entries: JournalEntry[];
  /** What was repaired, for the log: a torn line moved aside. */
  notes: string[];
}

/** Reads the journal and makes it safe to append to; with `readOnly` (a dry run) it changes nothing. */
export function openJournal(path: string, options: { readOnly?: boolean } = {}): OpenedJournal {
  if (!existsSync(path)) return { entries: [], notes: [] };
  const text = readFileSync(path, 'utf8');
  let parsed;
  try {
    parsed = parseApplyJournal(text);
  } catch (err) {
    if (!(err instanceof JournalFormatError)) throw err;
    throw new InputError(`journal ${path} is corrupt at ${err.message}`, `only a torn last line is repaired; fix or remove line ${err.line} of ${path} (every line is one JSON entry)`);
  }
  const notes: string[] = [];
  if (parsed.torn) {
    const aside = `${path}.torn-${Date.now()}`;
    notes.push(`journal ${path}: line ${parsed.torn.line} was cut short by a crash; ${options.readOnly ? 'ignored' : `moved to ${aside}`} (that step is read back from the server again)`);
    if (!options.readOnly) {
      writeFileSync(aside, parsed.torn.text);
      truncateSync(path, Buffer.byteLength(text.slice(0, parsed.torn.offset)));
    }
  } else if (parsed.missingNewline && !options.readOnly) appendFileSync(path, '\n');
  return { entries: parsed.entries, notes };
}


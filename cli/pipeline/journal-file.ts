/**
 * The journal on disk: read it back (a torn last line set aside, never appended onto), and hold the
 * plan's one-writer lock next to it while applying.
 */
import { appendFileSync, existsSync, openSync, closeSync, readFileSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { JournalFormatError, parseApplyJournal, type JournalEntry } from '../core/journal.js';
import { InputError, UsageError } from '../errors.js';

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

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

export interface JournalLock {
  path: string;
  /** Set when a stale lock of a dead process was taken over. */
  takeover?: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, startedAt: String(h.startedAt) } : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UsageError(`cannot create the lock file ${path}: ${(err as Error).message}`, 'the journal folder must be writable');
  }
  try {
    writeSync(fd, JSON.stringify(holder) + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * One writer per plan: an exclusive lock file `<journal>.lock` holding the PID, host and start
 * time. A lock whose process is gone (same host) is stale and taken over; any other is refused.
 */
export function acquireJournalLock(journalPath: string): JournalLock {
  const path = `${journalPath}.lock`;
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  let takeover: string | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path, me)) {
      return {
        path,
        ...(takeover && { takeover }),
        release() {
          if (readHolder(path)?.pid === me.pid) unlinkSync(path);
        },
      };
    }
    const holder = readHolder(path);
    if (holder && (holder.host !== me.host || alive(holder.pid))) {
      throw new UsageError(
        `the plan is being applied by another safe-deploy (PID ${holder.pid} on ${holder.host}, since ${holder.startedAt}): lock ${path}`,
        holder.host === me.host ? 'wait for it to finish; one writer per plan' : `if that process is gone, remove ${path} and run again`,
      );
    }
    takeover = holder
      ? `took over the lock ${path} of PID ${holder.pid} on ${holder.host} (since ${holder.startedAt}), which is no longer running`
      : `took over the unreadable lock ${path}`;
    try {
      unlinkSync(path);
    } catch {
      // Another run took it over first; the next attempt finds its lock.
    }
  }
  throw new UsageError(`the plan is being applied by another safe-deploy: lock ${path}`, 'wait for it to finish; one writer per plan');
}

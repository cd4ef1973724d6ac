/**
 * One writer per journal: an exclusive lock file `<journal>.lock` holding the owner's PID, host and
 * start time. A lock whose process is gone (same host: a crash, kill -9) is taken over, and the
 * caller told; a live owner's, or one on another host, is refused.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { UsageError } from '../errors.js';

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
    const text = readFileSync(path, 'utf8').trim();
    // A bare PID: a lock written by an earlier version.
    if (/^\d+$/.test(text)) return { pid: Number(text), host: hostname(), startedAt: 'unknown' };
    const h = JSON.parse(text) as Partial<LockHolder>;
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
        `${journalPath} is in use by another safe-deploy (PID ${holder.pid} on ${holder.host}, since ${holder.startedAt}): lock ${path}`,
        holder.host === me.host ? 'wait for it to finish; one writer per journal' : `if that process is gone, remove ${path} and run again`,
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
  throw new UsageError(`${journalPath} is in use by another safe-deploy: lock ${path}`, 'wait for it to finish; one writer per journal');
}

/** The same, for callers that only need to release it (watch, rollback, the override ledger). */
export function acquireLock(journalPath: string): () => void {
  return acquireJournalLock(journalPath).release;
}

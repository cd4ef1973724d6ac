/**
 * One run at a time per journal: `<journal>.lock` holds the owner's PID. A lock left by a process
 * that is gone (a crash, kill -9) is taken over; a live owner's is refused.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { UsageError } from '../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Returns the release function. */
export function acquireLock(journalPath: string): () => void {
  const path = `${journalPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new UsageError(`${journalPath} is in use by process ${owner}`, 'wait for that run to finish, or stop it; a re-run resumes from the journal');
      }
      rmSync(path, { force: true });
    }
  }
  throw new UsageError(`cannot lock ${journalPath}`, `remove ${path} if no safe-deploy run is using it`);
}

/**
 * Files a command will write, checked before it starts: a check of 10,000 executions should not
 * run to its end and then fail on a misspelt folder, as an internal error.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

const HINT = 'pass a file path in a folder that exists and that you can write to';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Each `[flag, path]` whose path is given must be a file that can be written (made or replaced). */
export function assertWritableOutputs(outputs: [flag: string, path: string | undefined][]): void {
  for (const [flag, path] of outputs) {
    if (path === undefined) continue;
    const folder = dirname(resolve(path));
    const folderStat = statOrUndefined(folder);
    if (!folderStat) throw new UsageError(`${flag} ${path}: the folder ${folder} does not exist`, HINT);
    if (!folderStat.isDirectory()) throw new UsageError(`${flag} ${path}: ${folder} is not a folder`, HINT);
    const fileStat = statOrUndefined(path);
    if (fileStat?.isDirectory()) throw new UsageError(`${flag} ${path} is a folder, not a file`, HINT);
    if (!writable(fileStat ? path : folder)) throw new UsageError(`${flag} ${path}: ${fileStat ? 'the file' : `the folder ${folder}`} is not writable`, HINT);
  }
}

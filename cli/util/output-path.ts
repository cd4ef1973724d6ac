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

/** Each `[flag, path]` whose path is given must be a folder, or a path where one can be made. */
export function assertWritableFolders(folders: [flag: string, path: string | undefined][]): void {
  for (const [flag, path] of folders) {
    if (path === undefined) continue;
    // The nearest part of the path that exists must be a writable folder (the rest is made).
    let existing = resolve(path);
    let st = statOrUndefined(existing);
    while (!st && dirname(existing) !== existing) {
      existing = dirname(existing);
      st = statOrUndefined(existing);
    }
    if (!st?.isDirectory()) throw new UsageError(`${flag} ${path}: ${existing} is a file, not a folder`, 'pass a folder, or a path where one can be made');
    if (!writable(existing)) throw new UsageError(`${flag} ${path}: the folder ${existing} is not writable`, 'pass a folder you can write to');
  }
}

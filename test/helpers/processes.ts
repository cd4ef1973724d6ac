/** Processes a test started, by PID: is one still there, and the PIDs a script wrote to a file. */
import { readFileSync } from 'node:fs';

/** Signal 0 checks that the process exists without touching it. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One PID a line; none while the file does not exist yet. */
export function readPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

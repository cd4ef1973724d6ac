/**
 * The user's rollout command (helm, kubectl, a script...), run through the shell with its output
 * streamed to our stderr: stdout is reserved for safe-deploy's report. It runs in its own process
 * group, so that an interrupt ends the whole tree (the shell and everything it started), not only
 * the shell: SIGTERM to the group, SIGKILL after a grace period, and SIGKILL if we exit while it
 * runs. (What a rollout that succeeded leaves running on purpose, e.g. workers, is left alone.)
 */
import { execa } from 'execa';
import { ExternalCommandError, InterruptedError } from '../errors.js';

export interface RolloutResult {
  command: string;
  durationMs: number;
}

export const ROLLOUT_KILL_GRACE_MS = 5_000;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

export async function runRollout(
  command: string,
  options: { env?: Record<string, string>; signal?: AbortSignal; graceMs?: number } = {},
): Promise<RolloutResult> {
  const started = Date.now();
  if (options.signal?.aborted) throw new InterruptedError(`interrupted before the rollout: ${command}`);
  const child = execa(command, {
    shell: true,
    // Its own process group (the terminal's Ctrl-C reaches only ours; we pass it on to the group).
    detached: true,
    stdin: 'ignore',
    // File descriptor 2: the rollout's stdout goes to our stderr.
    stdout: 2,
    stderr: 'inherit',
    env: options.env,
    reject: false,
  });
  const pid = child.pid;
  let killTimer: NodeJS.Timeout | undefined;
  const onExit = (): void => {
    if (pid) killGroup(pid, 'SIGKILL');
  };
  const onAbort = (): void => {
    if (!pid) return;
    killGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), options.graceMs ?? ROLLOUT_KILL_GRACE_MS);
  };
  process.on('exit', onExit);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let result: { exitCode?: number };
  try {
    result = await child;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    process.off('exit', onExit);
  }
  if (options.signal?.aborted) {
    // The shell may be gone while what it started is still stopping: wait for the group to end.
    if (pid) await waitForGroupGone(pid, options.graceMs ?? ROLLOUT_KILL_GRACE_MS);
    clearTimeout(killTimer);
    throw new InterruptedError(`rollout interrupted: ${command}`);
  }
  clearTimeout(killTimer);
  const exitCode = result.exitCode;
  if (exitCode !== 0) {
    throw new ExternalCommandError(
      `the rollout command failed (exit ${exitCode ?? 'unknown'}): ${command}`,
      'nothing after the rollout was done; see its output above, fix it, and run deploy again (the protect step is journaled and will not repeat)',
    );
  }
  return { command, durationMs: Date.now() - started };
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForGroupGone(pid: number, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs + 1_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
}

/**
 * The user's rollout command (helm, kubectl, a script...), run through the shell with its output
 * streamed to our stderr: stdout is reserved for safe-deploy's report.
 */
import { execa } from 'execa';
import { ExternalCommandError, InterruptedError } from '../errors.js';

export interface RolloutResult {
  command: string;
  durationMs: number;
}

export async function runRollout(command: string, options: { env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<RolloutResult> {
  const started = Date.now();
  const result = await execa(command, {
    shell: true,
    stdin: 'ignore',
    // File descriptor 2: the rollout's stdout goes to our stderr.
    stdout: 2,
    stderr: 'inherit',
    env: options.env,
    reject: false,
    cancelSignal: options.signal,
  }).catch((err: unknown) => err as { exitCode?: number; isCanceled?: boolean; shortMessage?: string });
  if ((result as { isCanceled?: boolean }).isCanceled) throw new InterruptedError(`rollout interrupted: ${command}`);
  const exitCode = (result as { exitCode?: number }).exitCode;
  if (exitCode !== 0) {
    throw new ExternalCommandError(
      `the rollout command failed (exit ${exitCode ?? 'unknown'}): ${command}`,
      'nothing after the rollout was done; see its output above, fix it, and run deploy again (the protect step is journaled and will not repeat)',
    );
  }
  return { command, durationMs: Date.now() - started };
}

/**
 * This very CLI as a child process, in another folder: how the pre-push hook runs `check` in the
 * tree of a pushed commit, so that the config, the candidate and the bundler resolve from there.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../paths.js';

export interface SelfRun {
  exitCode: number;
  /** The child's stdout, when it was captured (else it went to ours). */
  stdout?: string;
}

export async function runSelf(args: string[], options: { cwd: string; env?: Record<string, string>; captureStdout?: boolean }): Promise<SelfRun> {
  const result = await execa(process.execPath, [join(packageRoot(), 'bin', 'safe-deploy.js'), ...args], {
    cwd: options.cwd,
    env: options.env,
    stdin: 'ignore',
    stdout: options.captureStdout ? 'pipe' : 'inherit',
    stderr: 'inherit',
    reject: false,
  });
  return { exitCode: result.exitCode ?? 4, ...(options.captureStdout && { stdout: String(result.stdout) }) };
}

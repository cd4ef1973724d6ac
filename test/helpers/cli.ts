/** Runs the built CLI as a user would: `node bin/safe-deploy.js ...`, never in-process. */
import { join } from 'node:path';
import { execa } from 'execa';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'safe-deploy.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Connection settings must come only from what each test passes: none inherited from the shell. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '', TEMPORAL_API_KEY: '', GITHUB_ACTIONS: '', ...extra };
}

export async function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const r = await execa('node', [BIN, ...args], {
    reject: false,
    env: cliEnv(options.env),
    extendEnv: true,
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 120_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export const sampleWorkflows = (version: 'v1' | 'v2' | 'v3' | 'v4') =>
  join(import.meta.dirname, '..', '..', 'sample-workers', 'research-agent', version, 'workflows.ts');

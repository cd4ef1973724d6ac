/**
 * The git pre-push hook that runs `safe-deploy check` before every push. The hooks folder comes
 * from `git rev-parse --git-path hooks` (so core.hooksPath is respected). Our hook carries
 * HOOK_MARKER; a hook without it is someone else's and is never overwritten without --force, nor
 * removed.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { searchDirs } from './load.js';

export const HOOK_MARKER = '# installed by safe-deploy';
export const HOOK_NAME = 'pre-push';

export interface HookTarget {
  /** The hook file: <hooks dir>/pre-push. */
  path: string;
  /** The working directory relative to the repository root ('' at the root): where the hook runs check. */
  prefix: string;
}

async function git(cwd: string, args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd, reject: false, stdin: 'ignore' });
  if ((r as { code?: string }).code === 'ENOENT') throw new UsageError('git not found', 'install git, or run from a shell where `git` is on PATH');
  if (r.exitCode !== 0) {
    const reason = String(r.stderr).trim().split('\n')[0] ?? '';
    throw new UsageError(`not inside a git working tree (${cwd})${reason ? `: ${reason}` : ''}`, 'run `safe-deploy hook` from inside your repository (git init creates one)');
  }
  return String(r.stdout);
}

export async function locateHook(cwd: string): Promise<HookTarget> {
  const prefix = (await git(cwd, ['rev-parse', '--show-prefix'])).trim();
  const hooksDir = (await git(cwd, ['rev-parse', '--git-path', 'hooks'])).trim();
  return { path: join(resolve(cwd, hooksDir), HOOK_NAME), prefix };
}

export type HookOwner = 'none' | 'safe-deploy' | 'foreign';

export function hookOwner(path: string): HookOwner {
  if (!existsSync(path)) return 'none';
  return readFileSync(path, 'utf8').includes(HOOK_MARKER) ? 'safe-deploy' : 'foreign';
}

/** Whether the nearest package.json (up to the git root) lists safe-deploy as a dependency. */
export function isDependency(cwd: string): boolean {
  for (const dir of searchDirs(cwd)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (pkg.name === 'safe-deploy') return false;
      return ['dependencies', 'devDependencies', 'optionalDependencies'].some((field) => {
        const deps = pkg[field];
        return typeof deps === 'object' && deps !== null && Object.hasOwn(deps, 'safe-deploy');
      });
    } catch {
      return false;
    }
  }
  return false;
}

/** A POSIX shell single-quoted word. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** How the hook invokes the CLI: the project's own install, else this very CLI by absolute path. */
export function hookCommand(options: { dependency: boolean; binPath?: string }): string {
  if (options.dependency) return 'npx --no-install safe-deploy hook pre-push';
  return `node ${shellQuote(options.binPath ?? join(packageRoot(), 'bin', 'safe-deploy.js'))} hook pre-push`;
}

/**
 * The hook script. Pure. git passes the pushed refs on stdin and the remote as arguments; both go
 * through to `safe-deploy hook pre-push`, which checks out each pushed commit and checks that tree.
 */
export function renderHookScript(options: { command: string; prefix: string }): string {
  const cdPrefix = options.prefix ? `cd ${shellQuote(options.prefix)} || exit 1\n` : '';
  return `#!/bin/sh
${HOOK_MARKER} (safe-deploy hook install); \`safe-deploy hook uninstall\` removes it.
# Before each push, checks out the tree of every pushed commit and replays workflow histories
# against the workflow code in it (safe-deploy check, configured by that tree's
# safe-deploy.config.json), not against the working tree; blocks the push if any would break.
# Bypass once: git push --no-verify
cd "$(git rev-parse --show-toplevel)" || exit 1
${cdPrefix}SAFE_DEPLOY_HOOK=1 exec ${options.command} "$@"
`;
}

export type InstallOutcome = 'installed' | 'updated' | 'replaced';

export interface InstallResult {
  path: string;
  outcome: InstallOutcome;
  script: string;
  command: string;
  dryRun: boolean;
}

export async function installHook(options: { cwd: string; force?: boolean; dryRun?: boolean }): Promise<InstallResult> {
  const target = await locateHook(options.cwd);
  const owner = hookOwner(target.path);
  const command = hookCommand({ dependency: isDependency(options.cwd) });
  if (owner === 'foreign' && !options.force) {
    throw new UsageError(
      `${target.path} exists and was not installed by safe-deploy`,
      `pass --force to replace it (its content is lost), or call \`${command}\` from that hook yourself`,
    );
  }
  const script = renderHookScript({ command, prefix: target.prefix });
  const outcome: InstallOutcome = owner === 'none' ? 'installed' : owner === 'safe-deploy' ? 'updated' : 'replaced';
  if (!options.dryRun) {
    mkdirSync(dirname(target.path), { recursive: true });
    writeFileSync(target.path, script, { mode: 0o755 });
    chmodSync(target.path, 0o755);
  }
  return { path: target.path, outcome, script, command, dryRun: Boolean(options.dryRun) };
}

export type UninstallOutcome = 'removed' | 'absent' | 'foreign';

export interface UninstallResult {
  path: string;
  outcome: UninstallOutcome;
  dryRun: boolean;
}

/** Removes our hook; leaves a foreign one in place (outcome 'foreign'). */
export async function uninstallHook(options: { cwd: string; dryRun?: boolean }): Promise<UninstallResult> {
  const target = await locateHook(options.cwd);
  const owner = hookOwner(target.path);
  const outcome: UninstallOutcome = owner === 'none' ? 'absent' : owner === 'foreign' ? 'foreign' : 'removed';
  if (outcome === 'removed' && !options.dryRun) rmSync(target.path);
  return { path: target.path, outcome, dryRun: Boolean(options.dryRun) };
}

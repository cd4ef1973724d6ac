/**
 * The tree of a pushed commit, checked out on disk so `safe-deploy check` can run in it instead of
 * in the working tree (which may hold uncommitted changes the push does not carry).
 *
 * Where: a detached `git worktree` under `<git common dir>/safe-deploy/`. Inside the repository's
 * own folder, so Node's upward module lookup from the tree reaches what the working tree reaches
 * above its root (a monorepo's hoisted node_modules); never shown by `git status`; on the same
 * filesystem, so the checkout is fast. A commit carries no node_modules (they are not committed),
 * so every node_modules folder of the working tree on the way from its root down to the project
 * folder is linked into the same place in the tree: the workflows then bundle and replay against
 * the SDK the project has installed, exactly as from the working tree. Hooks are off for the
 * checkout (no post-checkout hook runs); the worktree is removed afterwards (and `git worktree
 * prune` clears one a crash left behind).
 */
import { existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { ExternalCommandError } from '../errors.js';

export interface PushedTree {
  sha: string;
  /** The root of the checked-out tree. */
  root: string;
  /** The project folder inside it: the same prefix the hook runs from in the working tree. */
  projectDir: string;
  /** node_modules folders linked in from the working tree, relative to the tree's root. */
  linkedNodeModules: string[];
  dispose(): Promise<void>;
}

/** Variables git sets for a hook that would point our git commands at the wrong index or tree. */
const HOOK_GIT_VARIABLES = ['GIT_INDEX_FILE', 'GIT_WORK_TREE', 'GIT_PREFIX'];

async function git(cwd: string, args: string[]): Promise<string> {
  const env: Record<string, string | undefined> = {};
  for (const name of HOOK_GIT_VARIABLES) env[name] = undefined;
  const r = await execa('git', args, { cwd, env, reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) {
    throw new ExternalCommandError(`git ${args.join(' ')} failed: ${String(r.stderr).trim().split('\n')[0] ?? ''}`, 'check the repository with `git status`; `git worktree prune` clears a stale worktree');
  }
  return String(r.stdout).trim();
}

/** The working tree's root and the project folder relative to it ('' at the root, else 'a/b/'). */
export async function workingTreeLocation(cwd: string): Promise<{ toplevel: string; prefix: string }> {
  const [toplevel, prefix] = (await git(cwd, ['rev-parse', '--show-toplevel', '--show-prefix'])).split('\n');
  return { toplevel: toplevel ?? cwd, prefix: prefix ?? '' };
}

/** The folders from the root ('') down to `prefix`, e.g. 'a/b/' -> ['', 'a', 'a/b']. */
export function foldersDownTo(prefix: string): string[] {
  const parts = prefix.split('/').filter(Boolean);
  return ['', ...parts.map((_, i) => parts.slice(0, i + 1).join('/'))];
}

export async function checkoutPushedTree(options: { cwd: string; sha: string }): Promise<PushedTree> {
  const { toplevel, prefix } = await workingTreeLocation(options.cwd);
  const commonDir = resolve(toplevel, await git(toplevel, ['rev-parse', '--git-common-dir']));
  const parent = join(commonDir, 'safe-deploy');
  mkdirSync(parent, { recursive: true });
  const root = join(parent, `push-${options.sha.slice(0, 12)}-${process.pid}`);
  await git(toplevel, ['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--detach', '--force', root, options.sha]);
  const linkedNodeModules: string[] = [];
  const dispose = async (): Promise<void> => {
    // The links first, so that removing the worktree can never reach into the real node_modules.
    for (const link of linkedNodeModules) unlinkSync(join(root, link));
    linkedNodeModules.length = 0;
    await git(toplevel, ['worktree', 'remove', '--force', root]).catch(() => undefined);
  };
  try {
    for (const folder of foldersDownTo(prefix)) {
      const from = join(toplevel, folder, 'node_modules');
      const to = join(root, folder, 'node_modules');
      if (!existsSync(from) || !existsSync(join(root, folder)) || lstatExists(to)) continue;
      symlinkSync(from, to, 'dir');
      linkedNodeModules.push(join(folder, 'node_modules'));
    }
    return { sha: options.sha, root, projectDir: join(root, prefix), linkedNodeModules, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A baseline build for the before-and-after benchmarks: a git worktree of a commit, built once. */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './corpus.js';

/** A built checkout of `ref` of the repository at `root`, made once under BENCH_DIR and reused. */
export function baselineTree(root: string, ref: string): { dir: string; sha: string } {
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = join(BENCH_DIR, `baseline-${sha.slice(0, 12)}`);
  const marker = join(dir, '.bench-built');
  if (!existsSync(marker)) {
    console.log(`building the baseline ${sha.slice(0, 12)} in ${dir} (once)...`);
    if (!existsSync(dir)) git('worktree', 'add', '--detach', dir, sha);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(marker, sha + '\n');
  }
  return { dir, sha };
}

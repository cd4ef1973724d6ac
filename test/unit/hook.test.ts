/**
 * `safe-deploy hook install / uninstall` end to end: a real git repository in a temporary folder,
 * a bare repository as its remote, and real pushes that run (or no longer run) the built CLI.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, sampleWorkflows } from '../helpers/cli.js';
import { HOOK_MARKER, hookCommand, renderHookScript } from '../../cli/config/git-hook.js';

const root = join(import.meta.dirname, '..', '..');
const corpus = join(root, 'histories', 'research-agent');

/** Git isolated from the machine's config (a global core.hooksPath would move the hook), with an identity. */
const gitEnv: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@t',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@t',
  GIT_DIR: '',
  GIT_WORK_TREE: '',
};

async function git(cwd: string, args: string[]): Promise<{ exitCode: number; output: string }> {
  const env = Object.fromEntries(Object.entries({ ...process.env, ...gitEnv }).filter(([, v]) => v !== ''));
  const r = await execa('git', args, { cwd, env, extendEnv: false, reject: false, all: true, timeout: 120_000 });
  return { exitCode: r.exitCode ?? -1, output: String(r.all) };
}

async function gitOk(cwd: string, args: string[]): Promise<string> {
  const r = await git(cwd, args);
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed:\n${r.output}`);
  return r.output.trim();
}

const cli = (args: string[], cwd: string) => runCli(args, { cwd, env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });

function writeConfig(repo: string, version: 'v2' | 'v3'): void {
  writeFileSync(join(repo, 'safe-deploy.config.json'), JSON.stringify({ histories: [corpus], workflows: sampleWorkflows(version) }, null, 2) + '\n');
}

/** A repository with one commit on main, and an empty bare remote as origin. */
async function repoWithRemote(): Promise<{ repo: string; remote: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-hook-'));
  const repo = join(dir, 'repo');
  const remote = join(dir, 'remote.git');
  await gitOk(dir, ['init', '-q', '-b', 'main', repo]);
  await gitOk(dir, ['init', '-q', '--bare', remote]);
  await gitOk(repo, ['remote', 'add', 'origin', remote]);
  writeConfig(repo, 'v2');
  writeFileSync(join(repo, 'README.md'), 'workflows\n');
  await gitOk(repo, ['add', '.']);
  await gitOk(repo, ['commit', '-q', '-m', 'first']);
  return { repo, remote };
}

const remoteHead = async (remote: string) => (await git(remote, ['rev-parse', '--verify', '-q', 'refs/heads/main'])).output.trim();

describe('hook install / uninstall', () => {
  it('blocks a push whose workflow code would break running executions, until uninstalled', async () => {
    const { repo, remote } = await repoWithRemote();

    const install = await cli(['hook', 'install'], repo);
    expect(install.exitCode, install.stderr).toBe(0);
    const hookPath = join(repo, '.git', 'hooks', 'pre-push');
    expect(install.stdout).toContain(hookPath);
    const script = readFileSync(hookPath, 'utf8');
    expect(script).toContain(HOOK_MARKER);
    expect(script).toContain(`SAFE_DEPLOY_HOOK=1 node '${BIN}' check`);
    expect(statSync(hookPath).mode & 0o111).toBe(0o111);

    // A bare `check` in the repository works from its config.
    const bare = await cli(['check'], repo);
    expect(bare.exitCode, bare.stderr).toBe(0);
    expect(bare.stdout).toMatch(/PASSED/);

    // v2 replays the recorded histories cleanly: the push goes through, after the check ran.
    const first = await git(repo, ['push', 'origin', 'main']);
    expect(first.exitCode, first.output).toBe(0);
    expect(first.output).toMatch(/PASSED: 7 of 7/);
    expect(await remoteHead(remote)).toBe(await gitOk(repo, ['rev-parse', 'HEAD']));

    // v3 breaks them: the push is blocked, and the remote did not get the commit.
    const before = await remoteHead(remote);
    writeConfig(repo, 'v3');
    await gitOk(repo, ['commit', '-q', '-am', 'switch to v3']);
    const blocked = await git(repo, ['push', 'origin', 'main']);
    expect(blocked.exitCode).not.toBe(0);
    expect(blocked.output).toMatch(/FAILED/);
    expect(blocked.output).toContain('git push --no-verify');
    expect(await remoteHead(remote)).toBe(before);

    // Uninstalled: the same push goes through, and no check runs.
    const uninstall = await cli(['hook', 'uninstall'], repo);
    expect(uninstall.exitCode, uninstall.stderr).toBe(0);
    expect(uninstall.stdout).toMatch(/Removed/);
    expect(existsSync(hookPath)).toBe(false);
    const after = await git(repo, ['push', 'origin', 'main']);
    expect(after.exitCode, after.output).toBe(0);
    expect(after.output).not.toMatch(/safe-deploy:|config:|PASSED|FAILED/);
    expect(await remoteHead(remote)).toBe(await gitOk(repo, ['rev-parse', 'HEAD']));
  });

  it('refuses to overwrite a foreign pre-push hook without --force, and never removes one', async () => {
    const { repo } = await repoWithRemote();
    const hookPath = join(repo, '.git', 'hooks', 'pre-push');
    mkdirSync(join(repo, '.git', 'hooks'), { recursive: true });
    const foreign = '#!/bin/sh\necho lint\n';
    writeFileSync(hookPath, foreign, { mode: 0o755 });

    const refused = await cli(['hook', 'install'], repo);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`error: ${hookPath} exists and was not installed by safe-deploy`);
    expect(refused.stderr).toMatch(/hint: pass --force/);
    expect(readFileSync(hookPath, 'utf8')).toBe(foreign);

    const uninstall = await cli(['hook', 'uninstall'], repo);
    expect(uninstall.exitCode).toBe(0);
    expect(uninstall.stdout).toMatch(/not installed by safe-deploy.*left it in place/);
    expect(readFileSync(hookPath, 'utf8')).toBe(foreign);

    const dryRun = await cli(['hook', 'install', '--force', '--dry-run'], repo);
    expect(dryRun.exitCode).toBe(0);
    expect(dryRun.stdout).toContain(`Would replace (a hook not installed by safe-deploy) ${hookPath}`);
    expect(dryRun.stdout).toContain(HOOK_MARKER);
    expect(readFileSync(hookPath, 'utf8')).toBe(foreign);

    const forced = await cli(['hook', 'install', '--force'], repo);
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(hookPath, 'utf8')).toContain(HOOK_MARKER);
    // Ours may be reinstalled (updated) without --force.
    expect((await cli(['hook', 'install'], repo)).stdout).toMatch(/^Updated/);
  });

  it('respects core.hooksPath, and runs check from the folder it was installed in', async () => {
    const { repo } = await repoWithRemote();
    await gitOk(repo, ['config', 'core.hooksPath', '.githooks']);
    const sub = join(repo, 'services', 'agent');
    mkdirSync(sub, { recursive: true });
    const r = await cli(['hook', 'install'], sub);
    expect(r.exitCode, r.stderr).toBe(0);
    const script = readFileSync(join(repo, '.githooks', 'pre-push'), 'utf8');
    expect(script).toContain(`cd 'services/agent/'`);
    expect(existsSync(join(repo, '.git', 'hooks', 'pre-push'))).toBe(false);
  });

  it('--dry-run writes nothing; outside a repository it is a usage error', async () => {
    const { repo } = await repoWithRemote();
    const r = await cli(['hook', 'install', '--dry-run'], repo);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`Would write ${join(repo, '.git', 'hooks', 'pre-push')}`);
    expect(r.stdout).toContain('#!/bin/sh');
    expect(existsSync(join(repo, '.git', 'hooks', 'pre-push'))).toBe(false);
    expect(r.stdout).toContain(`node '${BIN}' check`);

    writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'app', devDependencies: { 'safe-deploy': '^0.1.0' } }));
    const asDependency = await cli(['hook', 'install', '--dry-run'], repo);
    expect(asDependency.stdout).toContain('SAFE_DEPLOY_HOOK=1 npx --no-install safe-deploy check');

    const outside = await cli(['hook', 'install'], mkdtempSync(join(tmpdir(), 'safe-deploy-nogit-')));
    expect(outside.exitCode).toBe(2);
    expect(outside.stderr).toMatch(/not inside a git working tree/);
    expect(outside.stderr).toMatch(/hint:/);
  });

  it('uses the project install through npx when safe-deploy is a dependency', () => {
    expect(hookCommand({ dependency: true })).toBe('npx --no-install safe-deploy check');
    expect(hookCommand({ dependency: false, binPath: "/opt/it's/bin/safe-deploy.js" })).toBe(`node '/opt/it'\\''s/bin/safe-deploy.js' check`);
    const script = renderHookScript({ command: 'npx --no-install safe-deploy check', prefix: '' });
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain('SAFE_DEPLOY_HOOK=1 npx --no-install safe-deploy check </dev/null');
    expect(script).not.toMatch(/^cd '/m);
  });
});

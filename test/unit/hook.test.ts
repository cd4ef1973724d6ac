/**
 * `safe-deploy hook install / uninstall` end to end: a real git repository in a temporary folder,
 * a bare repository as its remote, and real pushes that run (or no longer run) the built CLI.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, sampleWorkflows } from '../helpers/cli.js';
import { HOOK_MARKER, hookCommand, renderHookScript } from '../../cli/config/git-hook.js';
import { freePort } from '../../cli/temporal/dev-server.js';

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

const agentSources = join(root, 'sample-workers', 'research-agent');

/** Puts research-agent `version`'s workflow code at agent/current/workflows.ts (what the config names). */
function writeWorkflows(repo: string, version: 'v2' | 'v3'): void {
  copyFileSync(sampleWorkflows(version), join(repo, 'agent', 'current', 'workflows.ts'));
}

/**
 * A user's repository, with one commit on main and an empty bare remote as origin: the research
 * agent's workflows (v2, or `version`) under agent/, the recorded histories under histories/, a
 * project config naming both, and node_modules (the SDK, not committed) as an install would leave
 * it; all in the repository's root, or in its `project` subfolder.
 */
async function repoWithRemote(config: Record<string, unknown> = {}, options: { project?: string; version?: 'v2' | 'v3' } = {}): Promise<{ repo: string; remote: string; project: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-hook-'));
  const repo = join(dir, 'repo');
  const remote = join(dir, 'remote.git');
  const project = join(repo, options.project ?? '');
  await gitOk(dir, ['init', '-q', '-b', 'main', repo]);
  await gitOk(dir, ['init', '-q', '--bare', remote]);
  await gitOk(repo, ['remote', 'add', 'origin', remote]);
  mkdirSync(join(project, 'agent', 'current'), { recursive: true });
  for (const file of ['activities.ts', 'shared.ts', 'follow-up.ts']) copyFileSync(join(agentSources, file), join(project, 'agent', file));
  writeWorkflows(project, options.version ?? 'v2');
  cpSync(corpus, join(project, 'histories'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'), 'dir');
  writeFileSync(join(repo, '.gitignore'), 'node_modules\n');
  writeFileSync(join(project, 'safe-deploy.config.json'), JSON.stringify({ workflows: 'agent/current/workflows.ts', histories: ['histories/'], ...config }, null, 2) + '\n');
  await gitOk(repo, ['add', '.']);
  await gitOk(repo, ['commit', '-q', '-m', 'first']);
  return { repo, remote, project };
}

const remoteHead = async (remote: string) => (await git(remote, ['rev-parse', '--verify', '-q', 'refs/heads/main'])).output.trim();
const localHead = (repo: string) => gitOk(repo, ['rev-parse', 'HEAD']);

describe('hook install / uninstall', () => {
  it('checks what is pushed: a committed breaking change is blocked though the working tree is compatible, and the opposite passes', async () => {
    const { repo, remote } = await repoWithRemote();

    const install = await cli(['hook', 'install'], repo);
    expect(install.exitCode, install.stderr).toBe(0);
    const hookPath = join(repo, '.git', 'hooks', 'pre-push');
    expect(install.stdout).toContain(hookPath);
    const script = readFileSync(hookPath, 'utf8');
    expect(script).toContain(HOOK_MARKER);
    expect(script).toContain(`SAFE_DEPLOY_HOOK=1 exec node '${BIN}' hook pre-push "$@"`);
    expect(statSync(hookPath).mode & 0o111).toBe(0o111);

    // v2 replays the recorded histories cleanly: the push goes through, after the check ran.
    const first = await git(repo, ['push', 'origin', 'main']);
    expect(first.exitCode, first.output).toBe(0);
    expect(first.output).toMatch(/PASSED: 7 of 7/);
    expect(first.output).toMatch(/recorded histories against the pushed tree \(safe-deploy.config.json\): passed/);
    expect(await remoteHead(remote)).toBe(await localHead(repo));

    // v3 committed, v2 restored in the working tree (uncommitted): the push carries v3 and is blocked.
    const before = await remoteHead(remote);
    writeWorkflows(repo, 'v3');
    await gitOk(repo, ['commit', '-q', '-am', 'v3: breaking']);
    writeWorkflows(repo, 'v2');
    const workingTree = await cli(['check'], repo);
    expect(workingTree.exitCode, workingTree.stderr).toBe(0);
    const blocked = await git(repo, ['push', 'origin', 'main']);
    expect(blocked.exitCode).not.toBe(0);
    expect(blocked.output).toMatch(/FAILED/);
    expect(blocked.output).toMatch(/failed \(check exited 1\)/);
    expect(blocked.output).toContain('git push --no-verify');
    expect(await remoteHead(remote)).toBe(before);

    // The opposite: v2 committed (the fix), v3 left uncommitted in the working tree: the push passes.
    await gitOk(repo, ['commit', '-q', '-am', 'back to v2']);
    writeWorkflows(repo, 'v3');
    expect((await cli(['check'], repo)).exitCode).toBe(1);
    const fixed = await git(repo, ['push', 'origin', 'main']);
    expect(fixed.exitCode, fixed.output).toBe(0);
    expect(fixed.output).toMatch(/PASSED: 7 of 7/);
    expect(await remoteHead(remote)).toBe(await localHead(repo));

    // The temporary trees are gone, and the repository's own node_modules is untouched.
    expect((await gitOk(repo, ['worktree', 'list'])).split('\n')).toHaveLength(1);
    expect(existsSync(join(repo, 'node_modules', '@temporalio', 'workflow', 'package.json'))).toBe(true);

    // Uninstalled: a breaking push goes through, and no check runs.
    const uninstall = await cli(['hook', 'uninstall'], repo);
    expect(uninstall.exitCode, uninstall.stderr).toBe(0);
    expect(uninstall.stdout).toMatch(/Removed/);
    expect(existsSync(hookPath)).toBe(false);
    await gitOk(repo, ['commit', '-q', '-am', 'v3 again']);
    const after = await git(repo, ['push', 'origin', 'main']);
    expect(after.exitCode, after.output).toBe(0);
    expect(after.output).not.toMatch(/safe-deploy:|config:|PASSED|FAILED/);
    expect(await remoteHead(remote)).toBe(await localHead(repo));
  });

  it('a project in a subfolder with its own node_modules: the pushed tree gets that node_modules linked in', async () => {
    // Only the subfolder has node_modules: nothing above the pushed tree's copy of it would find the SDK.
    const { repo, project } = await repoWithRemote({}, { project: 'services/agent', version: 'v3' });
    expect((await cli(['hook', 'install'], project)).exitCode).toBe(0);

    const blocked = await git(repo, ['push', 'origin', 'main']);
    expect(blocked.exitCode).not.toBe(0);
    expect(blocked.output).toMatch(/recorded histories against the pushed tree \(services\/agent\/safe-deploy.config.json\): failed \(check exited 1\)/);
    writeWorkflows(project, 'v2');
    await gitOk(repo, ['commit', '-q', '-am', 'v2']);
    const passed = await git(repo, ['push', 'origin', 'main']);
    expect(passed.exitCode, passed.output).toBe(0);
    expect(passed.output).toMatch(/PASSED: 7 of 7/);
  });

  it('hook pre-push by hand: the refs on stdin, --output json with each check\'s report; a line git would not send is exit 2', async () => {
    const { repo } = await repoWithRemote();
    const head = await localHead(repo);
    const run = (input: string) => execa('node', [BIN, 'hook', 'pre-push', 'origin', '--output', 'json'], { cwd: repo, input, reject: false, env: { TEMPORAL_ADDRESS: '' } });
    const r = await run(`refs/heads/main ${head} refs/heads/main ${'0'.repeat(40)}\n(delete) ${'0'.repeat(40)} refs/heads/old ${head}\n`);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const out = JSON.parse(String(r.stdout)) as { schemaVersion: number; blocked: boolean; commits: { sha: string; kind: string; mode: string; exitCode: number; config: string; report: { summary: { total: number; compatible: number } } }[] };
    expect(out).toMatchObject({ schemaVersion: 1, blocked: false });
    expect(out.commits).toHaveLength(1);
    expect(out.commits[0]).toMatchObject({ sha: head, kind: 'checked', mode: 'histories', exitCode: 0, config: 'safe-deploy.config.json', report: { summary: { total: 7, compatible: 7 } } });

    // A commit without a safe-deploy config (here: removed) has nothing to check: the push may go.
    await gitOk(repo, ['rm', '-q', 'safe-deploy.config.json']);
    await gitOk(repo, ['commit', '-q', '-m', 'no config']);
    const bare = await run(`refs/heads/main ${await localHead(repo)} refs/heads/main ${head}\n`);
    expect(bare.exitCode, String(bare.stderr)).toBe(0);
    expect(JSON.parse(String(bare.stdout))).toMatchObject({ blocked: false, commits: [{ kind: 'no-config' }] });

    const bad = await run('refs/heads/main HEAD\n');
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr)).toMatch(/error: not a pre-push line/);
  });

  describe('when the server cannot be reached', () => {
    /** A config selecting live executions on a port where nothing listens. */
    const unreachable = async (extra: Record<string, unknown>) => ({ deployment: 'research-agent', address: `127.0.0.1:${await freePort()}`, ...extra });

    it('checks the config\'s histories offline instead, and says so', async () => {
      const { repo, remote } = await repoWithRemote(await unreachable({}));
      expect((await cli(['hook', 'install'], repo)).exitCode).toBe(0);
      const passed = await git(repo, ['push', 'origin', 'main']);
      expect(passed.exitCode, passed.output).toBe(0);
      expect(passed.output).toMatch(/cannot reach Temporal at 127\.0\.0\.1:\d+.*checking the recorded histories of safe-deploy.config.json offline instead/);
      expect(passed.output).toMatch(/PASSED: 7 of 7/);
      expect(passed.output).toMatch(/recorded histories, offline \(the server cannot be reached\)/);

      writeWorkflows(repo, 'v3');
      await gitOk(repo, ['commit', '-q', '-am', 'v3: breaking']);
      const before = await remoteHead(remote);
      const blocked = await git(repo, ['push', 'origin', 'main']);
      expect(blocked.exitCode).not.toBe(0);
      expect(blocked.output).toMatch(/FAILED/);
      expect(await remoteHead(remote)).toBe(before);
    });

    it('without histories: warns and lets the push through; with "strict": true it blocks', async () => {
      const { repo, remote } = await repoWithRemote(await unreachable({ histories: undefined }));
      expect((await cli(['hook', 'install'], repo)).exitCode).toBe(0);
      const allowed = await git(repo, ['push', 'origin', 'main']);
      expect(allowed.exitCode, allowed.output).toBe(0);
      expect(allowed.output).toMatch(/warning: [0-9a-f]{12}: NOT CHECKED: cannot reach Temporal at 127\.0\.0\.1:\d+.*The push goes through; add "histories"/);
      expect(allowed.output).not.toMatch(/PASSED|FAILED/);
      expect(await remoteHead(remote)).toBe(await localHead(repo));

      const config = JSON.parse(readFileSync(join(repo, 'safe-deploy.config.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(repo, 'safe-deploy.config.json'), JSON.stringify({ ...config, strict: true }));
      await gitOk(repo, ['commit', '-q', '-am', 'strict']);
      const before = await remoteHead(remote);
      const strict = await git(repo, ['push', 'origin', 'main']);
      expect(strict.exitCode).not.toBe(0);
      expect(strict.output).toMatch(/NOT CHECKED: cannot reach Temporal.*"strict": true in safe-deploy.config.json blocks the push/);
      expect(strict.output).toMatch(/push blocked \(exit 3/);
      expect(await remoteHead(remote)).toBe(before);
    });
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
    expect(r.stdout).toContain(`node '${BIN}' hook pre-push`);

    writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'app', devDependencies: { 'safe-deploy': '^0.1.0' } }));
    const asDependency = await cli(['hook', 'install', '--dry-run'], repo);
    expect(asDependency.stdout).toContain('SAFE_DEPLOY_HOOK=1 exec npx --no-install safe-deploy hook pre-push "$@"');

    const outside = await cli(['hook', 'install'], mkdtempSync(join(tmpdir(), 'safe-deploy-nogit-')));
    expect(outside.exitCode).toBe(2);
    expect(outside.stderr).toMatch(/not inside a git working tree/);
    expect(outside.stderr).toMatch(/hint:/);
  });

  it('uses the project install through npx when safe-deploy is a dependency', () => {
    expect(hookCommand({ dependency: true })).toBe('npx --no-install safe-deploy hook pre-push');
    expect(hookCommand({ dependency: false, binPath: "/opt/it's/bin/safe-deploy.js" })).toBe(`node '/opt/it'\\''s/bin/safe-deploy.js' hook pre-push`);
    const script = renderHookScript({ command: 'npx --no-install safe-deploy hook pre-push', prefix: '' });
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain('SAFE_DEPLOY_HOOK=1 exec npx --no-install safe-deploy hook pre-push "$@"');
    expect(script).not.toMatch(/^cd '/m);
  });
});

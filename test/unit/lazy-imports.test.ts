/**
 * Startup stays light: registering the commands (for --version, --help, flag errors) loads none of
 * the heavy modules; each command's action imports them when it runs (see cli/main.ts). Checked by
 * the modules the built CLI loads, recorded by a module hook, not by timing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

const RECORDER = join(import.meta.dirname, '..', 'fixtures', 'record-modules', 'record-modules.mjs');
const work = mkdtempSync(join(tmpdir(), 'safe-deploy-lazy-imports-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Packages and folders of the CLI that only an action may load. */
const HEAVY = [
  /\/node_modules\/@temporalio\//,
  /\/node_modules\/@grpc\//,
  /\/node_modules\/protobufjs\//,
  /\/node_modules\/execa\//,
  /\/node_modules\/ora\//,
  /\/node_modules\/chalk\//,
  /\/dist\/cli\/(pipeline|temporal|exec)\//,
  /\/dist\/cli\/config\/git-hook\.js$/,
];

let runs = 0;

/** Runs the built CLI (in `cwd`, default: a folder outside any git repository) and lists the modules it loaded. */
async function modulesLoadedBy(args: string[], cwd = work): Promise<{ exitCode: number; stderr: string; modules: string[] }> {
  const file = join(work, `modules-${++runs}.txt`);
  const r = await execa('node', ['--import', RECORDER, BIN, ...args], {
    reject: false,
    cwd,
    env: { RECORD_MODULES_FILE: file, TEMPORAL_ADDRESS: '', GITHUB_ACTIONS: '' },
    extendEnv: true,
    timeout: 60_000,
  });
  const modules = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return { exitCode: r.exitCode ?? -1, stderr: String(r.stderr), modules };
}

const heavyIn = (modules: string[]) => modules.filter((m) => HEAVY.some((re) => re.test(m)));

describe('lazy imports', () => {
  it.each([
    [['--version']],
    [['--help']],
    ...['check', 'plan', 'apply', 'deploy', 'watch', 'rollback', 'overrides', 'nudge', 'status', 'dev-server', 'hook'].map((c) => [[c, '--help']]),
    [['hook', 'install', '--help']],
    [['overrides', 'clear', '--help']],
  ])('%j loads no heavy module', async (args) => {
    const r = await modulesLoadedBy(args);
    expect(r.exitCode).toBe(0);
    expect(r.modules.some((m) => m.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(heavyIn(r.modules)).toEqual([]);
  });

  it('a bad flag value is refused before anything heavy loads', async () => {
    const r = await modulesLoadedBy(['check', '--shard', '5/4']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--shard/);
    expect(heavyIn(r.modules)).toEqual([]);
  });

  // The recorder does see them, when an action needs them; and what they throw reaches main.ts.
  it('check loads the Temporal SDK when it runs, and its errors are reported as before', async () => {
    // The histories exist (they are listed before the candidate loads); the workflows do not.
    const histories = join(import.meta.dirname, '..', '..', 'histories', 'research-agent');
    const r = await modulesLoadedBy(['check', '--histories', histories, '--workflows', join(work, 'none.ts')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: workflows path not found: .*none\.ts$/m);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.modules.some((m) => m.includes('/node_modules/@temporalio/proto/'))).toBe(true);
    expect(r.modules.some((m) => m.includes('/dist/cli/pipeline/check.js'))).toBe(true);
  });

  it('an offline check with a cached bundle loads neither gRPC, the Temporal client nor the worker package on the main thread', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const args = ['check', '--histories', join(root, 'histories', 'research-agent'), '--workflows', join(root, 'sample-workers', 'research-agent', 'v2', 'workflows.ts')];
    const cache = ['--bundle-cache', join(work, 'bundles'), '--output', 'json'];
    const bundling = await modulesLoadedBy([...args, ...cache]);
    expect(bundling.exitCode, bundling.stderr).toBe(0);
    expect(bundling.modules.some((m) => m.includes('/node_modules/@temporalio/worker/'))).toBe(true); // bundling needs it
    const hit = await modulesLoadedBy([...args, ...cache]);
    expect(hit.exitCode, hit.stderr).toBe(0);
    expect(hit.modules.filter((m) => /\/node_modules\/(@grpc\/|@temporalio\/client\/)/.test(m))).toEqual([]);
    // Replay runs in worker threads, which load the worker package themselves.
    expect(hit.modules.filter((m) => m.includes('/node_modules/@temporalio/worker/'))).toEqual([]);
  });

  it('hook install loads execa when it runs, and its errors are reported as before', async () => {
    const r = await modulesLoadedBy(['hook', 'install', '--dry-run']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: not inside a git working tree/m);
    expect(r.modules.some((m) => m.includes('/node_modules/execa/'))).toBe(true);
  });
});

/**
 * The bundle cache, with real bundling (webpack through the SDK, no mocks): a hit only while every
 * input of the bundle is unchanged, a miss (never an error) on anything else.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { bundleCacheDir, readCachedBundle } from '../../cli/temporal/bundle-cache.js';
import { loadCandidate } from '../../cli/temporal/candidate.js';
import { resolveReplaySdk } from '../../cli/temporal/sdk.js';
import { runCli } from '../helpers/cli.js';

const root = join(import.meta.dirname, '..', '..');
/** Candidate sources must sit inside a project with @temporalio/workflow installed: ours (git-ignored). */
const scratch = join(root, '.safe-deploy', 'tmp');
mkdirSync(scratch, { recursive: true });
const made: string[] = [];
const tempDir = (label: string, parent = tmpdir()): string => {
  const dir = mkdtempSync(join(parent, `bundle-cache-${label}-`));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * Writes a source file dated a minute ago: the cache does not record a file written within 2 s of
 * bundling (its mtime could hide a change made while webpack read it), as a test's files would be.
 */
function write(path: string, text: string): void {
  writeFileSync(path, text);
  const past = new Date(Date.now() - 60_000);
  utimesSync(path, past, past);
}

/** A workflow importing a module (which imports another) and './helper.js', present only as helper.js. */
function workspace(): { dir: string; workflows: string; cache: string } {
  const dir = tempDir('src', scratch);
  write(
    join(dir, 'workflows.ts'),
    `import { sleep } from '@temporalio/workflow';
import { greeting } from './greeting.js';
import { helper } from './helper.js';
export async function Greet(name: string): Promise<string> {
  await sleep(1);
  return greeting(name) + helper();
}
`,
  );
  write(join(dir, 'greeting.ts'), `import { HELLO } from './words.js';\nexport const greeting = (name: string): string => \`\${HELLO} \${name}\`;\n`);
  write(join(dir, 'words.ts'), `export const HELLO = 'hello-marker-1';\n`);
  write(join(dir, 'helper.js'), `export function helper() { return 'helper-from-js'; }\n`);
  return { dir, workflows: join(dir, 'workflows.ts'), cache: tempDir('cache') };
}

const load = (workflowsPath: string, bundleCache: string | false | undefined) => loadCandidate({ workflowsPath, bundleCache });
const entryFiles = (cache: string, ext: '.json' | '.js') => readdirSync(cache).filter((f) => f.endsWith(ext)).map((f) => join(cache, f));
/** `hit`, or why not: what a lookup would say now. */
const lookup = (cache: string, workflowsPath: string): string => {
  const r = readCachedBundle(cache, { workflowsPath, workerPackageJson: resolveReplaySdk({ workflowsPath }).workerPackageJson });
  return r.hit ? 'hit' : r.reason;
};

describe('the bundle cache', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('a second load with the same inputs is a hit: same code, same bundle hash', async () => {
    const { workflows, cache } = workspace();
    const first = await load(workflows, cache);
    expect(first.bundleCache).toBe('miss');
    expect(entryFiles(cache, '.json')).toHaveLength(1);
    expect(lookup(cache, workflows)).toBe('hit');
    const second = await load(workflows, cache);
    expect(second.bundleCache).toBe('hit');
    expect(second.bundleHash).toBe(first.bundleHash);
    expect(second.code).toBe(first.code);
  });

  it('editing the workflow file is a miss, with a different bundle', async () => {
    const { workflows, cache } = workspace();
    const first = await load(workflows, cache);
    write(workflows, readFileSync(workflows, 'utf8').replace('await sleep(1);', 'await sleep(2);'));
    expect(lookup(cache, workflows)).toBe(`changed: ${workflows}`);
    const edited = await load(workflows, cache);
    expect(edited.bundleCache).toBe('miss');
    expect(edited.bundleHash).not.toBe(first.bundleHash);
  });

  it('editing a module imported through another is a miss, and the new bundle has the edit', async () => {
    const { dir, workflows, cache } = workspace();
    const first = await load(workflows, cache);
    write(join(dir, 'words.ts'), `export const HELLO = 'hello-marker-2';\n`);
    const edited = await load(workflows, cache);
    expect(edited.bundleCache).toBe('miss');
    expect(edited.bundleHash).not.toBe(first.bundleHash);
    expect(edited.code).toContain('hello-marker-2');
    expect(edited.code).not.toContain('hello-marker-1');
  });

  it("creating helper.ts, which './helper.js' resolves to before helper.js, is a miss, and the new bundle uses it", async () => {
    const { dir, workflows, cache } = workspace();
    const first = await load(workflows, cache);
    expect(first.code).toContain('helper-from-js');
    write(join(dir, 'helper.ts'), `export function helper(): string { return 'helper-from-ts'; }\n`);
    expect(lookup(cache, workflows)).toBe(`changed: ${join(dir, 'helper.ts')}`);
    const shadowed = await load(workflows, cache);
    expect(shadowed.bundleCache).toBe('miss');
    expect(shadowed.code).toContain('helper-from-ts');
    expect(shadowed.code).not.toContain('helper-from-js');
  });

  it('adding a file to a folder a dynamic import lists is a miss, and the new bundle knows it', async () => {
    const dir = tempDir('dynamic', scratch);
    const cache = tempDir('cache');
    const workflows = join(dir, 'workflows.ts');
    write(workflows, `export async function Step(name: string): Promise<string> {\n  return ((await import(\`./steps/\${name}.js\`)) as { run(): string }).run();\n}\n`);
    mkdirSync(join(dir, 'steps'));
    write(join(dir, 'steps', 'a.js'), `export const run = () => 'a';\n`);
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'steps'), past, past);
    const first = await load(workflows, cache);
    expect(lookup(cache, workflows)).toBe('hit');
    write(join(dir, 'steps', 'b.js'), `export const run = () => 'b';\n`);
    expect(lookup(cache, workflows)).toBe(`changed: ${join(dir, 'steps')}/`);
    const added = await load(workflows, cache);
    expect(added.bundleCache).toBe('miss');
    // Lazy chunks are not in the SDK's bundle, but the import's map of the folder is.
    expect(first.code).not.toContain('steps/b.js');
    expect(added.code).toContain('steps/b.js');
  });

  it('a source written just before bundling is not cached: webpack may have read it mid-write', async () => {
    const { workflows, cache } = workspace();
    writeFileSync(workflows, readFileSync(workflows, 'utf8')); // mtime: now
    expect((await load(workflows, cache)).bundleCache).toBe('miss');
    expect(readdirSync(cache)).toEqual([]);
    expect((await load(workflows, cache)).bundleCache).toBe('miss');
  });

  it('a corrupt manifest is a miss: the candidate is bundled again, correctly, and the entry rewritten', async () => {
    const { workflows, cache } = workspace();
    const first = await load(workflows, cache);
    const [manifest] = entryFiles(cache, '.json');
    writeFileSync(manifest!, '{"format": 1, "key": ');
    const again = await load(workflows, cache);
    expect(again.bundleCache).toBe('miss');
    expect(again.bundleHash).toBe(first.bundleHash);
    expect((await load(workflows, cache)).bundleCache).toBe('hit');
  });

  it('a tampered bundle file is a miss: the tampered code is never used', async () => {
    const { workflows, cache } = workspace();
    const first = await load(workflows, cache);
    const [bundle] = entryFiles(cache, '.js');
    appendFileSync(bundle!, '\nglobalThis.tampered = true;\n');
    expect(lookup(cache, workflows)).toBe('bundle file does not match its manifest');
    const again = await load(workflows, cache);
    expect(again.bundleCache).toBe('miss');
    expect(again.code).toBe(first.code);
  });

  it('the default folder is bundles/ under $SAFE_DEPLOY_CACHE_DIR; bundleCache: false writes nothing there', async () => {
    const { workflows } = workspace();
    const home = tempDir('home');
    vi.stubEnv('SAFE_DEPLOY_CACHE_DIR', home);
    const off = await load(workflows, false);
    expect(off.bundleCache).toBe('off');
    expect(readdirSync(home)).toEqual([]);
    const cached = await load(workflows, undefined);
    expect(cached.bundleCache).toBe('miss');
    expect(cached.bundleHash).toBe(off.bundleHash);
    expect(entryFiles(join(home, 'bundles'), '.json')).toHaveLength(1);
  });

  it('a cache folder that cannot be written still gives a correct candidate', async () => {
    const { workflows } = workspace();
    const file = join(tempDir('unwritable'), 'a-file');
    writeFileSync(file, '');
    const reference = await load(workflows, false);
    const candidate = await load(workflows, join(file, 'cache'));
    expect(candidate.bundleCache).toBe('miss');
    expect(candidate.bundleHash).toBe(reference.bundleHash);
  });

  it('a prebuilt bundle never touches the cache', async () => {
    const dir = tempDir('prebuilt');
    writeFileSync(join(dir, 'bundle.js'), 'var __TEMPORAL__ = {};\n//# sourceMappingURL=data:application/json;base64,e30=\n');
    const candidate = await loadCandidate({ bundlePath: join(dir, 'bundle.js'), bundleCache: join(dir, 'cache') });
    expect(candidate.bundleCache).toBe('off');
    expect(readdirSync(dir)).toEqual(['bundle.js']);
  });
});

describe('bundleCacheDir', () => {
  it.each([
    { scenario: '--bundle-cache DIR', option: 'some/dir', env: { SAFE_DEPLOY_CACHE_DIR: '/sd' }, expected: resolve('some/dir') },
    { scenario: '--no-bundle-cache', option: false as const, env: { SAFE_DEPLOY_CACHE_DIR: '/sd' }, expected: undefined },
    { scenario: '$SAFE_DEPLOY_CACHE_DIR first', option: undefined, env: { SAFE_DEPLOY_CACHE_DIR: '/sd', XDG_CACHE_HOME: '/xdg' }, expected: '/sd/bundles' },
    { scenario: 'then $XDG_CACHE_HOME', option: undefined, env: { XDG_CACHE_HOME: '/xdg' }, expected: '/xdg/safe-deploy/bundles' },
    { scenario: 'a relative $XDG_CACHE_HOME is ignored', option: undefined, env: { XDG_CACHE_HOME: 'xdg' }, expected: join(homedir(), '.cache', 'safe-deploy', 'bundles') },
    { scenario: 'else ~/.cache', option: undefined, env: {}, expected: join(homedir(), '.cache', 'safe-deploy', 'bundles') },
  ])('$scenario', ({ option, env, expected }) => {
    expect(bundleCacheDir(option, env)).toBe(expected);
  });
});

describe('safe-deploy check with a bundle cache', () => {
  it('the second run of the same check reuses the bundle: same hash, entry not rewritten, exit 0 both times', async () => {
    const cache = tempDir('cli');
    const args = ['check', '--histories', 'histories/research-agent', '--workflows', 'sample-workers/research-agent/v2/workflows.ts', '--bundle-cache', cache, '--output', 'json'];
    type Report = { verdict: string; candidate: { bundleHash: string; bundleCache?: string } };
    const first = await runCli(args, { cwd: root });
    expect(first.exitCode, first.stderr).toBe(0);
    const [manifest] = entryFiles(cache, '.json');
    const written = statSync(manifest!);
    const second = await runCli(args, { cwd: root });
    expect(second.exitCode, second.stderr).toBe(0);
    const [a, b] = [JSON.parse(first.stdout) as Report, JSON.parse(second.stdout) as Report];
    expect(b.verdict).toBe('passed');
    expect(b.candidate.bundleHash).toBe(a.candidate.bundleHash);
    // A miss rewrites the entry (a new file renamed into place): same inode and mtime = a hit.
    expect(statSync(manifest!)).toMatchObject({ ino: written.ino, mtimeMs: written.mtimeMs });
    expect([a.candidate.bundleCache, b.candidate.bundleCache]).toEqual(['miss', 'hit']);
  });
});

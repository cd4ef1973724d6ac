/**
 * The project config: validation and merge into `check`'s flags (pure, cli/core/config.ts), the
 * file search (cli/config/load.ts, in temporary folders), and `check` run from such a folder.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findProjectConfig, loadProjectConfig } from '../../cli/config/load.js';
import { applyConfigToCheck, ConfigError, parseProjectConfig, policyTypesFromConfig, type CheckConfigFlags, type ProjectConfig } from '../../cli/core/config.js';
import { UsageError } from '../../cli/errors.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';

const root = join(import.meta.dirname, '..', '..');
const corpus = join(root, 'histories', 'research-agent');
const tmp = (label: string) => mkdtempSync(join(tmpdir(), `safe-deploy-config-${label}-`));
const SOURCE = '/repo/safe-deploy.config.json';
const parse = (raw: unknown) => parseProjectConfig(raw, SOURCE, '/repo');
const config = (settings: Omit<ProjectConfig, 'source' | 'dir'>): ProjectConfig => ({ source: SOURCE, dir: '/repo', ...settings });

describe('parseProjectConfig', () => {
  it.each([
    {
      scenario: 'relative paths resolve against the config file folder',
      raw: { workflows: 'src/workflows.ts', histories: ['histories/', '../shared/h.json'], interceptors: ['./src/i.ts'], codec: 'codec.js', payloadConverter: 'pc.ts' },
      expected: { workflows: '/repo/src/workflows.ts', histories: ['/repo/histories', '/shared/h.json'], interceptors: ['/repo/src/i.ts'], codec: '/repo/codec.js', payloadConverter: '/repo/pc.ts' },
    },
    {
      scenario: 'absolute paths stay as they are',
      raw: { bundle: '/abs/bundle.js', histories: ['/abs/histories'] },
      expected: { bundle: '/abs/bundle.js', histories: ['/abs/histories'] },
    },
    {
      scenario: 'names and queries are not paths',
      raw: { workflows: 'w.ts', deployment: 'research-agent', taskQueue: 'q', workflowTypes: ['A', 'B'], query: `X = 'a/b'`, longRunningTypes: ['P'], address: 'host:7233', namespace: 'ns', profile: 'prod' },
      expected: { workflows: '/repo/w.ts', deployment: 'research-agent', taskQueue: 'q', workflowTypes: ['A', 'B'], query: `X = 'a/b'`, longRunningTypes: ['P'], address: 'host:7233', namespace: 'ns', profile: 'prod' },
    },
    { scenario: 'policy lists and the hook\'s strict flag', raw: { keepPinnedTypes: ['Order'], longRunningTypes: ['P'], strict: true }, expected: { keepPinnedTypes: ['Order'], longRunningTypes: ['P'], strict: true } },
    { scenario: 'every key is optional', raw: {}, expected: {} },
  ])('$scenario', ({ raw, expected }) => {
    expect(parse(raw)).toEqual({ source: SOURCE, dir: '/repo', ...expected });
  });

  it.each([
    { scenario: 'an unknown key, named with the file', raw: { workflows: 'w.ts', histroies: ['h'] }, message: `unknown key "histroies" in ${SOURCE}`, hint: /did you mean "histories"/ },
    { scenario: 'an API key', raw: { workflows: 'w.ts', apiKey: 'secret' }, message: `"apiKey" is not allowed in ${SOURCE}`, hint: /TEMPORAL_API_KEY/ },
    { scenario: 'an API key, spelled otherwise', raw: { api_key: 'secret' }, message: `"api_key" is not allowed`, hint: /TEMPORAL_API_KEY/ },
    { scenario: 'a TLS key', raw: { tlsKeyPath: '/k.pem' }, message: `"tlsKeyPath" is not allowed in ${SOURCE}`, hint: /--tls-key-path|profile/ },
    { scenario: 'a string where a string is expected', raw: { workflows: 42 }, message: `"workflows" in ${SOURCE} must be a non-empty string, not a number`, hint: /"workflows": "src\/workflows.ts"/ },
    { scenario: 'an empty string', raw: { deployment: '' }, message: '"deployment" in', hint: /e\.g\./ },
    { scenario: 'a string where a list is expected', raw: { histories: 'histories/' }, message: `"histories" in ${SOURCE} must be an array of non-empty strings, not a string`, hint: /\["histories\/"\]/ },
    { scenario: 'a list of other things', raw: { workflowTypes: ['A', 3] }, message: 'must be an array of non-empty strings, not an array with other values', hint: /e\.g\./ },
    { scenario: 'strict as a string', raw: { strict: 'yes' }, message: `"strict" in ${SOURCE} must be true or false, not a string`, hint: /"strict": true/ },
    { scenario: 'not an object', raw: ['w.ts'], message: `${SOURCE} must hold a JSON object, not an array`, hint: /e\.g\./ },
    { scenario: 'both candidates', raw: { workflows: 'w.ts', bundle: 'b.js' }, message: 'has both "workflows" and "bundle"', hint: /keep one/ },
  ])('refuses $scenario', ({ raw, message, hint }) => {
    let error: unknown;
    try {
      parse(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(message);
    expect((error as ConfigError).hint).toMatch(hint);
  });
});

describe('applyConfigToCheck', () => {
  const full = config({
    workflows: '/repo/src/workflows.ts',
    payloadConverter: '/repo/pc.ts',
    interceptors: ['/repo/i.ts'],
    address: 'config-host:7233',
    namespace: 'config-ns',
    profile: 'config-profile',
  });
  const hist = config({ workflows: '/repo/w.ts', histories: ['/repo/histories'] });
  const both = config({ workflows: '/repo/w.ts', histories: ['/repo/histories'], deployment: 'research-agent' });

  it.each<{ scenario: string; flags: CheckConfigFlags; config: ProjectConfig | undefined; env?: Record<string, string>; expected: CheckConfigFlags }>([
    { scenario: 'no config: flags unchanged', flags: { deployment: 'd', workflows: 'w.ts' }, config: undefined, expected: { deployment: 'd', workflows: 'w.ts' } },
    {
      scenario: 'config fills what flags leave out',
      flags: { deployment: 'd' },
      config: full,
      expected: { deployment: 'd', workflows: '/repo/src/workflows.ts', payloadConverter: '/repo/pc.ts', interceptor: ['/repo/i.ts'], address: 'config-host:7233', namespace: 'config-ns', profile: 'config-profile' },
    },
    {
      scenario: 'flags beat the config',
      flags: { deployment: 'd', workflows: 'cli.ts', payloadConverter: 'cli-pc.ts', interceptor: ['cli-i.ts'], address: 'cli-host:1', namespace: 'cli-ns', profile: 'cli-profile' },
      config: full,
      expected: { deployment: 'd', workflows: 'cli.ts', payloadConverter: 'cli-pc.ts', interceptor: ['cli-i.ts'], address: 'cli-host:1', namespace: 'cli-ns', profile: 'cli-profile' },
    },
    {
      scenario: 'a --bundle on the command line replaces the config candidate entirely',
      flags: { deployment: 'd', bundle: 'b.js' },
      config: config({ workflows: '/repo/w.ts' }),
      expected: { deployment: 'd', bundle: 'b.js' },
    },
    {
      scenario: 'TEMPORAL_* variables beat the config (resolveConnection then applies them)',
      flags: { deployment: 'd' },
      config: full,
      env: { TEMPORAL_ADDRESS: 'env-host:7233', TEMPORAL_NAMESPACE: 'env-ns', TEMPORAL_PROFILE: 'env-profile' },
      expected: { deployment: 'd', workflows: '/repo/src/workflows.ts', payloadConverter: '/repo/pc.ts', interceptor: ['/repo/i.ts'] },
    },
    {
      scenario: 'an empty TEMPORAL_ADDRESS counts as unset',
      flags: { deployment: 'd', workflows: 'w.ts' },
      config: config({ address: 'config-host:7233' }),
      env: { TEMPORAL_ADDRESS: '' },
      expected: { deployment: 'd', workflows: 'w.ts', address: 'config-host:7233' },
    },
    { scenario: 'config histories when nothing selects live executions', flags: {}, config: hist, expected: { workflows: '/repo/w.ts', histories: ['/repo/histories'] } },
    {
      scenario: '--histories on the command line beats config histories and live selectors',
      flags: { histories: ['cli/'] },
      config: both,
      expected: { histories: ['cli/'], workflows: '/repo/w.ts' },
    },
    { scenario: 'config deployment wins over config histories', flags: {}, config: both, expected: { deployment: 'research-agent', workflows: '/repo/w.ts' } },
    { scenario: '--offline picks the config histories', flags: { offline: true }, config: both, expected: { offline: true, histories: ['/repo/histories'], workflows: '/repo/w.ts' } },
    {
      scenario: 'a live selector on the command line beats config histories, and the config fills the other selectors',
      flags: { buildId: ['v1'] },
      config: both,
      expected: { buildId: ['v1'], deployment: 'research-agent', workflows: '/repo/w.ts' },
    },
    {
      scenario: 'each live selector not given comes from the config',
      flags: { deployment: 'cli-d' },
      config: config({ workflows: '/repo/w.ts', deployment: 'd', taskQueue: 'q', workflowTypes: ['A'], query: 'X = 1' }),
      expected: { deployment: 'cli-d', taskQueue: 'q', workflowType: ['A'], query: 'X = 1', workflows: '/repo/w.ts' },
    },
  ])('$scenario', ({ flags, config: c, env, expected }) => {
    const result = applyConfigToCheck(flags, c, env ?? {});
    expect(Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined))).toEqual(expected);
  });

  it.each<{ scenario: string; flags: CheckConfigFlags; config: ProjectConfig | undefined; message: RegExp }>([
    { scenario: '--offline with a live selector', flags: { offline: true, deployment: 'd' }, config: both, message: /--offline cannot be combined/ },
    { scenario: '--offline without config histories', flags: { offline: true }, config: config({ workflows: '/w.ts', deployment: 'd' }), message: /has none/ },
    { scenario: '--offline without any config', flags: { offline: true }, config: undefined, message: /none was found/ },
    { scenario: 'no candidate anywhere', flags: { deployment: 'd' }, config: config({ namespace: 'ns' }), message: /no candidate given, and .* names none/ },
  ])('refuses $scenario', ({ flags, config: c, message }) => {
    expect(() => applyConfigToCheck(flags, c, {})).toThrow(message);
  });

  it('does not change the flags it was given', () => {
    const flags: CheckConfigFlags = {};
    applyConfigToCheck(flags, hist, {});
    expect(flags).toEqual({});
  });
});

describe('policyTypesFromConfig: the lists of plan / deploy', () => {
  it.each([
    { scenario: 'no flags, no config: empty lists', flags: {}, config: undefined, expected: { longRunningTypes: [], keepPinnedTypes: [] } },
    { scenario: 'the config fills both', flags: {}, config: { longRunningTypes: ['P'], keepPinnedTypes: ['O'] }, expected: { longRunningTypes: ['P'], keepPinnedTypes: ['O'] } },
    { scenario: 'a flag replaces the config\'s list, the other still comes from it', flags: { keepPinnedType: ['X'] }, config: { longRunningTypes: ['P'], keepPinnedTypes: ['O'] }, expected: { longRunningTypes: ['P'], keepPinnedTypes: ['X'] } },
    { scenario: 'flags without a config', flags: { longRunningType: ['P'], keepPinnedType: ['O', 'Q'] }, config: undefined, expected: { longRunningTypes: ['P'], keepPinnedTypes: ['O', 'Q'] } },
  ])('$scenario', ({ flags, config, expected }) => {
    expect(policyTypesFromConfig(flags, config)).toEqual(expected);
  });
});

describe('finding the config file', () => {
  /** A temporary git repository root (a `.git` folder is all the search looks for) with a nested folder. */
  function repo(): { top: string; deep: string } {
    const top = tmp('repo');
    mkdirSync(join(top, '.git'));
    const deep = join(top, 'packages', 'app', 'src');
    mkdirSync(deep, { recursive: true });
    return { top, deep };
  }

  it('finds safe-deploy.config.json in a parent folder, and resolves its paths there', () => {
    const { top, deep } = repo();
    writeFileSync(join(top, 'safe-deploy.config.json'), JSON.stringify({ workflows: 'src/workflows.ts', histories: ['histories/'] }));
    expect(findProjectConfig(deep)).toEqual({ file: join(top, 'safe-deploy.config.json'), kind: 'file' });
    expect(loadProjectConfig({ cwd: deep })).toMatchObject({ source: join(top, 'safe-deploy.config.json'), workflows: join(top, 'src', 'workflows.ts'), histories: [join(top, 'histories')] });
  });

  it('prefers the nearest config file', () => {
    const { top, deep } = repo();
    writeFileSync(join(top, 'safe-deploy.config.json'), JSON.stringify({ workflows: 'top.ts' }));
    writeFileSync(join(top, 'packages', 'app', 'safe-deploy.config.json'), JSON.stringify({ workflows: 'app.ts' }));
    expect(loadProjectConfig({ cwd: deep })?.workflows).toBe(join(top, 'packages', 'app', 'app.ts'));
  });

  it('falls back to the "safe-deploy" key of the nearest package.json that has one', () => {
    const { top, deep } = repo();
    writeFileSync(join(top, 'package.json'), JSON.stringify({ name: 'x', 'safe-deploy': { workflows: 'src/workflows.ts', deployment: 'research-agent' } }));
    writeFileSync(join(top, 'packages', 'app', 'package.json'), JSON.stringify({ name: 'app', dependencies: { 'safe-deploy': '^0.1.0' } }));
    expect(findProjectConfig(deep)).toEqual({ file: join(top, 'package.json'), kind: 'package-json' });
    expect(loadProjectConfig({ cwd: deep })).toMatchObject({ source: `${join(top, 'package.json')} ("safe-deploy" key)`, workflows: join(top, 'src', 'workflows.ts'), deployment: 'research-agent' });
  });

  it('stops at the git root', () => {
    const outer = tmp('outer');
    writeFileSync(join(outer, 'safe-deploy.config.json'), JSON.stringify({ workflows: 'w.ts' }));
    const inner = join(outer, 'repo');
    mkdirSync(join(inner, '.git'), { recursive: true });
    expect(findProjectConfig(inner)).toBeUndefined();
    expect(loadProjectConfig({ cwd: inner })).toBeUndefined();
  });

  it('--config names one explicitly (a package.json means its key); --no-config ignores the search', () => {
    const { top, deep } = repo();
    writeFileSync(join(top, 'safe-deploy.config.json'), JSON.stringify({ workflows: 'found.ts' }));
    mkdirSync(join(top, 'ci'));
    writeFileSync(join(top, 'ci', 'gate.json'), JSON.stringify({ workflows: '../src/w.ts', deployment: 'd' }));
    writeFileSync(join(top, 'ci', 'package.json'), JSON.stringify({ 'safe-deploy': { bundle: 'b.js' } }));
    expect(loadProjectConfig({ cwd: top, explicit: 'ci/gate.json' })).toMatchObject({ source: join(top, 'ci', 'gate.json'), workflows: join(top, 'src', 'w.ts') });
    expect(loadProjectConfig({ cwd: top, explicit: join(top, 'ci', 'package.json') })).toMatchObject({ bundle: join(top, 'ci', 'b.js') });
    expect(loadProjectConfig({ cwd: deep, explicit: false })).toBeUndefined();
  });

  it('refuses a missing --config file, bad JSON, and bad content, as usage errors naming the file', () => {
    const { top } = repo();
    expect(() => loadProjectConfig({ cwd: top, explicit: 'nope.json' })).toThrow(UsageError);
    expect(() => loadProjectConfig({ cwd: top, explicit: 'nope.json' })).toThrow(/config file not found: nope\.json/);
    writeFileSync(join(top, 'safe-deploy.config.json'), '{"workflows": "w.ts",}');
    expect(() => loadProjectConfig({ cwd: top })).toThrow(/safe-deploy\.config\.json is not valid JSON/);
    writeFileSync(join(top, 'safe-deploy.config.json'), JSON.stringify({ workflows: 'w.ts', apiKey: 'k' }));
    expect(() => loadProjectConfig({ cwd: top })).toThrow(UsageError);
    expect(() => loadProjectConfig({ cwd: top })).toThrow(new RegExp(`"apiKey" is not allowed in ${join(top, 'safe-deploy.config.json').replace(/[.]/g, '\\.')}`));
  });
});

describe('check with a project config (built CLI)', () => {
  function project(settings: Record<string, unknown>): string {
    const dir = tmp('check');
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'safe-deploy.config.json'), JSON.stringify(settings));
    return dir;
  }

  it('a bare `check` runs from the config, and flags override it', async () => {
    const dir = project({ histories: [corpus], workflows: sampleWorkflows('v2') });
    const pass = await runCli(['check', '--output', 'json'], { cwd: dir });
    expect(pass.exitCode).toBe(0);
    expect(JSON.parse(pass.stdout)).toMatchObject({ verdict: 'passed', summary: { total: 7 } });
    const fail = await runCli(['check', '--workflows', sampleWorkflows('v3'), '--output', 'json'], { cwd: dir });
    expect(fail.exitCode).toBe(1);
  });

  it('--offline uses the config histories even though it names a deployment', async () => {
    const dir = project({ histories: [corpus], workflows: sampleWorkflows('v2'), deployment: 'research-agent', address: '127.0.0.1:1' });
    const offline = await runCli(['check', '--offline'], { cwd: dir });
    expect(offline.exitCode).toBe(0);
    expect(offline.stdout).toMatch(/PASSED/);
    expect(offline.stderr).toContain(`config: ${join(dir, 'safe-deploy.config.json')}`);
  });

  it('refuses an apiKey in the file with exit 2, naming the key, the file and where keys go', async () => {
    const dir = project({ workflows: sampleWorkflows('v2'), apiKey: 'sk-do-not-print' });
    const r = await runCli(['check', '--histories', corpus], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`"apiKey" is not allowed in ${join(dir, 'safe-deploy.config.json')}`);
    expect(r.stderr).toMatch(/hint: .*TEMPORAL_API_KEY/);
    expect(r.stderr).not.toContain('sk-do-not-print');
  });
});

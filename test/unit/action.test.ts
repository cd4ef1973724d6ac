/**
 * The GitHub Action (action.yml) run the way a runner runs a composite action's bash step, without
 * GitHub: the step's `run:` script is taken out of action.yml, every input the step maps to an
 * `INPUT_*` variable gets its default unless the test sets it, and the script runs under
 * `bash --noprofile --norc -eo pipefail` with GITHUB_ACTIONS, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT
 * and GITHUB_ACTION_PATH pointing at temp files / this repository (built by the test setup).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const ACTION = readFileSync(join(ROOT, 'action.yml'), 'utf8');
const LINES = ACTION.split('\n');

const indentOf = (line: string) => line.length - line.trimStart().length;
const unquote = (s: string) => s.trim().replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');

/** The lines of the block under the top-level key `key:`, up to the next top-level key. */
function topLevelBlock(key: string): string[] {
  const start = LINES.findIndex((l) => l === `${key}:`);
  if (start < 0) throw new Error(`action.yml has no top-level ${key}:`);
  const end = LINES.findIndex((l, i) => i > start && /^\S/.test(l));
  return LINES.slice(start + 1, end < 0 ? undefined : end);
}

/** `inputs:` as name -> default ('' when it has none). */
function actionInputs(): Map<string, string> {
  const inputs = new Map<string, string>();
  let current: string | undefined;
  for (const line of topLevelBlock('inputs')) {
    const name = /^ {2}([a-z][a-z0-9-]*):\s*$/.exec(line)?.[1];
    if (name) {
      current = name;
      inputs.set(name, '');
      continue;
    }
    const def = /^ {4}default:(.*)$/.exec(line)?.[1];
    if (def !== undefined && current) inputs.set(current, unquote(def));
  }
  return inputs;
}

/** `outputs:` as name -> value expression. */
function actionOutputs(): Map<string, string> {
  const outputs = new Map<string, string>();
  let current: string | undefined;
  for (const line of topLevelBlock('outputs')) {
    const name = /^ {2}([a-z][a-z0-9-]*):\s*$/.exec(line)?.[1];
    if (name) current = name;
    const value = /^ {4}value:(.*)$/.exec(line)?.[1];
    if (value !== undefined && current) outputs.set(current, value.trim());
  }
  return outputs;
}

/** The `id: run` step: its env mapping (variable -> input name) and its `run: |` script. */
function runStep(): { env: Map<string, string>; script: string } {
  const idLine = LINES.findIndex((l) => /^\s+id: run\s*$/.test(l));
  expect(idLine).toBeGreaterThan(0);
  const stepIndent = indentOf(LINES[idLine] as string);
  const env = new Map<string, string>();
  let script: string | undefined;
  for (let i = idLine + 1; i < LINES.length && script === undefined; i++) {
    const line = LINES[i] as string;
    if (line.trim() && indentOf(line) < stepIndent) break;
    const mapping = /^\s+(INPUT_[A-Z_]+): \$\{\{ inputs\.([a-z0-9-]+) \}\}\s*$/.exec(line);
    if (mapping) env.set(mapping[1] as string, mapping[2] as string);
    if (indentOf(line) === stepIndent && /^\s+run: \|\s*$/.test(line)) {
      const body: string[] = [];
      const blockIndent = indentOf(LINES[i + 1] as string);
      for (let j = i + 1; j < LINES.length; j++) {
        const l = LINES[j] as string;
        if (l.trim() && indentOf(l) < blockIndent) break;
        body.push(l.slice(blockIndent));
      }
      script = body.join('\n').trimEnd() + '\n';
    }
  }
  if (script === undefined) throw new Error('the run step has no `run: |` block');
  return { env, script };
}

const INPUTS = actionInputs();
const STEP = runStep();

interface StepResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: string;
  dir: string;
}

/** Runs the step as the runner would, with `inputs` as the workflow's `with:`. */
async function runStepScript(inputs: Record<string, string>, opts: { actionPath?: string; path?: string; env?: Record<string, string> } = {}): Promise<StepResult> {
  for (const name of Object.keys(inputs)) expect(INPUTS.has(name), `unknown input ${name}`).toBe(true);
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-action-'));
  const summaryFile = join(dir, 'summary.md');
  const outputFile = join(dir, 'output.txt');
  const scriptFile = join(dir, 'step.sh');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  writeFileSync(scriptFile, STEP.script);
  const env: Record<string, string> = {
    PATH: opts.path ?? process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    // The env is built from scratch: keep the test run's bundle cache (test/setup/bundle-cache-dir.ts), not ~/.cache.
    SAFE_DEPLOY_CACHE_DIR: process.env.SAFE_DEPLOY_CACHE_DIR ?? join(dir, 'cache'),
    TMPDIR: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    GITHUB_ACTION_PATH: opts.actionPath ?? ROOT,
    ...opts.env,
  };
  for (const [variable, input] of STEP.env) env[variable] = inputs[input] ?? INPUTS.get(input) ?? '';
  const r = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], {
    cwd: ROOT,
    env,
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
  return {
    exitCode: r.exitCode ?? -1,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    summary: readFileSync(summaryFile, 'utf8'),
    outputs: readFileSync(outputFile, 'utf8'),
    dir,
  };
}

describe('action.yml', () => {
  it('is a composite action that sets up Node (24, the current LTS, unless node-version says 20), then runs one bash step', () => {
    expect(ACTION).toMatch(/^runs:\n {2}using: composite\n/m);
    expect(ACTION).toMatch(/uses: actions\/setup-node@v4\n\s+with:\n\s+node-version: \$\{\{ inputs\.node-version \}\}\n/);
    expect(INPUTS.get('node-version')).toBe('24');
    expect(ACTION).toMatch(/if: inputs\.setup-node == 'true'/);
    expect(ACTION).toMatch(/shell: bash\n/);
    expect(INPUTS.get('command')).toBe('check');
    expect(INPUTS.get('setup-node')).toBe('true');
  });

  it('passes every input to the script through env, and none through ${{ }} in the script', () => {
    const mapped = [...STEP.env.values()].sort();
    expect(mapped).toEqual([...INPUTS.keys()].filter((i) => i !== 'setup-node' && i !== 'node-version').sort());
    for (const [variable, input] of STEP.env) expect(variable).toBe(`INPUT_${input.toUpperCase().replace(/-/g, '_')}`);
    expect(STEP.script).not.toContain('${{');
    expect(STEP.script).not.toMatch(/\beval\b/);
  });

  it('declares the outputs, each from the run step', () => {
    const outputs = actionOutputs();
    expect([...outputs.keys()]).toEqual(['verdict', 'gate', 'not-checked', 'total', 'compatible', 'incompatible', 'errors', 'upgraded', 'protected', 'nudged', 'moved', 'stragglers']);
    for (const [name, value] of outputs) expect(value).toBe(`\${{ steps.run.outputs.${name} }}`);
  });
});

describe('the action running safe-deploy check (offline, on the recorded histories)', () => {
  beforeAll(() => {
    expect(existsSync(join(ROOT, 'dist', 'cli', 'main.js')), 'build first: npx tsc -p tsconfig.json').toBe(true);
  });

  it('fails on v3: exit 1, the markdown report in the job summary, verdict=failed, incompatible=6', async () => {
    const r = await runStepScript({
      command: 'check',
      histories: 'histories/research-agent',
      workflows: 'sample-workers/research-agent/v3/workflows.ts',
      'build-id': 'v3-sha',
    });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.summary).toMatch(/❌/);
    expect(r.summary).toMatch(/\|/); // a markdown table
    expect(r.outputs).toMatch(/^verdict=failed$/m);
    expect(r.outputs).toMatch(/^total=7$/m);
    expect(r.outputs).toMatch(/^incompatible=6$/m);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::error '))).toHaveLength(6);
    expect(r.stderr).toContain('safe-deploy check --histories histories/research-agent --candidate-build-id v3-sha --workflows sample-workers/research-agent/v3/workflows.ts');
  });

  it('passes on v2: exit 0, verdict=passed', async () => {
    const r = await runStepScript({ command: 'check', histories: 'histories/research-agent', workflows: 'sample-workers/research-agent/v2/workflows.ts' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.outputs).toMatch(/^verdict=passed$/m);
    expect(r.outputs).toMatch(/^incompatible=0$/m);
    expect(r.summary).not.toBe('');
  });

  it('never shows the api-key: not in stdout, stderr, the summary or the outputs (Temporal unreachable: exit 3)', async () => {
    const secret = 'sd-test-key-5f1c0ffee';
    const r = await runStepScript({
      command: 'check',
      address: '127.0.0.1:1',
      namespace: 'research.a1b2c',
      'api-key': secret,
      deployment: 'research-agent',
      workflows: 'sample-workers/research-agent/v2/workflows.ts',
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(3);
    for (const text of [r.stdout, r.stderr, r.summary, r.outputs]) expect(text).not.toContain(secret);
    expect(r.stdout + r.stderr).toContain('127.0.0.1:1');
  });
});

describe('the arguments the action builds (safe-deploy stubbed)', () => {
  /** An action folder whose CLI only records how it was called. */
  function stubAction(built = true): { path: string; calls: string } {
    const path = mkdtempSync(join(tmpdir(), 'safe-deploy-stub-'));
    const calls = join(path, 'calls.jsonl');
    mkdirSync(join(path, 'bin'));
    writeFileSync(
      join(path, 'bin', 'safe-deploy.js'),
      `require('fs').appendFileSync(${JSON.stringify(calls)}, JSON.stringify({ argv: process.argv.slice(2), execArgv: process.execArgv, cwd: process.cwd(), apiKey: process.env.TEMPORAL_API_KEY ?? null, inputApiKey: process.env.INPUT_API_KEY ?? null }) + '\\n');\n`,
    );
    if (built) {
      mkdirSync(join(path, 'dist', 'cli'), { recursive: true });
      writeFileSync(join(path, 'dist', 'cli', 'main.js'), '');
    }
    return { path, calls };
  }
  const callsOf = (file: string) =>
    existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { argv: string[]; execArgv: string[]; cwd: string; apiKey: string | null; inputApiKey: string | null }) : [];

  it('deploy: every input as its flag, lists split, nothing expanded, the key only in TEMPORAL_API_KEY', async () => {
    const stub = stubAction();
    const r = await runStepScript(
      {
        command: 'deploy',
        address: 'research.a1b2c.tmprl.cloud:7233',
        namespace: 'research.a1b2c',
        'api-key': 'key $(touch pwned) `id`',
        'tls-ca-path': 'ca.pem',
        'tls-server-name': 'server.local',
        profile: 'prod',
        workflows: 'src/my workflows.ts',
        'payload-converter': 'src/converter.ts',
        codec: 'src/codec.ts',
        deployment: 'research-agent',
        'build-id': 'abc123',
        rollout: 'helm upgrade --install agent ./chart --set buildId=$GIT_SHA --wait; echo "$(whoami)"',
        promote: 'true',
        'on-auto-upgrade-failure': 'block',
        'long-running-types': 'ResearchPollingWorkflow, Watcher\n  Poller \n',
        'nudge-signal': 'wake_up',
        'extra-args': `--parallel 4 --query "WorkflowType = 'X'" --cache-dir '/tmp/a b' $HOME *`,
      },
      { actionPath: stub.path },
    );
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [call, ...more] = callsOf(stub.calls);
    expect(more).toEqual([]);
    expect(call?.execArgv).toEqual(['--single-threaded-gc']);
    expect(call?.argv).toEqual([
      'deploy',
      '--deployment', 'research-agent',
      '--candidate-build-id', 'abc123',
      '--rollout', 'helm upgrade --install agent ./chart --set buildId=$GIT_SHA --wait; echo "$(whoami)"',
      '--promote',
      '--on-auto-upgrade-failure', 'block',
      '--long-running-type', 'ResearchPollingWorkflow',
      '--long-running-type', 'Watcher',
      '--long-running-type', 'Poller',
      '--nudge-signal', 'wake_up',
      '--workflows', 'src/my workflows.ts',
      '--payload-converter', 'src/converter.ts',
      '--codec', 'src/codec.ts',
      '--address', 'research.a1b2c.tmprl.cloud:7233',
      '--namespace', 'research.a1b2c',
      '--tls-ca-path', 'ca.pem',
      '--tls-server-name', 'server.local',
      '--profile', 'prod',
      '--parallel', '4', '--query', "WorkflowType = 'X'", '--cache-dir', '/tmp/a b', '$HOME', '*',
    ]);
    expect(call?.apiKey).toBe('key $(touch pwned) `id`');
    expect(call?.inputApiKey).toBeNull();
    expect(existsSync(join(ROOT, 'pwned'))).toBe(false);
    expect(r.stdout + r.stderr).not.toContain('pwned');
  });

  it('nudge: long-running-types as --workflow-type, nudge-signal as --signal, in working-directory', async () => {
    const stub = stubAction();
    const r = await runStepScript(
      { command: 'nudge', deployment: 'research-agent', 'long-running-types': 'ResearchPollingWorkflow', 'nudge-signal': 'wake', 'working-directory': 'histories', 'extra-args': '--require-drained' },
      { actionPath: stub.path },
    );
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [call] = callsOf(stub.calls);
    expect(call?.argv).toEqual(['nudge', '--deployment', 'research-agent', '--workflow-type', 'ResearchPollingWorkflow', '--signal', 'wake', '--require-drained']);
    expect(call?.cwd).toBe(join(ROOT, 'histories'));
    expect(call?.apiKey).toBeNull();
  });

  it('leaves a TEMPORAL_API_KEY set by the job alone when the api-key input is empty', async () => {
    const stub = stubAction();
    const r = await runStepScript({ command: 'nudge', deployment: 'd' }, { actionPath: stub.path, env: { TEMPORAL_API_KEY: 'from-job-env' } });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(callsOf(stub.calls)[0]?.apiKey).toBe('from-job-env');
  });

  it('installs and builds the action first when it is not built', async () => {
    const stub = stubAction(false);
    const fakeBin = join(stub.path, 'fake-bin');
    mkdirSync(fakeBin);
    const npmLog = join(stub.path, 'npm.log');
    writeFileSync(join(fakeBin, 'npm'), `#!/usr/bin/env bash\necho "$PWD: $*" >> ${JSON.stringify(npmLog)}\n`);
    chmodSync(join(fakeBin, 'npm'), 0o755);
    const r = await runStepScript({ histories: 'histories/research-agent' }, { actionPath: stub.path, path: `${fakeBin}${delimiter}${process.env.PATH ?? ''}` });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(npmLog, 'utf8')).toBe(`${stub.path}: ci --no-audit --no-fund\n${stub.path}: run build\n`);
    expect(callsOf(stub.calls)[0]?.argv).toEqual(['check', '--histories', 'histories/research-agent']);
  });

  it.each<{ scenario: string; inputs: Record<string, string>; message: string }>([
    { scenario: 'an unknown command', inputs: { command: 'destroy' }, message: "input 'command' must be check, deploy or nudge" },
    { scenario: 'an input the command does not use', inputs: { command: 'deploy', histories: 'h' }, message: "input 'histories' is not used by 'deploy'" },
    { scenario: 'promote for check', inputs: { command: 'check', promote: 'true' }, message: "input 'promote' is not used by 'check'" },
    { scenario: 'a bool that is not one', inputs: { command: 'deploy', promote: 'yes' }, message: "expected true or false, got 'yes'" },
    { scenario: 'an unmatched quote in extra-args', inputs: { 'extra-args': '--query "open' }, message: "cannot split input 'extra-args'" },
  ])('$scenario: exit 2 with an error annotation, nothing run', async ({ inputs, message }) => {
    const stub = stubAction();
    const r = await runStepScript(inputs, { actionPath: stub.path });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain(`::error title=safe-deploy::${message}`);
    expect(callsOf(stub.calls)).toEqual([]);
  });
});

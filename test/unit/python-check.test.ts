/**
 * `safe-deploy check` with Python candidates, on the recorded histories of the Python research
 * agent (histories/research-agent-python) and of the TypeScript one, run as a user runs it: the
 * built CLI, the project's Python environment (test/setup/python-env.ts) as the user's interpreter.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyFacts } from '../../cli/core/history-facts.js';
import { parseHistoryJson } from '../../cli/temporal/history-json.js';
import { pythonInterpreter } from '../../cli/temporal/python-candidate.js';
import { execa } from 'execa';
import { BIN, runCli, sampleWorkflows } from '../helpers/cli.js';
import { encryptPayloads } from '../helpers/encrypt-payloads.js';

const root = join(import.meta.dirname, '..', '..');
const pyCorpus = join(root, 'histories', 'research-agent-python');
const tsCorpus = join(root, 'histories', 'research-agent');
const pyWorkflows = (v: 'v1' | 'v2' | 'v3') => join(root, 'sample-workers', 'research-agent-py', v, 'workflows.py');
const python = () => {
  const path = process.env.SAFE_DEPLOY_TEST_PYTHON;
  if (!path) throw new Error('SAFE_DEPLOY_TEST_PYTHON is set by test/setup/python-env.ts');
  return path;
};
const PAUSED = ['research-paused-coral-reefs', 'research-paused-fusion', 'research-paused-quantum-batteries'];

type JsonReport = {
  verdict: string;
  candidate: { source: string; bundleHash: string; sdk?: { language: string; version: string; origin: string; path: string; runtime?: string }; sdks?: { language: string }[] };
  summary: { total: number; compatible: number; incompatible: number; errors: number };
  results: { workflowId: string; workflowType: string; verdict: string; historyHad?: string; codeDid?: string; message?: string }[];
};

const check = async (args: string[]) => {
  const r = await runCli(['check', ...args, '--python', python(), '--output', 'json']);
  return { ...r, report: JSON.parse(r.stdout || '{}') as JsonReport };
};

describe('the recorded Python histories', () => {
  it('name their SDK, as the TypeScript ones do', () => {
    const sdkOf = (dir: string) => historyFacts(parseHistoryJson(readFileSync(join(dir, 'research-paused-fusion.json'), 'utf8'), 'x')).sdkName;
    expect(sdkOf(pyCorpus)).toBe('temporal-python');
    expect(sdkOf(tsCorpus)).toBe('temporal-typescript');
  });
});

describe('the interpreter of a Python candidate', () => {
  it('is --python, else the project\'s .venv, else $VIRTUAL_ENV, else python3', () => {
    const venv = (dir: string) => {
      mkdirSync(join(dir, 'bin'), { recursive: true });
      writeFileSync(join(dir, 'bin', 'python'), '');
      return join(dir, 'bin', 'python');
    };
    const project = mkdtempSync(join(tmpdir(), 'safe-deploy-py-project-'));
    const projectPython = venv(join(project, '.venv'));
    const active = mkdtempSync(join(tmpdir(), 'safe-deploy-py-active-'));
    const activePython = venv(active);
    const elsewhere = mkdtempSync(join(tmpdir(), 'safe-deploy-py-none-'));
    expect(pythonInterpreter('/opt/py/bin/python', project, { VIRTUAL_ENV: active })).toBe('/opt/py/bin/python');
    expect(pythonInterpreter(undefined, project, { VIRTUAL_ENV: active })).toBe(projectPython);
    expect(pythonInterpreter(undefined, elsewhere, { VIRTUAL_ENV: active })).toBe(activePython);
    expect(pythonInterpreter(undefined, elsewhere, {})).toBe('python3');
  });
});

describe('check with a Python candidate', () => {
  it('passes v2 (a workflow.patched change): every history replays, and the report names the temporalio that replayed', async () => {
    const r = await check(['--histories', pyCorpus, '--workflows', pyWorkflows('v2')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.report.summary).toEqual({ total: 7, compatible: 7, incompatible: 0, errors: 0, notChecked: 0 });
    expect(r.report.candidate.sdk).toMatchObject({ language: 'python', version: '1.24.0', origin: 'project', path: python(), runtime: expect.stringMatching(/^3\.\d+\.\d+$/) });
    expect(r.report.candidate.bundleHash).toMatch(/^sha256:[0-9a-f]{16}$/);
  });

  it('fails v3 (fact_check after each step), naming the paused research executions and where they diverge', async () => {
    const r = await check(['--histories', pyCorpus, '--workflows', pyWorkflows('v3'), '--parallel', '2']);
    expect(r.exitCode).toBe(1);
    const ndes = r.report.results.filter((x) => x.verdict === 'nondeterministic');
    for (const id of PAUSED) {
      const result = ndes.find((x) => x.workflowId === id);
      expect(result, id).toMatchObject({ historyHad: expect.stringMatching(/^activity execute_research_step scheduled at event \d+$/), codeDid: 'activity fact_check there' });
      expect(result?.message).toContain('[TMPRL1100]');
    }
    const text = await runCli(['check', '--histories', pyCorpus, '--workflows', pyWorkflows('v3'), '--python', python()]);
    expect(text.stdout).toMatch(/history had activity execute_research_step scheduled at event \d+, code did activity fact_check there/);
    expect(text.stdout).toContain('replayed with temporalio 1.24.0');
  });

  it('replays only the listed workflow classes: a history of another type lacks its workflow type', async () => {
    const r = await check(['--histories', pyCorpus, '--workflows', `${pyWorkflows('v2')}:ResearchWorkflow`]);
    expect(r.exitCode).toBe(1);
    const pollers = r.report.results.filter((x) => x.workflowType === 'ResearchPollingWorkflow');
    expect(pollers.map((x) => x.verdict)).toEqual(['missing-workflow-type', 'missing-workflow-type']);
    expect(r.report.results.filter((x) => x.workflowType === 'ResearchWorkflow').every((x) => x.verdict === 'compatible')).toBe(true);
  });

  it('replays encrypted payloads with a Python --codec module, and cannot without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-py-encrypted-'));
    for (const f of ['research-paused-fusion.json', 'research-completed-tidal-power.json']) {
      writeFileSync(join(dir, f), JSON.stringify(await encryptPayloads(JSON.parse(readFileSync(join(pyCorpus, f), 'utf8')))));
    }
    const codec = join(root, 'test', 'fixtures', 'codec', 'xor_codec.py');
    const withCodec = await check(['--histories', dir, '--workflows', pyWorkflows('v2'), '--codec', codec]);
    expect(withCodec.exitCode, withCodec.stderr).toBe(0);
    expect(withCodec.report.summary).toMatchObject({ total: 2, compatible: 2 });
    const without = await check(['--histories', dir, '--workflows', pyWorkflows('v2')]);
    expect(without.exitCode).toBe(1);
    expect(without.report.summary.compatible).toBe(0);
  });

  it('a codec module with payload_codecs runs every codec of the list: payloads encrypted twice need both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-py-encrypted-twice-'));
    const histories = join(dir, 'histories');
    mkdirSync(histories);
    for (const f of ['research-paused-fusion.json', 'research-completed-tidal-power.json']) {
      const once = await encryptPayloads(JSON.parse(readFileSync(join(pyCorpus, f), 'utf8')));
      writeFileSync(join(histories, f), JSON.stringify(await encryptPayloads(once)));
    }
    const fixture = join(root, 'test', 'fixtures', 'codec', 'xor_codec.py');
    const chain = (n: number) => {
      const file = join(dir, `chain_${n}.py`);
      writeFileSync(
        file,
        [
          'import importlib.util',
          `spec = importlib.util.spec_from_file_location("xor_codec_fixture", ${JSON.stringify(fixture)})`,
          'assert spec and spec.loader',
          'xor = importlib.util.module_from_spec(spec)',
          'spec.loader.exec_module(xor)',
          `payload_codecs = [xor.XorCodec() for _ in range(${n})]`,
          '',
        ].join('\n'),
      );
      return file;
    };
    const both = await check(['--histories', histories, '--workflows', pyWorkflows('v2'), '--codec', chain(2)]);
    expect(both.exitCode, both.stderr).toBe(0);
    expect(both.report.summary).toMatchObject({ total: 2, compatible: 2 });
    // One layer peeled is not enough: the arguments are still encrypted.
    const one = await check(['--histories', histories, '--workflows', pyWorkflows('v2'), '--codec', chain(1)]);
    expect(one.exitCode).toBe(1);
    expect(one.report.summary.compatible).toBe(0);
  });

  it('fingerprints the candidate by its sources: the same code has the same hash, other code another', async () => {
    const [a, b, c] = await Promise.all([
      check(['--histories', join(pyCorpus, 'research-paused-fusion.json'), '--workflows', pyWorkflows('v2')]),
      check(['--histories', join(pyCorpus, 'research-paused-fusion.json'), '--workflows', pyWorkflows('v2')]),
      check(['--histories', join(pyCorpus, 'research-paused-fusion.json'), '--workflows', pyWorkflows('v3')]),
    ]);
    expect(a.report.candidate.bundleHash).toBe(b.report.candidate.bundleHash);
    expect(c.report.candidate.bundleHash).not.toBe(a.report.candidate.bundleHash);
  });

  it('exits 2 with a hint when the module does not import, or the interpreter has no temporalio', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-py-broken-'));
    writeFileSync(join(dir, 'workflows.py'), 'from temporalio import workflow\n\ndef broken(:\n');
    const broken = await runCli(['check', '--histories', pyCorpus, '--workflows', join(dir, 'workflows.py'), '--python', python()]);
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toMatch(/the Python candidate does not load: cannot import workflows module .*SyntaxError/);
    const bare = await runCli(['check', '--histories', pyCorpus, '--workflows', pyWorkflows('v2'), '--python', 'python3'], { env: { PYTHONNOUSERSITE: '1' } });
    expect(bare.exitCode).toBe(2);
    expect(bare.stderr).toMatch(/temporalio is not installed in .*\nhint: pass --python PATH/);
  });
});

describe('check with a Python candidate, interrupted', () => {
  it('on Ctrl-C to the whole process group (as a terminal sends it) reports what it checked and exits 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-py-interrupt-'));
    const files = readdirSync(pyCorpus);
    for (let i = 0; i < 700; i++) {
      const f = files[i % files.length] as string;
      cpSync(join(pyCorpus, f), join(dir, `${String(i).padStart(5, '0')}-${f}`));
    }
    const child = execa('node', [BIN, 'check', '--histories', dir, '--workflows', pyWorkflows('v2'), '--python', python(), '--parallel', '2', '--output', 'json', '--verbose'], {
      reject: false,
      detached: true, // its own process group, so that the signal below reaches the replay helpers too
    });
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (c: Buffer) => {
        if (/replayed [1-9]\d*/.test(c.toString())) resolve();
      });
    });
    process.kill(-(child.pid as number), 'SIGINT');
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(130);
    const report = JSON.parse(String(r.stdout)) as JsonReport & { interrupted?: { notChecked: number } };
    expect(report.interrupted?.notChecked).toBeGreaterThan(0);
    expect(report.summary.total + (report.interrupted?.notChecked ?? 0)).toBe(700);
    expect(report.summary.compatible).toBe(report.summary.total);
  });
});

describe('check of a mixed deployment: each history replays on the candidate of its SDK', () => {
  const mixed = () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-mixed-'));
    // File name = workflow ID, so each SDK's corpus keeps its own folder.
    cpSync(tsCorpus, join(dir, 'typescript'), { recursive: true });
    cpSync(pyCorpus, join(dir, 'python'), { recursive: true });
    return dir;
  };

  it('with a candidate per SDK, v2 of both passes and v3 of both fails on both SDKs', async () => {
    const dir = mixed();
    const v2 = await check(['--histories', dir, '--workflows', sampleWorkflows('v2'), '--python-workflows', pyWorkflows('v2')]);
    expect(v2.exitCode, v2.stderr).toBe(0);
    expect(v2.report.summary).toEqual({ total: 14, compatible: 14, incompatible: 0, errors: 0, notChecked: 0 });
    expect(v2.report.candidate.sdks?.map((s) => s.language)).toEqual(['typescript', 'python']);
    const v3 = await check(['--histories', dir, '--workflows', sampleWorkflows('v3'), '--python-workflows', pyWorkflows('v3')]);
    expect(v3.exitCode).toBe(1);
    const diverged = v3.report.results.filter((x) => x.verdict === 'nondeterministic').map((x) => `${x.historyHad} / ${x.codeDid}`.replace(/ at event \d+/, ''));
    expect(diverged).toContain('activity researchStep scheduled / activity factCheck there');
    expect(diverged).toContain('activity execute_research_step scheduled / activity fact_check there');
  });

  it('with a Python candidate only, the TypeScript histories are reported as not replayed, not as NDEs', async () => {
    const r = await check(['--histories', mixed(), '--workflows', pyWorkflows('v2')]);
    expect(r.exitCode).toBe(1);
    expect(r.report.summary).toEqual({ total: 14, compatible: 7, incompatible: 0, errors: 7, notChecked: 0 });
    const others = r.report.results.filter((x) => x.verdict !== 'compatible');
    expect(others.every((x) => x.verdict === 'replay-error' && x.message?.startsWith('a TypeScript history (temporal-typescript), and the candidate is Python: not replayed'))).toBe(true);
  });

  it('with a TypeScript candidate only, the Python histories are reported as not replayed, not as NDEs', async () => {
    const r = await check(['--histories', mixed(), '--workflows', sampleWorkflows('v3')]);
    expect(r.exitCode).toBe(1);
    const python = r.report.results.filter((x) => x.message?.startsWith('a Python history'));
    expect(python).toHaveLength(7);
    expect(python.every((x) => x.verdict === 'replay-error')).toBe(true);
  });
});

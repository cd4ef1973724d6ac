import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ANNOTATIONS, reportCheckToGitHub } from './check-github.js';
import { MIXED_RESULTS, sampleReport, sampleResult, UNCHECKED_ITEMS } from './check-fixtures.js';

let dir: string;
let env: { GITHUB_STEP_SUMMARY: string; GITHUB_OUTPUT: string };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'safe-deploy-check-github-'));
  env = { GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), GITHUB_OUTPUT: join(dir, 'output') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const outputs = (): Record<string, string> => Object.fromEntries(readFileSync(env.GITHUB_OUTPUT, 'utf8').trimEnd().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));

describe('reportCheckToGitHub', () => {
  it('all compatible: summary appended, outputs written, no annotations', () => {
    writeFileSync(env.GITHUB_STEP_SUMMARY, '# earlier step\n');
    const { annotations } = reportCheckToGitHub(sampleReport(), env);
    expect(annotations).toEqual([]);
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8');
    expect(summary.startsWith('# earlier step\n## ✅ safe-deploy check passed\n')).toBe(true);
    expect(outputs()).toEqual({ verdict: 'passed', gate: 'pass', total: '2', compatible: '2', incompatible: '0', errors: '0', 'not-checked': '0', 'bundle-hash': 'sha256:9f2c4e' });
  });

  it('mixed verdicts: one error annotation per execution not proven compatible, failures first', () => {
    const { annotations } = reportCheckToGitHub(sampleReport({ results: MIXED_RESULTS }), env);
    expect(annotations).toEqual([
      "::error title=OrderWorkflow order-3::nondeterministic (run ID run-o3, version orders:v1, event 5): history had activity researchStep, code did activity factCheck: [TMPRL1100] Nondeterminism error: Activity type of scheduled event 'researchStep' does not match activity type of activity command 'factCheck'",
      "::error title=RefundWorkflow refund-1::missing workflow type (run ID run-r1, version orders:v1): Failed to initialize workflow of type 'RefundWorkflow': no such function is exported by the workflow bundle",
      '::error title=ShippingWorkflow ship-1::replay error (run ID run-s1, version unversioned): Unknown encoding: binary/encrypted',
    ]);
    expect(outputs()).toMatchObject({ verdict: 'failed', total: '5', compatible: '2', incompatible: '2', errors: '1' });
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')).toContain('## ❌ safe-deploy check failed');
  });

  it('interrupted: outputs how many were not checked, and warns', () => {
    const { annotations } = reportCheckToGitHub(sampleReport({ interrupted: { notChecked: 9 } }), env);
    expect(outputs()).toMatchObject({ verdict: 'incomplete', gate: 'fail', 'not-checked': '9' });
    expect(annotations).toEqual(['::error title=safe-deploy check interrupted::Interrupted: 9 executions were NOT checked; the counts below cover only what finished.']);
  });

  it('unloadable files and unfetchable executions: counted in not-checked, one error annotation each', () => {
    const { annotations } = reportCheckToGitHub(sampleReport({ unchecked: [...UNCHECKED_ITEMS] }), env);
    expect(outputs()).toMatchObject({ verdict: 'incomplete', gate: 'fail', total: '2', compatible: '2', 'not-checked': '2' });
    expect(annotations).toHaveLength(2);
    expect(annotations[0]).toBe('::error title=safe-deploy check%3A not checked::history file histories/empty.json: could not be loaded: histories/empty.json: not valid JSON (Unexpected end of JSON input)');
  });

  it(`caps error annotations at ${MAX_ANNOTATIONS} and summarises the rest in one warning`, () => {
    const results = Array.from({ length: MAX_ANNOTATIONS + 3 }, (_, i) => sampleResult({ workflowId: `order-${String(i).padStart(3, '0')}`, verdict: 'nondeterministic' }));
    const { annotations } = reportCheckToGitHub(sampleReport({ results }), env);
    expect(annotations.filter((a) => a.startsWith('::error '))).toHaveLength(MAX_ANNOTATIONS);
    expect(annotations.at(-1)).toBe('::warning title=safe-deploy check::3 more executions not proven compatible; see the job summary or the JSON report');
  });

  it('an annotation stays one workflow command whatever the workflow ID holds', () => {
    const { annotations } = reportCheckToGitHub(sampleReport({ results: [sampleResult({ workflowId: 'a,b:c\n::set-env', verdict: 'replay-error', message: '50%\nnext' })] }), env);
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).not.toContain('\n');
    expect(annotations[0]?.startsWith('::error title=OrderWorkflow a%2Cb%3Ac\\n%3A%3Aset-env::')).toBe(true);
    expect(annotations[0]).toContain('50%25\\nnext');
  });

  it('outside Actions it writes nothing and still returns the annotations', () => {
    const { annotations } = reportCheckToGitHub(sampleReport({ results: MIXED_RESULTS }), {});
    expect(annotations).toHaveLength(3);
    expect(existsSync(env.GITHUB_STEP_SUMMARY)).toBe(false);
    expect(existsSync(env.GITHUB_OUTPUT)).toBe(false);
  });
});

/**
 * `safe-deploy check` on bad input, run as a user runs it (the built CLI in a child process).
 * Everything here works offline or against an address where nothing listens: no server needed.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, sampleWorkflows } from '../helpers/cli.js';
import { encryptPayloads } from '../helpers/encrypt-payloads.js';

const root = join(import.meta.dirname, '..', '..');
const corpus = join(root, 'histories', 'research-agent');
const tmp = (label: string) => mkdtempSync(join(tmpdir(), `safe-deploy-${label}-`));
/** Candidate sources must sit inside a project with @temporalio/workflow installed: ours (git-ignored). */
const tmpInRepo = (label: string) => {
  mkdirSync(join(root, '.safe-deploy', 'tmp'), { recursive: true });
  return mkdtempSync(join(root, '.safe-deploy', 'tmp', `${label}-`));
};

type JsonReport = { verdict: string; summary: { total: number; compatible: number; incompatible: number; errors: number }; results: { workflowId: string; verdict: string; message?: string }[]; interrupted?: { notChecked: number } };

describe('check on bad input', () => {
  it('exits 2 and names the malformed file, after reporting the histories that did load', async () => {
    const dir = tmp('malformed');
    cpSync(join(corpus, 'research-paused-fusion.json'), join(dir, 'good.json'));
    writeFileSync(join(dir, 'broken.json'), '{"events": [ {"eventId": "1"');
    const r = await runCli(['check', '--histories', dir, '--workflows', sampleWorkflows('v2'), '--output', 'json']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/broken\.json: not valid JSON/);
    expect((JSON.parse(r.stdout) as JsonReport).summary).toMatchObject({ total: 1, compatible: 1 });
  });

  it('exits 2 on an empty folder', async () => {
    const r = await runCli(['check', '--histories', tmp('empty'), '--workflows', sampleWorkflows('v2')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no \*\.json history files in/);
    expect(r.stderr).toMatch(/hint:/);
  });

  it('refuses the UI "Readable" download with the download to use instead', async () => {
    const dir = tmp('readable');
    const json = JSON.parse(readFileSync(join(corpus, 'research-paused-fusion.json'), 'utf8'));
    json.events[0].workflowExecutionStartedEventAttributes.input = { payloads: ['compact fusion reactors'] };
    writeFileSync(join(dir, 'readable.json'), JSON.stringify(json));
    const r = await runCli(['check', '--histories', dir, '--workflows', sampleWorkflows('v2')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Readable/);
    expect(r.stderr).toMatch(/temporal workflow show --output json/);
  });

  it('reports a history whose workflow type the candidate lacks, and fails the gate', async () => {
    const dir = tmpInRepo('missing-type');
    const candidate = join(dir, 'workflows.ts');
    writeFileSync(candidate, `export { ResearchWorkflow } from ${JSON.stringify(sampleWorkflows('v1'))};\n`);
    const r = await runCli(['check', '--histories', join(corpus, 'research-poller-idle.json'), '--workflows', candidate, '--output', 'json']);
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.results).toEqual([expect.objectContaining({ workflowId: 'research-poller-idle', verdict: 'missing-workflow-type' })]);
  });

  it('exits 2 when the workflows path does not exist', async () => {
    const r = await runCli(['check', '--histories', corpus, '--workflows', '/nonexistent/workflows.ts']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('workflows path not found: /nonexistent/workflows.ts');
  });

  it("exits 2 when the candidate does not compile, with the compiler's message trimmed", async () => {
    const dir = tmpInRepo('bad-bundle');
    const candidate = join(dir, 'workflows.ts');
    writeFileSync(candidate, `import { nothing } from './does-not-exist.js';\nexport async function W(): Promise<void> { nothing(); }\n`);
    const r = await runCli(['check', '--histories', corpus, '--workflows', candidate]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/does not bundle/);
    expect(r.stderr).toMatch(/does-not-exist/);
    expect(r.stderr.split('\n').length).toBeLessThan(25);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('exits 3 with a hint when the server is unreachable, and never prints the API key', async () => {
    const secret = 'sd-test-secret-9f1c2e';
    const r = await runCli(['check', '--deployment', 'x', '--address', '127.0.0.1:1', '--api-key', secret, '--workflows', sampleWorkflows('v2')], {
      env: { TEMPORAL_API_KEY: secret },
    });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1/);
    expect(r.stderr).toMatch(/hint:/);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('exits 2 on usage errors: no selection, two candidates, an unknown flag, a bad shard', async () => {
    const cases = [
      [['check', '--workflows', sampleWorkflows('v2')], /nothing selects the executions/],
      [['check', '--histories', corpus, '--workflows', 'a.ts', '--bundle', 'b.js'], /--workflows and --bundle both given/],
      [['check', '--histories', corpus, '--workflow', 'a.ts'], /unknown option '--workflow'[\s\S]*--workflows/],
      [['check', '--histories', corpus, '--workflows', 'a.ts', '--shard', '3/2'], /invalid shard/],
    ] as const;
    for (const [args, message] of cases) {
      const r = await runCli([...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('exits 2 on a --bundle that is not a workflow bundle: no inline source map, a folder, code the SDK cannot load', async () => {
    const dir = tmp('bundles');
    writeFileSync(join(dir, 'text.js'), 'not a bundle\n');
    // Looks like one (the source map comment bundleWorkflowCode writes) but is not: fails in the replay worker.
    writeFileSync(join(dir, 'fake.js'), 'var x = 1;\n//# sourceMappingURL=data:application/json;base64,e30=\n');
    const cases = [
      [join(dir, 'text.js'), /text\.js is not a workflow bundle: it has no inline source map/],
      [dir, /is a folder, not a bundle file/],
      [join(dir, 'fake.js'), /the SDK's replay worker could not load the candidate .*fake\.js/],
    ] as const;
    for (const [bundle, message] of cases) {
      for (const parallel of ['1', '2']) {
        const r = await runCli(['check', '--histories', corpus, '--bundle', bundle, '--parallel', parallel]);
        expect(r.exitCode, `${bundle} --parallel ${parallel}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toMatch(/hint:/);
        expect(r.stderr).not.toMatch(/internal error/);
      }
    }
  });

  it('exits 2 before any work when a report, plan or cache path cannot be written, naming the flag', async () => {
    const missing = join(tmp('outputs'), 'no-such-folder');
    // Against an address where nothing listens: the output is refused before any connection (exit 3) is tried.
    const live = ['--deployment', 'x', '--address', '127.0.0.1:1', '--workflows', sampleWorkflows('v2')];
    const cases = [
      [['check', '--histories', corpus, '--workflows', sampleWorkflows('v2'), '--junit', join(missing, 'r.xml')], /--junit .*no-such-folder.*does not exist/],
      [['check', '--histories', corpus, '--workflows', sampleWorkflows('v2'), '--markdown', tmp('a-folder')], /--markdown .* is a folder, not a file/],
      [['plan', ...live, '--candidate-build-id', 'v2', '--out', join(missing, 'plan.json')], /--out .*no-such-folder.*does not exist/],
      [['plan', ...live, '--candidate-build-id', 'v2', '--check-report', join(missing, 'c.json')], /--check-report .*does not exist/],
      [['deploy', ...live, '--candidate-build-id', 'v2', '--plan-out', join(missing, 'plan.json')], /--plan-out .*does not exist/],
      [['merge', join(corpus, 'a.json'), '--junit', join(missing, 'r.xml')], /--junit .*does not exist/],
      [['check', ...live, '--cache-dir', join(corpus, 'research-paused-fusion.json')], /--cache-dir .* is a file, not a folder/],
    ] as const;
    for (const [args, message] of cases) {
      const r = await runCli([...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/hint: pass a (file path in a folder that exists|folder)/);
      expect(r.stderr).not.toMatch(/internal error/);
    }
  });

  it('replays encrypted payloads with the --codec module, and cannot without it', async () => {
    const dir = tmp('encrypted');
    for (const f of ['research-paused-fusion.json', 'research-completed-tidal-power.json']) {
      writeFileSync(join(dir, f), JSON.stringify(await encryptPayloads(JSON.parse(readFileSync(join(corpus, f), 'utf8')))));
    }
    expect(readFileSync(join(dir, 'research-paused-fusion.json'), 'utf8')).not.toContain(Buffer.from('"compact fusion reactors"').toString('base64'));

    const withCodec = await runCli(['check', '--histories', dir, '--workflows', sampleWorkflows('v2'), '--codec', join(root, 'test', 'fixtures', 'codec', 'xor-codec.mjs'), '--output', 'json']);
    expect(withCodec.exitCode, withCodec.stderr).toBe(0);
    expect((JSON.parse(withCodec.stdout) as JsonReport).summary).toMatchObject({ total: 2, compatible: 2 });

    const without = await runCli(['check', '--histories', dir, '--workflows', sampleWorkflows('v2'), '--output', 'json']);
    expect(without.exitCode).toBe(1);
    const report = JSON.parse(without.stdout) as JsonReport;
    expect(report.summary.errors + report.summary.incompatible).toBe(2);
  });

  it('on Ctrl-C stops, reports what it checked and how many it did not, and exits 130', async () => {
    const dir = tmp('interrupt');
    const files = readdirSync(corpus);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 1500; i++) {
      const f = files[i % files.length] as string;
      cpSync(join(corpus, f), join(dir, `${String(i).padStart(5, '0')}-${f}`));
    }
    const child = execa('node', [BIN, 'check', '--histories', dir, '--workflows', sampleWorkflows('v2'), '--output', 'json', '--verbose', '--parallel', '1'], {
      reject: false,
    });
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (c: Buffer) => {
        if (/replayed \d+/.test(c.toString())) resolve();
      });
    });
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    const report = JSON.parse(String(r.stdout)) as JsonReport;
    expect(report.verdict).toBe('incomplete');
    expect(report.interrupted?.notChecked).toBeGreaterThan(0);
    expect(report.summary.total + (report.interrupted?.notChecked ?? 0)).toBe(1500);
    expect(String(r.stderr)).toMatch(/interrupted: \d+ executions were not checked/);
  }, 120_000);
});

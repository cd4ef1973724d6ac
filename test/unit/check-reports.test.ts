/** check's report files and its GitHub Actions output, as a runner would see them. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli, sampleWorkflows } from '../helpers/cli.js';

const corpus = join(import.meta.dirname, '..', '..', 'histories', 'research-agent');

it('writes JUnit and markdown files, the job summary, step outputs and ::error annotations', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-gha-'));
  const summary = join(dir, 'summary.md');
  const output = join(dir, 'output.txt');
  writeFileSync(summary, '# earlier step\n');
  const r = await runCli(['check', '--histories', corpus, '--workflows', sampleWorkflows('v3'), '--junit', join(dir, 'junit.xml'), '--markdown', join(dir, 'report.md')], {
    env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output },
  });
  expect(r.exitCode).toBe(1);

  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  expect(junit.match(/<testcase /g)).toHaveLength(7);
  expect(junit.match(/<failure /g)).toHaveLength(6);
  expect(junit).toContain('research-paused-fusion');

  const markdown = readFileSync(join(dir, 'report.md'), 'utf8');
  expect(markdown).toMatch(/❌/);
  expect(readFileSync(summary, 'utf8')).toMatch(/^# earlier step\n[\s\S]*❌/);

  const outputs = readFileSync(output, 'utf8');
  expect(outputs).toMatch(/^verdict=failed$/m);
  expect(outputs).toMatch(/^total=7$/m);
  expect(outputs).toMatch(/^incompatible=6$/m);
  expect(outputs).toMatch(/^bundle-hash=sha256:[0-9a-f]{16}$/m);

  const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::error '));
  expect(annotations).toHaveLength(6);
  expect(annotations.join('\n')).toContain('research-paused-fusion');
});

/** check's report files and its GitHub Actions output, as a runner would see them. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

it('one good history and one 0-byte file: exit 2, and no report says passed (text, JSON, JUnit, markdown, GitHub)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-unloadable-'));
  const histories = join(dir, 'histories');
  mkdirSync(histories);
  copyFileSync(join(corpus, 'research-paused-fusion.json'), join(histories, 'good.json'));
  writeFileSync(join(histories, 'zero.json'), '');
  const summary = join(dir, 'summary.md');
  const output = join(dir, 'output.txt');
  const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output };
  const files = ['--junit', join(dir, 'junit.xml'), '--markdown', join(dir, 'report.md')];

  const text = await runCli(['check', '--histories', histories, '--workflows', sampleWorkflows('v2'), ...files], { env });
  expect(text.exitCode).toBe(2);
  expect(text.stdout).not.toContain('PASSED');
  expect(text.stdout).toMatch(/^UNLOADABLE {2}history file .*zero\.json: could not be loaded/m);
  expect(text.stdout).toMatch(/^INCOMPLETE: 1 of 1 replayed execution replays cleanly; 1 not checked: 1 file could not be loaded$/m);

  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  expect(junit).toMatch(/<testsuites name="safe-deploy check" tests="2" failures="0" errors="1"/);
  expect(junit).toMatch(/<testcase classname="safe-deploy check: not checked" name="[^"]*zero\.json">\n {6}<error [^>]*type="unloadable"/);

  const markdown = readFileSync(join(dir, 'report.md'), 'utf8');
  expect(markdown.split('\n')[0]).toBe('## ❌ safe-deploy check incomplete: not everything was checked');
  expect(markdown).toContain('### Not checked (1)');
  expect(markdown).not.toContain('✅');
  expect(readFileSync(summary, 'utf8')).not.toContain('✅');

  const outputs = readFileSync(output, 'utf8');
  expect(outputs).toMatch(/^verdict=incomplete$/m);
  expect(outputs).toMatch(/^gate=fail$/m);
  expect(outputs).toMatch(/^not-checked=1$/m);
  expect(text.stdout).toMatch(/^::error title=safe-deploy check%3A not checked::history file .*zero\.json/m);

  const json = await runCli(['check', '--histories', histories, '--workflows', sampleWorkflows('v2'), '--output', 'json']);
  expect(json.exitCode).toBe(2);
  const report = JSON.parse(json.stdout) as { verdict: string; gate: string; summary: Record<string, number>; unchecked: { reason: string; origin: string }[] };
  expect(report.verdict).toBe('incomplete');
  expect(report.gate).toBe('fail');
  expect(report.summary).toMatchObject({ total: 1, compatible: 1, notChecked: 1 });
  expect(report.unchecked).toEqual([expect.objectContaining({ reason: 'unloadable', origin: join(histories, 'zero.json') })]);
});

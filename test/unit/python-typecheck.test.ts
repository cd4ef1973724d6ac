/**
 * pyright (the devDependency) on the Python replay helper and the Python sample agent, as
 * pyrightconfig.json sets it up: strict, Python 3.11, `temporalio` resolved from the project's
 * environment that test/setup/python-env.ts builds (.safe-deploy/python).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PYRIGHT = join(ROOT, 'node_modules', '.bin', 'pyright');
const CHECKED = ['python', join('sample-workers', 'research-agent-py')];

type Diagnostic = { file: string; severity: 'error' | 'warning' | 'information'; message: string; rule?: string; range: { start: { line: number; character: number } } };
type Report = { version: string; generalDiagnostics: Diagnostic[]; summary: { filesAnalyzed: number; errorCount: number; warningCount: number } };

const pythonFiles = (dir: string) => readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.py'));
const format = (d: Diagnostic) =>
  `${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1} - ${d.severity}: ${d.message}${d.rule ? ` (${d.rule})` : ''}`;

describe('pyright', () => {
  it('finds no errors or warnings in python/ and sample-workers/research-agent-py/', async () => {
    const r = await execa(PYRIGHT, ['--outputjson', '--project', join(ROOT, 'pyrightconfig.json')], { cwd: ROOT, reject: false, timeout: 120_000 });
    // Exit code 1 is "errors found", with the report on stdout; anything above is pyright itself failing.
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBeLessThanOrEqual(1);
    const report = JSON.parse(r.stdout) as Report;
    const problems = report.generalDiagnostics.filter((d) => d.severity !== 'information').map(format);
    expect(problems, `pyright ${report.version}:\n${problems.join('\n')}`).toEqual([]);
    // Every file was checked: a config that silently dropped a folder would also report nothing.
    expect(report.summary.filesAnalyzed).toBe(CHECKED.flatMap(pythonFiles).length);
  });
});

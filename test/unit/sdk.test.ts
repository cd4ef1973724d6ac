/**
 * Which SDK replays: resolved from the workflows path, then the working directory, else ours; the
 * supported range and the workflow-library mix are checked before anything is bundled. The
 * projects here are folders with package.json files, as npm lays them out (resolution only: the
 * real SDKs of several versions are exercised in test/integration/user-project.int.test.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/errors.js';
import { compareVersions, isSupportedSdkVersion, MIN_SDK_VERSION, resolveReplaySdk } from '../../cli/temporal/sdk.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function installFake(projectDir: string, name: string, version: string): void {
  const dir = join(projectDir, 'node_modules', ...name.split('/'));
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, main: 'lib/index.js' }));
  writeFileSync(join(dir, 'lib', 'index.js'), 'module.exports = {};\n');
}

/** A project folder with the given packages, and src/workflows.ts. */
function project(packages: Record<string, string>): { dir: string; workflows: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sdk-resolve-'));
  made.push(dir);
  for (const [name, version] of Object.entries(packages)) installFake(dir, name, version);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'workflows.ts'), 'export async function wf() {}\n');
  return { dir, workflows: join(dir, 'src', 'workflows.ts') };
}

const ours = dirname(createRequire(import.meta.url).resolve('@temporalio/worker/package.json'));

describe('compareVersions / isSupportedSdkVersion', () => {
  it.each([
    ['1.12.0', '1.11.8', 1],
    ['1.9.0', '1.12.0', -1],
    ['1.24.0', '1.24.0', 0],
    ['1.24.0-rc.1', '1.24.0', 0],
    ['2.0.0', '1.99.9', 1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  it.each([
    ['1.11.8', false],
    [MIN_SDK_VERSION, true],
    ['1.24.0', true],
    ['1.30.1', true],
    ['2.0.0', false],
  ])('%s supported: %s', (version, supported) => {
    expect(isSupportedSdkVersion(version)).toBe(supported);
  });
});

describe('resolveReplaySdk', () => {
  it("uses the project's @temporalio/worker, found from the workflows path", () => {
    const p = project({ '@temporalio/worker': '1.20.3', '@temporalio/workflow': '1.20.3', '@temporalio/proto': '1.20.3' });
    const sdk = resolveReplaySdk({ workflowsPath: p.workflows, cwd: tmpdir() });
    expect(sdk).toMatchObject({ language: 'typescript', version: '1.20.3', origin: 'project', path: join(p.dir, 'node_modules', '@temporalio', 'worker') });
    expect(sdk.modules.proto).toBe(join(p.dir, 'node_modules', '@temporalio', 'proto', 'lib', 'index.js'));
  });

  it('falls back to the working directory (a prebuilt bundle has no workflows path)', () => {
    const p = project({ '@temporalio/worker': '1.16.3', '@temporalio/proto': '1.16.3' });
    expect(resolveReplaySdk({ cwd: p.dir })).toMatchObject({ version: '1.16.3', origin: 'project' });
  });

  it("uses safe-deploy's own SDK where the project has none", () => {
    const p = project({});
    expect(resolveReplaySdk({ workflowsPath: p.workflows, cwd: p.dir })).toMatchObject({ origin: 'safe-deploy', path: ours });
  });

  it('refuses an SDK older than the supported range, naming the version and what to do (exit 2)', () => {
    const p = project({ '@temporalio/worker': '1.11.8', '@temporalio/workflow': '1.11.8', '@temporalio/proto': '1.11.8' });
    const err = (() => {
      try {
        resolveReplaySdk({ workflowsPath: p.workflows });
      } catch (e) {
        return e;
      }
    })() as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/@temporalio\/worker 1\.11\.8 .* outside the SDK versions safe-deploy supports \(>= 1\.12\.0/);
    expect(err.hint).toMatch(/upgrade/);
  });

  it("refuses a workflow library that does not match safe-deploy's worker when the project has no worker", () => {
    const p = project({ '@temporalio/workflow': '1.20.3' });
    expect(() => resolveReplaySdk({ workflowsPath: p.workflows, cwd: p.dir })).toThrowError(
      /@temporalio\/workflow 1\.20\.3, but safe-deploy's own @temporalio\/worker \(the project has none\) is 1\.24\.0/,
    );
  });

  it("refuses a project whose own worker and workflow library differ", () => {
    const p = project({ '@temporalio/worker': '1.20.3', '@temporalio/workflow': '1.22.0', '@temporalio/proto': '1.20.3' });
    expect(() => resolveReplaySdk({ workflowsPath: p.workflows })).toThrowError(/@temporalio\/workflow 1\.22\.0, but the project's @temporalio\/worker is 1\.20\.3/);
  });
});

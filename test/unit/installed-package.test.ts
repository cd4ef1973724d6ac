/**
 * What an installed package ships and how it behaves without this repository around it: the
 * files `npm pack` ships, and `dev-server` with no Temporal CLI to be found (no build script in
 * an installed package: it must say how to get one, never try to build).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { shippedCopy, shippedFiles } from '../helpers/shipped.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the installed package', () => {
  it('ships the CLI, its build, the README and the LICENSE that package.json names; no tests or tools', async () => {
    const files = await shippedFiles();
    for (const file of ['package.json', 'bin/safe-deploy.js', 'dist/cli/main.js', 'README.md', 'LICENSE']) expect(files).toContain(file);
    expect(files.filter((f) => /^(tools|test|sample-workers|histories)\//.test(f) || f.startsWith('dist/test/'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  it('dev-server without a Temporal CLI says how to get one, and does not try to build it', async () => {
    const pkg = await shippedCopy();
    expect(existsSync(join(pkg, 'tools'))).toBe(false);
    // PATH holds node and nothing else: no temporal, no go, no bash build.
    const r = await execa(process.execPath, [join(pkg, 'bin', 'safe-deploy.js'), 'dev-server'], {
      reject: false,
      cwd: mkdtempSync(join(tmpdir(), 'safe-deploy-user-')),
      env: { PATH: dirname(process.execPath), HOME: process.env.HOME ?? '/tmp' },
      extendEnv: false,
      timeout: 60_000,
    });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/error: no Temporal CLI with server >= 1\.31\.0 found \(looked at SAFE_DEPLOY_TEMPORAL_BIN \(unset\), `temporal` on PATH\)/);
    expect(r.stderr).toMatch(/hint: install a Temporal CLI whose `temporal --version` shows Server >= 1\.31\.0 .*brew install temporal.*SAFE_DEPLOY_TEMPORAL_BIN=/);
    expect(r.stderr).not.toMatch(/build-temporal|temporal:build|Go module proxy/);
  });
});

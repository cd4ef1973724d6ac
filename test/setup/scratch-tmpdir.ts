/**
 * Global setup of every test project, first of all: what tests put in the temporary folder (fresh
 * user projects, plans, journals, server data) and what the CLI runs they spawn put there (they
 * inherit TMPDIR) goes under one folder per test run, removed afterwards. A run of the suite made
 * ~200 MB of folders in /tmp and left them there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const before = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-test-tmp-'));
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}

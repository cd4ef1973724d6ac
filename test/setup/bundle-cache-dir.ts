/**
 * Global setup of every test project: candidate bundles made by tests (in-process, or by the CLI
 * they spawn, which inherits the variable) go to a fresh folder removed afterwards, never to the
 * user's ~/.cache/safe-deploy. Tests of the cache itself pass their own folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-test-cache-'));
  process.env.SAFE_DEPLOY_CACHE_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}

/**
 * The project's own Python environment, for the Python research agent (its workers, the history
 * recorder, the tests and the demo): a virtual environment under .safe-deploy/python (git-ignored),
 * with the pinned `temporalio` of sample-workers/research-agent-py/requirements.txt installed from
 * the registry with --require-hashes. Made once; skipped while it matches the requirements file.
 *
 * Built in a temporary folder and renamed into place, so an interrupted set-up never leaves a
 * half-installed environment that a later run would take for a complete one.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../../cli/paths.js';

export const PYTHON_REQUIREMENTS = join(packageRoot(), 'sample-workers', 'research-agent-py', 'requirements.txt');
export const PYTHON_ENV_DIR = join(packageRoot(), '.safe-deploy', 'python');
const STAMP = 'safe-deploy-requirements.sha256';

/** The interpreter of a virtual environment folder. */
export function venvPython(dir: string = PYTHON_ENV_DIR): string {
  return process.platform === 'win32' ? join(dir, 'Scripts', 'python.exe') : join(dir, 'bin', 'python');
}

function requirementsHash(): string {
  return createHash('sha256').update(readFileSync(PYTHON_REQUIREMENTS)).digest('hex');
}

function isReady(dir: string): boolean {
  const stamp = join(dir, STAMP);
  return existsSync(venvPython(dir)) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === requirementsHash();
}

/**
 * Makes sure the environment exists and returns its interpreter. `basePython`: the interpreter the
 * environment is made from (`SAFE_DEPLOY_BASE_PYTHON`, else python3).
 */
export async function ensurePythonEnv(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  if (isReady(PYTHON_ENV_DIR)) return venvPython();
  const basePython = process.env.SAFE_DEPLOY_BASE_PYTHON || 'python3';
  const building = `${PYTHON_ENV_DIR}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(join(packageRoot(), '.safe-deploy'), { recursive: true });
  log(`setup: creating the Python environment ${PYTHON_ENV_DIR} (pinned temporalio, --require-hashes)...`);
  try {
    await execa(basePython, ['-m', 'venv', building], { stdout: 'inherit', stderr: 'inherit' });
    await execa(
      venvPython(building),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--require-hashes', '--only-binary=:all:', '-r', PYTHON_REQUIREMENTS],
      { stdout: 'inherit', stderr: 'inherit' },
    );
    writeFileSync(join(building, STAMP), `${requirementsHash()}\n`);
    // Another process may have finished first: keep theirs.
    if (isReady(PYTHON_ENV_DIR)) {
      rmSync(building, { recursive: true, force: true });
    } else {
      rmSync(PYTHON_ENV_DIR, { recursive: true, force: true });
      renameSync(building, PYTHON_ENV_DIR);
    }
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    throw err;
  }
  return venvPython();
}

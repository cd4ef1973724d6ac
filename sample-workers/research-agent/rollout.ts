/**
 * A stand-in for `helm upgrade --install ... --wait`: starts a research-agent worker of the given
 * version in the background and returns once it is polling. The worker outlives this command,
 * as pods outlive helm. Its PID is appended to $ROLLOUT_PID_FILE so the caller can stop it.
 *
 *   node dist/sample-workers/research-agent/rollout.js v2          (the TypeScript agent)
 *   node dist/sample-workers/research-agent/rollout.js v2 python   (the Python agent, in the project's venv)
 */
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { venvPython } from '../research-agent-py/python-env.js';
import { pythonAgentDir } from './launcher.js';

const version = process.argv[2];
const python = process.argv[3] === 'python';
if (!version || !/^v[1-4]$/.test(version) || (process.argv[3] !== undefined && !python)) {
  process.stderr.write('usage: rollout.js v1|v2|v3|v4 [python]  (the Python agent has v1 to v3)\n');
  process.exit(2);
}
const log = join(process.env.ROLLOUT_LOG_DIR ?? tmpdir(), `research-agent-${version}-${process.pid}.log`);
const fd = openSync(log, 'a');
const [file, args] = python
  ? [venvPython(), [join(pythonAgentDir(), 'worker.py'), version]]
  : [process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'worker.js'), version]];
const child = spawn(file, args, {
  cwd: python ? pythonAgentDir() : undefined,
  detached: true,
  stdio: ['ignore', fd, fd],
  env: process.env,
});
closeSync(fd);
child.unref();
if (process.env.ROLLOUT_PID_FILE) appendFileSync(process.env.ROLLOUT_PID_FILE, `${child.pid}\n`);

const deadline = Date.now() + 60_000;
const timer = setInterval(() => {
  const out = readFileSync(log, 'utf8');
  if (out.includes('worker ready')) {
    clearInterval(timer);
    process.stderr.write(`rollout: research-agent ${version} worker ${child.pid} is polling (${out.trim().split('\n').pop()})\n`);
    process.exit(0);
  }
  if (child.exitCode !== null || Date.now() > deadline) {
    clearInterval(timer);
    process.stderr.write(`rollout: worker ${version} did not become ready:\n${out}\n`);
    process.exit(1);
  }
}, 100);

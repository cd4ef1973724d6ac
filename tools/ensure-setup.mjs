#!/usr/bin/env node
// Runs before `npm test` and `npm run demo` so that each works on a fresh clone by itself:
// installs node_modules when missing or stale, and builds the local Temporal server when missing.
// Plain Node, no dependencies: it runs before they exist.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.error('setup: installing dependencies...');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
if (!existsSync(join(root, '.tools', 'bin', 'temporal'))) {
  console.error('setup: building the local Temporal server (first time only)...');
  run('bash', [join(root, 'tools', 'build-temporal.sh')]);
}

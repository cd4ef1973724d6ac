/**
 * Finding and reading the project config. The search starts in the working directory and walks up
 * to the git root (the first folder holding `.git`) or the filesystem root:
 *   1. the nearest `safe-deploy.config.json`;
 *   2. else the nearest package.json with a "safe-deploy" key.
 * `--config FILE` names one explicitly (a package.json there means its "safe-deploy" key).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CONFIG_FILE_NAME, ConfigError, PACKAGE_JSON_KEY, parseProjectConfig, type ProjectConfig } from '../core/config.js';
import { UsageError } from '../errors.js';

export interface ConfigLocation {
  file: string;
  /** `package-json`: the config is the file's "safe-deploy" key. */
  kind: 'file' | 'package-json';
}

/** The folders searched, nearest first: `start` up to the git root or the filesystem root. */
export function searchDirs(start: string): string[] {
  const dirs: string[] = [];
  let dir = resolve(start);
  for (;;) {
    dirs.push(dir);
    if (existsSync(join(dir, '.git'))) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirs;
}

export function findProjectConfig(cwd: string = process.cwd()): ConfigLocation | undefined {
  const dirs = searchDirs(cwd);
  for (const dir of dirs) {
    const file = join(dir, CONFIG_FILE_NAME);
    if (existsSync(file)) return { file, kind: 'file' };
  }
  for (const dir of dirs) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = readJson(file);
    if (pkg && typeof pkg === 'object' && Object.hasOwn(pkg, PACKAGE_JSON_KEY)) return { file, kind: 'package-json' };
  }
  return undefined;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`, 'check the file and its permissions');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`, 'fix the JSON (no comments, no trailing commas)');
  }
}

export function readProjectConfig(location: ConfigLocation): ProjectConfig {
  const raw = readJson(location.file);
  try {
    if (location.kind === 'file') return parseProjectConfig(raw, location.file, dirname(location.file));
    const source = `${location.file} ("${PACKAGE_JSON_KEY}" key)`;
    if (!raw || typeof raw !== 'object' || !Object.hasOwn(raw, PACKAGE_JSON_KEY)) {
      throw new ConfigError(`${location.file} has no "${PACKAGE_JSON_KEY}" key`, `add "${PACKAGE_JSON_KEY}": { "workflows": "src/workflows.ts" } to it, or pass --config ${CONFIG_FILE_NAME}`);
    }
    return parseProjectConfig((raw as Record<string, unknown>)[PACKAGE_JSON_KEY], source, dirname(location.file));
  } catch (err) {
    throw err instanceof ConfigError ? new UsageError(err.message, err.hint) : err;
  }
}

export interface LoadConfigOptions {
  cwd?: string;
  /** `--config FILE` (relative to cwd); `false` for `--no-config`; undefined to search. */
  explicit?: string | false;
}

/** The project config in effect, or undefined when there is none (or `--no-config`). */
export function loadProjectConfig(options: LoadConfigOptions = {}): ProjectConfig | undefined {
  const cwd = options.cwd ?? process.cwd();
  if (options.explicit === false) return undefined;
  if (options.explicit !== undefined) {
    const file = resolve(cwd, options.explicit);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new UsageError(`config file not found: ${options.explicit}`, `check the --config path (relative to ${cwd})`);
    }
    return readProjectConfig({ file, kind: basename(file) === 'package.json' ? 'package-json' : 'file' });
  }
  const location = findProjectConfig(cwd);
  return location && readProjectConfig(location);
}

/**
 * Reads a user's project for `safe-deploy init`: its source files (not node_modules, build output
 * or VCS folders), and folders of recorded histories. Bounded, so a huge monorepo stays quick.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { SourceFile } from '../core/init.js';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', 'out', '.next', '.turbo', '.cache', '.tools', 'bundles']);
const SOURCE = /\.(m|c)?[jt]s$/;
const MAX_FILES = 5_000;
const MAX_DEPTH = 8;
const MAX_BYTES = 512 * 1024;

export interface ProjectScan {
  files: SourceFile[];
  /** Folders holding *.json history files, relative to the project folder (e.g. 'histories'). */
  historyDirs: string[];
}

const posix = (path: string): string => path.split(sep).join('/');

export function scanProject(dir: string): ProjectScan {
  const files: SourceFile[] = [];
  const historyDirs: string[] = [];
  const walk = (current: string, depth: number): void => {
    if (depth > MAX_DEPTH || files.length >= MAX_FILES) return;
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    const rel = posix(relative(dir, current));
    if (/(^|\/)[^/]*histor[^/]*$/i.test(rel) && entries.some((e) => e.isFile() && e.name.endsWith('.json'))) historyDirs.push(rel);
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path, depth + 1);
      } else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        if (files.length >= MAX_FILES || statSync(path).size > MAX_BYTES) continue;
        files.push({ path: posix(relative(dir, path)), content: readFileSync(path, 'utf8') });
      }
    }
  };
  walk(dir, 0);
  return { files, historyDirs: historyDirs.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b)) };
}

/** Whether a project-relative path is a file. */
export function fileExists(dir: string, path: string): boolean {
  const full = join(dir, path);
  return existsSync(full) && statSync(full).isFile();
}

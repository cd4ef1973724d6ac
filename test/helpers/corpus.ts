/** The recorded histories (histories/) and the test fixtures that parse as history files. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseHistoryJson } from '../../cli/temporal/history-json.js';

const ROOT = join(import.meta.dirname, '..', '..');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

/** Absolute paths of every corpus and fixture JSON file that is a readable history. */
export function historyFiles(): string[] {
  return [...jsonFiles(join(ROOT, 'histories')), ...jsonFiles(join(ROOT, 'test', 'fixtures'))].filter((f) => {
    try {
      parseHistoryJson(readFileSync(f, 'utf8'), f);
      return true;
    } catch {
      return false;
    }
  });
}

/** Bench corpora: many copies of a recorded history folder, each with workflow IDs of its own. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const BENCH_DIR = join(tmpdir(), 'safe-deploy-bench');

/** Rewrites every string that is the root workflow ID or derived from it (`${root}/...`). */
function rewriteIds(value: unknown, root: string, newRoot: string): unknown {
  if (typeof value === 'string') {
    if (value === root) return newRoot;
    if (value.startsWith(root + '/')) return newRoot + value.slice(root.length);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => rewriteIds(v, root, newRoot));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewriteIds(v, root, newRoot);
    return out;
  }
  return value;
}

interface Source {
  name: string;
  root: string;
  json: unknown;
}

function loadSources(sourceDir: string): { sources: Source[]; hash: string } {
  const hash = createHash('sha256');
  const sources = readdirSync(sourceDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(sourceDir, f), 'utf8');
      hash.update(f).update(text);
      const json = JSON.parse(text) as { events: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[] };
      const id = json.events[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? decodeURIComponent(basename(f, '.json'));
      // The poller's children are `${parentId}/req-${id}`: rewriting the root ID (and everything
      // derived from it) keeps the busy poller's history consistent with the code that replays it.
      return { name: f, root: id.split('/')[0] ?? id, json };
    });
  return { sources, hash: hash.digest('hex').slice(0, 16) };
}

/**
 * A folder of `count` history files, copies of the recorded corpus in `sourceDir` with distinct
 * workflow IDs, generated once under os.tmpdir()/safe-deploy-bench/ and reused.
 */
export function ensureCorpus(sourceDir: string, count: number): { dir: string; generatedMs?: number } {
  const { sources, hash } = loadSources(sourceDir);
  const dir = join(BENCH_DIR, `corpus-${basename(sourceDir)}-${count}`);
  const marker = join(dir, '.complete');
  const stamp = `${count} ${hash}\n`;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === stamp) return { dir };
  const started = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const source = sources[i % sources.length];
    if (!source) throw new Error(`no histories in ${sourceDir}`);
    const newRoot = `${source.root}-copy-${String(i).padStart(6, '0')}`;
    const json = rewriteIds(source.json, source.root, newRoot) as {
      events: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[];
    };
    const id = json.events[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? newRoot;
    writeFileSync(join(dir, `${encodeURIComponent(id)}.json`), JSON.stringify(json, null, 2));
  }
  writeFileSync(marker, stamp);
  return { dir, generatedMs: performance.now() - started };
}

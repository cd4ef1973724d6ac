/**
 * Runs one measured process (`node --import report-rusage.js ...`) and returns its wall time, CPU
 * time (all threads), peak RSS and stdout. The benchmarks' one way of timing a whole process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const RUSAGE = pathToFileURL(join(import.meta.dirname, 'report-rusage.js')).href;

export interface ProcessMeasurement {
  seconds: number;
  cpuSeconds: number;
  maxRssKb: number;
  exitCode: number;
  stdout: string;
}

export async function measureNode(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<ProcessMeasurement> {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-measure-'));
  const rusageFile = join(dir, 'rusage.json');
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', RUSAGE, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, SAFE_DEPLOY_BENCH_RUSAGE: rusageFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  const seconds = (performance.now() - started) / 1000;
  let usage = { maxRssKb: 0, cpuSeconds: 0 };
  try {
    usage = JSON.parse(readFileSync(rusageFile, 'utf8')) as typeof usage;
  } catch {
    // the process died before its exit hook: no usage figures
  }
  rmSync(dir, { recursive: true, force: true });
  return { seconds, ...usage, exitCode, stdout: Buffer.concat(chunks).toString('utf8') };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ') + ' |';
  return [line(headers), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

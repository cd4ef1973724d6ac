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

/** `cpus`: run on these CPUs only (`taskset -c`, Linux). `node`: another node binary than this one. */
export async function measureNode(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; cpus?: string; node?: string } = {},
): Promise<ProcessMeasurement> {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-measure-'));
  const rusageFile = join(dir, 'rusage.json');
  const started = performance.now();
  const command = [options.node ?? process.execPath, '--import', RUSAGE, ...args];
  const [file, ...argv] = options.cpus ? ['taskset', '-c', options.cpus, ...command] : command;
  const child = spawn(file as string, argv, {
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

/** CPU seconds (user + system) a running process has used so far, from /proc (Linux); NaN elsewhere. */
export function processCpuSeconds(pid: number | undefined): number {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** USER_HZ: 100 on every Linux the benches run on. */
const CLOCK_TICKS = 100;

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

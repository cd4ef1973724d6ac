/**
 * status, plan, apply and nudge on N real executions of the local dev server, beside the Temporal CLI's
 * one-shot batches on an identical copy: `temporal workflow update-options --query ...
 * --versioning-override-behavior auto_upgrade` for apply's upgrade, `temporal workflow signal
 * --query ...` for nudge's signals. Each tool gets a fresh copy of one snapshot (N v1 research
 * executions paused at the gate, PINNED to v1 while v2 is current). Prints; asserts nothing.
 *
 *   node dist/bench/apply.js [--size 5000] [--rps 1000]
 *
 * What the two sides do is not the same work: apply describes every execution before and after
 * (race safety, read-back) and journals each step; the CLI's batch changes what the query matches,
 * unverified. The table says what each did.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVisibilityQuery } from '../cli/core/selection.js';
import { connect, resolveConnection } from '../cli/temporal/connection.js';
import { waitForBatch } from '../cli/temporal/executions.js';
import { ensureV2CurrentSnapshot, withServerCopy } from './live.js';
import { measureNode, table, type ProcessMeasurement } from './measure.js';
import { benchArgs, positiveInt } from './args.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'safe-deploy.js');
const CANDIDATE = join(ROOT, 'sample-workers', 'research-agent', 'v2', 'workflows.ts');
const TEMPORAL = process.env['SAFE_DEPLOY_TEMPORAL_BIN'] ?? join(ROOT, '.tools', 'bin', 'temporal');

function parseArgs(argv: string[]): { size: number; rps: number } {
  const args = benchArgs(argv, { strings: ['size', 'rps'] });
  return { size: positiveInt(args, 'size', 5000), rps: positiveInt(args, 'rps', 1000) };
}

/** The Temporal CLI under /usr/bin/time: wall seconds and peak RSS (KB) of the Go process. */
async function measureTemporal(args: string[]): Promise<ProcessMeasurement> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M %U %S', TEMPORAL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  const seconds = (performance.now() - started) / 1000;
  const last = Buffer.concat(err).toString('utf8').trim().split('\n').pop() ?? '';
  const [rss, user, sys] = last.split(' ').map(Number);
  return { seconds, maxRssKb: rss ?? 0, cpuSeconds: (user ?? 0) + (sys ?? 0), exitCode, stdout: Buffer.concat(out).toString('utf8') + Buffer.concat(err).toString('utf8') };
}

/** Runs a Temporal CLI batch command, then waits until the batch job it started has finished. */
async function temporalBatch(address: string, args: string[]): Promise<{ m: ProcessMeasurement; batchSeconds: number; complete: number }> {
  const started = performance.now();
  const m = await measureTemporal([...args, '--address', address, '--yes']);
  const jobId = /job ID:?\s*([0-9a-f-]{20,})/i.exec(m.stdout)?.[1];
  if (!jobId) throw new Error(`no batch job ID in the Temporal CLI's output:\n${m.stdout}`);
  const t = await connect(resolveConnection({ address, namespace: 'default' }, {}));
  try {
    const done = await waitForBatch(t, jobId, { timeoutMs: 600_000, intervalMs: 200 });
    return { m, batchSeconds: (performance.now() - started) / 1000, complete: done.complete };
  } finally {
    await t.close();
  }
}

function applyDid(m: ProcessMeasurement, how: string): string {
  const counts = (JSON.parse(m.stdout) as { counts: Record<string, number> }).counts;
  return `done ${counts['done']}, failed ${counts['failed']}, ${how} (exit ${m.exitCode})`;
}

async function main(): Promise<void> {
  const { size, rps } = parseArgs(process.argv.slice(2));
  const snapshot = await ensureV2CurrentSnapshot(size);
  const query = buildVisibilityQuery({ deployment: snapshot.deployment });
  const rows: string[][] = [];
  const row = (label: string, seconds: number, m: ProcessMeasurement | undefined, did: string) =>
    rows.push([label, seconds.toFixed(2), (size / seconds).toFixed(0), m ? (m.maxRssKb / 1024).toFixed(0) : '-', did]);

  const plan = join(mkdtempSync(join(tmpdir(), 'safe-deploy-bench-plan-')), 'plan.json');
  await withServerCopy(snapshot, async (server) => {
    const conn = ['--address', server.address];
    const status = await measureNode([BIN, 'status', '--deployment', snapshot.deployment, '--output', 'json', ...conn], { cwd: ROOT });
    row('safe-deploy status (describe each, read only)', status.seconds, status, `exit ${status.exitCode}`);
    const planned = await measureNode([BIN, 'plan', '--deployment', snapshot.deployment, '--candidate-build-id', 'v2', '--workflows', CANDIDATE, '--out', plan, ...conn], { cwd: ROOT });
    const executions = (JSON.parse(readFileSync(plan, 'utf8')) as { executions: { action: string }[] }).executions;
    row('safe-deploy plan (check + describe each)', planned.seconds, planned, `${executions.length} planned, ${executions.filter((e) => e.action === 'upgrade').length} upgrade (exit ${planned.exitCode})`);
    const applied = await measureNode([BIN, 'apply', plan, '--phase', 'upgrade', '--direct-max', '0', '--rps', String(rps), '--output', 'json', ...conn], { cwd: ROOT });
    row('safe-deploy apply --phase upgrade --direct-max 0 (batches of 500)', applied.seconds, applied, applyDid(applied, 'each re-checked, batched, read back'));
  });
  // The same plan on a fresh copy (the run IDs are the snapshot's), every change sent one by one:
  // the server's batcher runs at its own worker.batcherRPS, 50 a second by default, whatever --rps says.
  await withServerCopy(snapshot, async (server) => {
    const journal = `${plan}.direct.journal.jsonl`;
    const direct = await measureNode([BIN, 'apply', plan, '--phase', 'upgrade', '--direct-max', String(size), '--rps', String(rps), '--journal', journal, '--output', 'json', '--address', server.address], { cwd: ROOT });
    row(`safe-deploy apply --phase upgrade --direct-max ${size} (one by one)`, direct.seconds, direct, applyDid(direct, 'each re-checked, changed, read back'));
  });
  await withServerCopy(snapshot, async (server) => {
    const r = await temporalBatch(server.address, ['workflow', 'update-options', '--query', query, '--versioning-override-behavior', 'auto_upgrade', '--reason', 'bench', '--rps', String(rps)]);
    row('temporal workflow update-options --query (batch, until done)', r.batchSeconds, r.m, `batch complete ${r.complete}, not verified`);
  });
  await withServerCopy(snapshot, async (server) => {
    const nudged = await measureNode(
      [BIN, 'nudge', '--deployment', snapshot.deployment, '--rps', String(rps), '--confirm-timeout', '1s', '--output', 'json', '--address', server.address],
      { cwd: ROOT },
    );
    const summary = (JSON.parse(nudged.stdout) as { summary: Record<string, number> }).summary;
    row('safe-deploy nudge (describe, signal, confirm 1 s)', nudged.seconds, nudged, `nudged ${summary['nudged']}, stragglers ${summary['stragglers']} (no worker runs) (exit ${nudged.exitCode})`);
  });
  await withServerCopy(snapshot, async (server) => {
    const r = await temporalBatch(server.address, ['workflow', 'signal', '--query', query, '--name', 'wake_up', '--reason', 'bench', '--rps', String(rps)]);
    row('temporal workflow signal --query (batch, until done)', r.batchSeconds, r.m, `batch complete ${r.complete}, not verified`);
  });
  console.log('');
  console.log(`status, plan, apply and nudge on ${size} running executions of the local dev server vs the Temporal CLI's batches (fresh copy of one snapshot each; --rps ${rps})`);
  console.log(table(['', 'wall s', 'executions/s', 'peak RSS MB', 'did'], rows));
  console.log('(the Temporal CLI returns once its batch job is started; its wall time here runs until the job reports done)');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

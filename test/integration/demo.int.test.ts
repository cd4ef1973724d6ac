/** `npm run demo` tells the four acts, ends with zero NDEs in the first three, the net's pin-back in the fourth, stops every process, exits 0; `--python` tells acts 1 to 3 with the Python agent. */
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';

it('runs the demo end to end', async () => {
  const demo = join(import.meta.dirname, '..', '..', 'dist', 'tools', 'demo.js');
  const r = await execa('node', [demo], { reject: false, timeout: 350_000 });
  expect(r.exitCode, String(r.stderr)).toBe(0);
  const out = String(r.stdout);
  for (const heading of ['Act 1', 'Act 2', 'Act 3', 'The executions, start to finish', 'Act 4']) expect(out).toContain(heading);
  expect(out).toMatch(/deploy research-agent:v2: DEPLOYED/);
  expect(out).toMatch(/deploy research-agent:v3: DEPLOYED/);
  expect(out).toMatch(/research-inbox\s+2\+\s+v1\s+v3\s+RUNNING\s+0/);
  expect(out).toMatch(/deploy research-agent:v4: BROKE/);
  expect(out).toMatch(/watch: follow-up-1 \(non-determinism error on research-agent:v4\): pinned back to research-agent:v3/);
  expect(out).toMatch(/follow-up-1 finished on v3 with its research intact/);
  expect(out).toContain('all workers and the local server stopped');
  // Every execution row reports zero workflow task failures.
  const rows = out.split('\n').filter((l) => /^research-(\d+|inbox)\s/.test(l));
  expect(rows).toHaveLength(6);
  for (const row of rows) expect(row.trim().endsWith(' 0'), row).toBe(true);
}, 360_000);

it('runs the demo with the Python research agent (acts 1 to 3)', async () => {
  const demo = join(import.meta.dirname, '..', '..', 'dist', 'tools', 'demo.js');
  const r = await execa('node', [demo, '--python'], { reject: false, timeout: 170_000 });
  expect(r.exitCode, String(r.stderr)).toBe(0);
  const out = String(r.stdout);
  for (const heading of ['Act 1', 'Act 2', 'Act 3', 'The executions, start to finish']) expect(out).toContain(heading);
  expect(out).toMatch(/deploy research-agent:v2: DEPLOYED/);
  expect(out).toMatch(/deploy research-agent:v3: DEPLOYED/);
  expect(out).toMatch(/research-inbox\s+2\+\s+v1\s+v3\s+RUNNING\s+0/);
  expect(out).toContain('all workers and the local server stopped');
  const rows = out.split('\n').filter((l) => /^research-(\d+|inbox)\s/.test(l));
  expect(rows).toHaveLength(6);
  for (const row of rows) expect(row.trim().endsWith(' 0'), row).toBe(true);
}, 180_000);

/**
 * A check starts no more replay threads than it has histories: threads prewarmed while the
 * candidate bundles each load the SDK (~1 CPU-second), wasted when no history reaches them.
 * Counted by thread IDs, which node hands out one by one to every thread a process starts.
 */
import { join } from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../cli/pipeline/check.js';
import { packageRoot } from '../../cli/paths.js';

/** The ID the next thread of this process gets. */
async function nextThreadId(): Promise<number> {
  const probe = new Thread('', { eval: true });
  const id = probe.threadId;
  await probe.terminate();
  return id + 1;
}

const oneHistory = join(packageRoot(), 'histories', 'research-agent', 'research-completed-tidal-power.json');
const workflowsPath = join(packageRoot(), 'sample-workers', 'research-agent', 'v2', 'workflows.ts');

describe('replay threads started by a check', () => {
  it('one history with --parallel 4: one thread', async () => {
    const before = await nextThreadId();
    const { report } = await runCheck({ selection: { kind: 'histories', paths: [oneHistory] }, candidate: { workflowsPath }, parallel: 4 });
    expect(report.summary).toMatchObject({ total: 1, compatible: 1 });
    // The probe itself takes one ID.
    expect((await nextThreadId()) - before - 1).toBe(1);
  });

  it('three histories with --parallel 2: two threads', async () => {
    const dir = join(packageRoot(), 'histories', 'research-agent');
    const before = await nextThreadId();
    const { report } = await runCheck({ selection: { kind: 'histories', paths: [dir] }, candidate: { workflowsPath }, parallel: 2 });
    expect(report.summary.total).toBeGreaterThanOrEqual(3);
    expect((await nextThreadId()) - before - 1).toBe(2);
  });
});

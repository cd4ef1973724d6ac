/**
 * The rollout's process group on interrupt (real processes, no server): SIGTERM to the whole tree,
 * SIGKILL after the grace period for what ignores it, and nothing outlives the call.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, readPids } from '../../test/helpers/processes.js';
import { InterruptedError } from '../errors.js';
import { runRollout } from './rollout.js';

async function pidsOf(file: string, count: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const pids = readPids(file);
    if (pids.length === count) return pids;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the rollout did not write ${count} PIDs to ${file}`);
}

describe('runRollout interrupted', () => {
  it('SIGTERM ends the shell and the child it started', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'safe-deploy-rollout-')), 'pids');
    const abort = new AbortController();
    // A grace period longer than the test's timeout: only SIGTERM to the whole group can end it in time.
    const run = runRollout(`echo $$ > ${file}; sleep 300 & echo $! >> ${file}; wait`, { signal: abort.signal, graceMs: 600_000 });
    const pids = await pidsOf(file, 2);
    abort.abort();
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    for (const pid of pids) expect(alive(pid), `${pid} outlived the rollout`).toBe(false);
  });

  it('what ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'safe-deploy-rollout-')), 'pids');
    const abort = new AbortController();
    // The shell and its child both ignore SIGTERM (an ignored signal stays ignored across fork and exec).
    const run = runRollout(`trap '' TERM; echo $$ > ${file}; sleep 300 & echo $! >> ${file}; wait`, { signal: abort.signal, graceMs: 700 });
    const pids = await pidsOf(file, 2);
    abort.abort();
    // Still there after SIGTERM: only the grace period's SIGKILL ends them.
    await new Promise((r) => setTimeout(r, 300));
    expect(pids.every(alive)).toBe(true);
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    for (const pid of pids) expect(alive(pid), `${pid} outlived the rollout`).toBe(false);
  });
});

/**
 * Rollback when several versions were current before: v1, then v2, then v3 made current on a real
 * server (real workers of each). It goes back to the one current last (v2), as the server's
 * last-current times say; --to picks another; a real rollback makes v2 current.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollbackReport } from '../../cli/pipeline/rollback.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeDeployment } from '../../cli/temporal/deployments.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli } from '../helpers/cli.js';
import { connectTest, serverAddress } from '../helpers/temporal.js';

describe('rollback among several earlier versions', () => {
  let t: TemporalHandle;
  let s: Scenario;
  const workers: SampleWorker[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-rollback-versions-'));
  const rollback = (...extra: string[]) =>
    runCli(['rollback', '--deployment', s.deploymentName, '--journal', join(dir, 'rollback.jsonl'), '--address', s.address, '--namespace', s.namespace, '--output', 'json', ...extra]);

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'rollback-versions');
    t = await connectTest();
    for (const version of ['v1', 'v2', 'v3'] as const) {
      workers.push(await startWorker(s, version));
      await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: version });
    }
    expect((await describeDeployment(t, s.deploymentName))?.currentVersion).toBe(`${s.deploymentName}:v3`);
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await t?.close();
  });

  it('goes back to the version current last: v2, not v1', async () => {
    const r = await rollback('--dry-run');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout) as RollbackReport).toMatchObject({ candidate: `${s.deploymentName}:v3`, previous: `${s.deploymentName}:v2`, verdict: 'dry-run' });
  });

  it('--to picks an older one', async () => {
    const r = await rollback('--to', 'v1', '--dry-run');
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as RollbackReport).previous).toBe(`${s.deploymentName}:v1`);
  });

  it('a rollback makes v2 current', async () => {
    const r = await rollback();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout) as RollbackReport).toMatchObject({ verdict: 'rolled-back', currentVersion: `${s.deploymentName}:v2` });
    expect((await describeDeployment(t, s.deploymentName))?.currentVersion).toBe(`${s.deploymentName}:v2`);
  });
});

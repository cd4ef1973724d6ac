/**
 * The first deploy of a Worker Deployment, before any worker of it has polled: without
 * --new-deployment it is an unknown deployment (exit 2, nothing run); with it there is nothing to
 * check, the rollout starts the first workers and the candidate is promoted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { describeDeployment } from '../../cli/temporal/deployments.js';
import { newScenario, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';
import { rolloutEnv, rolloutPids, stopRolloutWorkers } from '../helpers/rollout.js';
import { connectTest, serverAddress } from '../helpers/temporal.js';

const rolloutScript = join(import.meta.dirname, '..', '..', 'dist', 'sample-workers', 'research-agent', 'rollout.js');

type DeployJson = { verdict: string; counts: Record<string, number>; steps: { step: string; status: string; detail: string }[]; error?: { message: string; hint?: string; exitCode: number } };

describe('deploy of a Worker Deployment the server does not know yet', () => {
  let t: TemporalHandle;
  let s: Scenario;
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-first-'));
  const pidFile = join(dir, 'rollout.pids');
  const deploy = (...extra: string[]) =>
    runCli(
      ['deploy', '--deployment', s.deploymentName, '--candidate-build-id', 'v1', '--workflows', sampleWorkflows('v1'), '--rollout', `node ${rolloutScript} v1`, '--promote',
        '--plan-out', join(dir, 'plan-v1.json'), '--address', s.address, '--namespace', s.namespace, '--output', 'json', ...extra],
      { env: rolloutEnv(s, { pidFile, logDir: dir }), timeoutMs: 170_000 },
    );

  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'first');
    t = await connectTest();
  });
  afterAll(async () => {
    stopRolloutWorkers(pidFile);
    await t?.close();
  });

  it('without --new-deployment: exit 2 naming the flag, no rollout run', async () => {
    const r = await deploy();
    expect(r.exitCode, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout) as DeployJson;
    expect(report.verdict).toBe('failed');
    expect(report.steps.map((x) => `${x.step}:${x.status}`)).toEqual(['plan:failed']);
    expect(report.error?.message).toContain(`Worker Deployment "${s.deploymentName}" not found`);
    expect(report.error?.hint).toContain('--new-deployment');
    expect(rolloutPids(pidFile)).toEqual([]);
    expect(await describeDeployment(t, s.deploymentName)).toBeUndefined();
  });

  it('with --new-deployment: nothing to check, the rollout starts the first workers, the candidate becomes current', async () => {
    const r = await deploy('--new-deployment');
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as DeployJson;
    expect(report.verdict).toBe('deployed');
    expect(report.counts).toMatchObject({ executions: 0, upgraded: 0, protected: 0 });
    expect(report.steps.map((x) => `${x.step}:${x.status}`)).toEqual(['plan:done', 'protect:done', 'rollout:done', 'promote:done', 'upgrade:done', 'nudge:skipped']);
    expect(report.steps[0]?.detail).toContain('new Worker Deployment');
    expect(rolloutPids(pidFile).length).toBeGreaterThan(0);
    expect((await describeDeployment(t, s.deploymentName))?.currentVersion).toBe(`${s.deploymentName}:v1`);
  });

  it('--new-deployment on a deployment that exists checks it as usual', async () => {
    const r = await runCli(
      ['deploy', '--deployment', s.deploymentName, '--candidate-build-id', 'v2', '--workflows', sampleWorkflows('v2'), '--new-deployment', '--dry-run',
        '--plan-out', join(dir, 'plan-v2.json'), '--address', s.address, '--namespace', s.namespace, '--output', 'json'],
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as DeployJson;
    expect(report.verdict).toBe('dry-run');
    expect(report.steps[0]?.detail).toMatch(/^0 running executions/);
  });
});

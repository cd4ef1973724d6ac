/**
 * Selections that match nothing, on the real server: a misspelled --deployment is a usage error
 * (exit 2, the hint `status` gives) for check, plan and deploy; an existing deployment with no
 * running executions is "nothing to check", which --fail-on-empty (or "failOnEmpty") turns into exit 1.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../cli/paths.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';
import { serverAddress } from '../helpers/temporal.js';

describe('a selection that matches nothing', () => {
  let s: Scenario;
  let worker: SampleWorker;
  beforeAll(async () => {
    const { address, namespace } = serverAddress();
    s = newScenario(address, namespace, 'empty');
    // A worker of the deployment has polled, so the deployment exists; no workflow is started.
    worker = await startWorker(s, 'v1');
  });
  afterAll(async () => {
    await worker?.stop();
  });
  const conn = () => ['--address', s.address, '--namespace', s.namespace];
  const misspelled = () => `${s.deploymentName}-typo`;
  const notFound = (stderr: string) => {
    expect(stderr).toContain(`Worker Deployment "${misspelled()}" not found in namespace "${s.namespace}" at ${s.address}`);
    expect(stderr).toContain('hint: check --deployment and --namespace; a deployment exists once a worker of it has polled');
  };

  it('check: a misspelled --deployment exits 2 with the hint status gives, not "0 of 0 passed"', async () => {
    const r = await runCli(['check', '--deployment', misspelled(), '--workflows', sampleWorkflows('v2'), ...conn()]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).not.toContain('PASSED');
    notFound(r.stderr);
  });

  it('plan: a misspelled --deployment exits 2 and writes no plan', async () => {
    const out = join(mkdtempSync(join(packageRoot(), '.safe-deploy', 'plan-')), 'plan.json');
    const r = await runCli(['plan', '--deployment', misspelled(), '--candidate-build-id', 'v2', '--workflows', sampleWorkflows('v2'), '--out', out, ...conn()]);
    expect(r.exitCode).toBe(2);
    notFound(r.stderr);
  });

  it('deploy --dry-run and deploy: a misspelled --deployment exits 2 before anything else', async () => {
    for (const extra of [['--dry-run'], ['--rollout', 'echo rollout-ran']]) {
      const dir = mkdtempSync(join(packageRoot(), '.safe-deploy', 'deploy-'));
      const r = await runCli(['deploy', '--deployment', misspelled(), '--candidate-build-id', 'v2', '--workflows', sampleWorkflows('v2'), '--plan-out', join(dir, 'plan.json'), ...extra, ...conn()]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stdout + r.stderr).toContain(`Worker Deployment "${misspelled()}" not found`);
      expect(r.stdout).not.toContain('rollout-ran');
    }
  });

  it('an existing deployment with no running executions: "nothing to check", exit 0', async () => {
    const text = await runCli(['check', '--deployment', s.deploymentName, '--workflows', sampleWorkflows('v2'), ...conn()]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^NOTHING TO CHECK: the selection has no running executions$/m);
    expect(text.stdout).not.toContain('PASSED');
    const json = await runCli(['check', '--deployment', s.deploymentName, '--workflows', sampleWorkflows('v2'), '--output', 'json', ...conn()]);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'nothing-to-check', gate: 'pass', summary: { total: 0, notChecked: 0 } });
  });

  it('--fail-on-empty, or "failOnEmpty": true in the config, makes it fail the gate (exit 1)', async () => {
    const flag = await runCli(['check', '--deployment', s.deploymentName, '--workflows', sampleWorkflows('v2'), '--fail-on-empty', ...conn()]);
    expect(flag.exitCode).toBe(1);
    expect(flag.stdout).toContain('NOTHING TO CHECK: the selection has no running executions (--fail-on-empty: the gate fails)');
    const dir = mkdtempSync(join(packageRoot(), '.safe-deploy', 'config-'));
    const config = join(dir, 'safe-deploy.config.json');
    writeFileSync(config, JSON.stringify({ deployment: s.deploymentName, workflows: sampleWorkflows('v2'), failOnEmpty: true }));
    const fromConfig = await runCli(['check', '--config', config, '--output', 'json', ...conn()]);
    expect(fromConfig.exitCode).toBe(1);
    expect(JSON.parse(fromConfig.stdout)).toMatchObject({ verdict: 'nothing-to-check', gate: 'fail', failOnEmpty: true });
  });
});

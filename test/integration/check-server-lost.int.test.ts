/**
 * A live check whose server goes away part-way: exit 3, and stdout still carries the report of what
 * was checked and what was not. This file runs a dev server of its own, since the test stops it.
 *
 * When to stop it is decided by what the check has done, not by time: `--cache-dir` makes the check
 * write each history it downloads, so the first file there means the check is under way, and with
 * `--concurrency 1` most of the selection is still to be downloaded.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../cli/paths.js';
import { promoteCandidate } from '../../cli/pipeline/promote.js';
import { connect, resolveConnection, type TemporalHandle } from '../../cli/temporal/connection.js';
import { startDevServer, type DevServer } from '../../cli/temporal/dev-server.js';
import { newScenario, startWorker, type SampleWorker, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { BIN, cliEnv, sampleWorkflows } from '../helpers/cli.js';
import { eventually } from '../helpers/temporal.js';

const EXECUTIONS = 40;

describe('check when the server is lost part-way', () => {
  let server: DevServer;
  let t: TemporalHandle;
  let s: Scenario;
  let worker: SampleWorker | undefined;

  beforeAll(async () => {
    server = await startDevServer({ logFile: join(packageRoot(), '.safe-deploy', 'server-lost.log') });
    s = newScenario(server.address, server.namespace, 'lost');
    t = await connect(resolveConnection({ address: server.address, namespace: server.namespace }, {}));
    worker = await startWorker(s, 'v1');
    await promoteCandidate({ temporal: t, deployment: s.deploymentName, buildId: 'v1' });
    for (let i = 0; i < EXECUTIONS; i++) {
      await t.client.workflow.start('ResearchWorkflow', { taskQueue: s.taskQueue, workflowId: `${s.taskQueue}-${i}`, args: [`topic ${i}`] });
    }
    await eventually('every execution to wait at the gate', async () => {
      const { count } = await t.client.workflow.count(`TemporalWorkerDeployment = '${s.deploymentName}' AND ExecutionStatus = 'Running'`);
      if (count !== EXECUTIONS) return false;
      const h = t.client.workflow.getHandle(`${s.taskQueue}-${EXECUTIONS - 1}`);
      return (await h.query<string>('status')) === 'awaiting_proceed';
    }, 120_000);
    // The worker is not needed to check; stopped now, so it does not outlive the server.
    await worker.stop();
    worker = undefined;
    await t.close();
  });
  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
  });

  it('exits 3 with a partial report: what was checked, and how many were not', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'safe-deploy-lost-cache-'));
    const child = execa('node', [BIN, 'check', '--deployment', s.deploymentName, '--workflows', sampleWorkflows('v2'), '--address', server.address, '--namespace', server.namespace,
      '--concurrency', '1', '--parallel', '1', '--cache-dir', cacheDir, '--output', 'json'], {
      reject: false,
      env: cliEnv(),
      timeout: 170_000,
    });
    await eventually('the first history to be downloaded', async () => readdirSync(cacheDir).some((f) => f.endsWith('.pb')), 120_000);
    await server.stop();
    const r = await child;

    expect(r.exitCode, String(r.stderr)).toBe(3);
    const report = JSON.parse(String(r.stdout)) as {
      verdict: string;
      gate: string;
      summary: { total: number; compatible: number; notChecked: number };
      results: { workflowId: string; verdict: string }[];
      serverLost?: { notChecked: number; message: string };
    };
    expect(report.verdict).toBe('incomplete');
    expect(report.gate).toBe('fail');
    expect(report.serverLost?.notChecked).toBeGreaterThan(0);
    expect(report.serverLost?.message).toMatch(/cannot reach Temporal|failed at/);
    expect(report.summary.total + report.summary.notChecked).toBe(EXECUTIONS);
    expect(report.summary.compatible).toBe(report.summary.total);
    for (const res of report.results) expect(res.verdict).toBe('compatible');
    expect(String(r.stderr)).toMatch(/the server was lost part-way: \d+ executions were not checked/);
    expect(String(r.stderr)).not.toMatch(/Resolution note:\s*$/m);
  });
});

/**
 * Real sample-worker processes for integration tests: `node dist/.../worker.js vN` with Worker
 * Versioning on, one deployment and task queue per test so tests never see each other's work.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { packageRoot } from '../../cli/paths.js';

export const WORKER_SCRIPT = join(packageRoot(), 'dist', 'sample-workers', 'research-agent', 'worker.js');

export type SampleVersion = 'v1' | 'v2' | 'v3';

export interface SampleWorker {
  version: SampleVersion;
  buildId: string;
  stop(): Promise<void>;
}

export interface Scenario {
  address: string;
  namespace: string;
  deploymentName: string;
  taskQueue: string;
}

export function newScenario(address: string, namespace: string, label: string): Scenario {
  const id = randomUUID().slice(0, 8);
  return { address, namespace, deploymentName: `${label}-${id}`, taskQueue: `${label}-${id}` };
}

export function workerEnv(s: Scenario, version: SampleVersion, buildId: string = version): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: s.address,
    TEMPORAL_NAMESPACE: s.namespace,
    TEMPORAL_DEPLOYMENT_NAME: s.deploymentName,
    TEMPORAL_WORKER_BUILD_ID: buildId,
    RESEARCH_TASK_QUEUE: s.taskQueue,
    RESEARCH_ACTIVITY_DELAY_MS: '20',
  };
}

/** Starts a worker process and resolves once it prints its ready line. */
export async function startWorker(s: Scenario, version: SampleVersion, buildId: string = version): Promise<SampleWorker> {
  const child: ResultPromise = execa('node', [WORKER_SCRIPT, version], {
    env: workerEnv(s, version, buildId),
    stdin: 'ignore',
    reject: false,
    cleanup: true,
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${version} not ready in 60s:\n${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    void child.then((r) => {
      clearTimeout(timer);
      reject(new Error(`worker ${version} exited (${r.exitCode}) before ready:\n${output}`));
    });
  });
  return {
    version,
    buildId,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await child;
      clearTimeout(timer);
    },
  };
}

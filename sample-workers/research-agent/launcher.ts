/**
 * Starts real research-agent worker processes (`node dist/.../worker.js vN`, or the Python agent's
 * `python worker.py vN` with `sdk: 'python'`; Worker Versioning on, the same environment variables).
 * Used by the integration tests, the history recorder and the demo. A scenario gives each user its
 * own deployment name and task queue so that runs sharing a server never see each other's work.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { packageRoot } from '../../cli/paths.js';
import { ensurePythonEnv } from '../research-agent-py/python-env.js';

/** The compiled worker, whether this module runs from dist/ or from source (under vitest). */
function workerScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = join(here, 'worker.js');
  if (existsSync(compiled)) return compiled;
  const fromSource = join(here, '..', '..', 'dist', 'sample-workers', 'research-agent', 'worker.js');
  if (existsSync(fromSource)) return fromSource;
  throw new Error(`compiled worker not found (${fromSource}): run \`npm run build\` first`);
}

export type SampleVersion = 'v1' | 'v2' | 'v3' | 'v4';
/** Which research agent: the TypeScript one (research-agent/) or the Python one (research-agent-py/, v1 to v3). */
export type SampleSdk = 'typescript' | 'python';

/** The Python agent's folder (its sources are not compiled: they stay in the package root). */
export function pythonAgentDir(): string {
  return join(packageRoot(), 'sample-workers', 'research-agent-py');
}

async function workerCommand(sdk: SampleSdk, version: SampleVersion): Promise<{ file: string; args: string[]; cwd?: string }> {
  if (sdk === 'typescript') return { file: 'node', args: [workerScript(), version] };
  return { file: await ensurePythonEnv(), args: ['worker.py', version], cwd: pythonAgentDir() };
}

export interface SampleWorker {
  version: SampleVersion;
  buildId: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface Scenario {
  address: string;
  namespace: string;
  deploymentName: string;
  taskQueue: string;
}

/** A fresh deployment name and task queue; `fixed` keeps `label` as both (the recorder, the demo). */
export function newScenario(address: string, namespace: string, label: string, fixed = false): Scenario {
  const name = fixed ? label : `${label}-${randomUUID().slice(0, 8)}`;
  return { address, namespace, deploymentName: name, taskQueue: name };
}

export function workerEnv(s: Scenario, version: SampleVersion, buildId: string = version, activityDelayMs = 20): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: s.address,
    TEMPORAL_NAMESPACE: s.namespace,
    TEMPORAL_DEPLOYMENT_NAME: s.deploymentName,
    TEMPORAL_WORKER_BUILD_ID: buildId,
    RESEARCH_TASK_QUEUE: s.taskQueue,
    RESEARCH_ACTIVITY_DELAY_MS: String(activityDelayMs),
  };
}

/** Starts a worker process and resolves once it prints its ready line. */
export async function startWorker(
  s: Scenario,
  version: SampleVersion,
  options: { buildId?: string; activityDelayMs?: number; sdk?: SampleSdk; /** Another workflows file (a test's candidate; TypeScript workers). */ workflowsPath?: string } = {},
): Promise<SampleWorker> {
  const buildId = options.buildId ?? version;
  const command = await workerCommand(options.sdk ?? 'typescript', version);
  const child: ResultPromise = execa(command.file, command.args, {
    cwd: command.cwd,
    env: { ...workerEnv(s, version, buildId, options.activityDelayMs), ...(options.workflowsPath && { RESEARCH_WORKFLOWS_PATH: options.workflowsPath }) },
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
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await child;
      clearTimeout(timer);
    },
  };
}

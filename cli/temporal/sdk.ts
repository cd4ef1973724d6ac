/**
 * Which Temporal TypeScript SDK bundles and replays the candidate. The replay must match production
 * (bundler, replay worker, native core and workflow library all of one version), so where the
 * user's project has @temporalio/worker, that one is used: resolved from the workflows path, then
 * from the working directory. Otherwise safe-deploy's own.
 *
 * The workflow library always comes from the user's project (webpack resolves
 * `@temporalio/workflow` next to the workflow code), so a worker of another version would run it
 * with a mismatched sandbox API: that is refused here, naming both versions, instead of failing
 * in the middle of a replay.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SdkInfo } from '../core/check-report.js';
import { UsageError } from '../errors.js';

/** The oldest @temporalio/worker safe-deploy replays with (tested in test/integration/user-project). */
export const MIN_SDK_VERSION = '1.12.0';
/** The first major version safe-deploy does not know. */
export const NEXT_MAJOR = 2;

export interface ReplaySdk extends SdkInfo {
  /** The module files a replay thread loads. */
  modules: { worker: string; proto: string; vmShared: string };
  /** The @temporalio/worker package.json: where the bundler's own dependencies resolve from. */
  workerPackageJson: string;
}

interface Found {
  packageJson: string;
  version: string;
}

function findPackage(name: string, from: string): Found | undefined {
  try {
    const packageJson = createRequire(from).resolve(`${name}/package.json`);
    const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? { packageJson, version } : undefined;
  } catch {
    return undefined;
  }
}

/** `createRequire` needs a file inside the folder to resolve from; it need not exist. */
const fromFolder = (dir: string): string => join(dir, '__safe-deploy-resolve__.js');

function parseVersion(v: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = v.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  return [major, minor, patch];
}

export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export function isSupportedSdkVersion(version: string): boolean {
  return compareVersions(version, MIN_SDK_VERSION) >= 0 && parseVersion(version)[0] < NEXT_MAJOR;
}

export interface ResolveSdkOptions {
  /** The candidate's workflows path (a file or folder), when bundling from source. */
  workflowsPath?: string;
  cwd?: string;
}

export function resolveReplaySdk(options: ResolveSdkOptions): ReplaySdk {
  const cwd = options.cwd ?? process.cwd();
  const workflowsFrom = options.workflowsPath ? fromFolder(dirname(resolve(options.workflowsPath))) : undefined;
  const fromProject = [workflowsFrom, fromFolder(cwd)].filter((f): f is string => f !== undefined);
  let worker: Found | undefined;
  let origin: SdkInfo['origin'] = 'project';
  for (const from of fromProject) if ((worker ??= findPackage('@temporalio/worker', from))) break;
  if (!worker) {
    origin = 'safe-deploy';
    worker = findPackage('@temporalio/worker', import.meta.url);
    if (!worker) throw new Error("safe-deploy's own @temporalio/worker is not installed");
  }
  if (!isSupportedSdkVersion(worker.version)) {
    throw new UsageError(
      `@temporalio/worker ${worker.version} (${dirname(worker.packageJson)}) is outside the SDK versions safe-deploy supports (>= ${MIN_SDK_VERSION}, < ${NEXT_MAJOR}.0.0)`,
      `upgrade the project's Temporal SDK packages to ${MIN_SDK_VERSION} or newer (npm install @temporalio/worker@^${MIN_SDK_VERSION.split('.').slice(0, 2).join('.')} and the other @temporalio packages with it)`,
    );
  }
  if (workflowsFrom) {
    const workflowLib = findPackage('@temporalio/workflow', workflowsFrom);
    if (workflowLib && workflowLib.version !== worker.version) {
      const whose = origin === 'project' ? "the project's @temporalio/worker" : "safe-deploy's own @temporalio/worker (the project has none)";
      throw new UsageError(
        `the workflow code uses @temporalio/workflow ${workflowLib.version}, but ${whose} is ${worker.version}: a bundle of one replayed by the other does not run`,
        origin === 'project'
          ? `install matching versions in the project: npm install @temporalio/worker@${workflowLib.version} @temporalio/workflow@${workflowLib.version}`
          : `add the worker your workers run to the project: npm install --save-dev @temporalio/worker@${workflowLib.version}`,
      );
    }
  }
  const requireFromWorker = createRequire(worker.packageJson);
  return {
    language: 'typescript',
    version: worker.version,
    origin,
    path: dirname(worker.packageJson),
    workerPackageJson: worker.packageJson,
    modules: {
      worker: requireFromWorker.resolve('@temporalio/worker'),
      proto: requireFromWorker.resolve('@temporalio/proto'),
      vmShared: join(dirname(worker.packageJson), 'lib', 'workflow', 'vm-shared.js'),
    },
  };
}

/** The SDK's worker package (CommonJS), loaded from where resolveReplaySdk found it. */
export async function loadSdkWorker(sdk: ReplaySdk): Promise<typeof import('@temporalio/worker')> {
  return (await import(pathToFileURL(sdk.modules.worker).href)) as typeof import('@temporalio/worker');
}

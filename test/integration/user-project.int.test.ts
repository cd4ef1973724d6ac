/**
 * safe-deploy as a user installs it: packed with `npm pack`, installed into fresh projects outside
 * this repository whose SDK packages come from the registry through a plain `npm install` (npm lays
 * out protobufjs there in separate copies, which used to break history files). In each project on a
 * supported SDK: the project's worker runs orders on the real server, their histories are exported
 * by the official CLI, and safe-deploy checks them offline and live against a compatible and a
 * breaking change, with the project's own SDK. Also: an SDK outside the range, and Node 24.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemporalHandle } from '../../cli/temporal/connection.js';
import { MIN_SDK_VERSION } from '../../cli/temporal/sdk.js';
import {
  createUserProject,
  installNode,
  packSafeDeploy,
  startUserWorker,
  tempFolder,
  useWorkflows,
  type UserProject,
} from '../helpers/user-project.js';
import { connectTest, eventually, serverAddress } from '../helpers/temporal.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TEMPORAL = join(ROOT, '.tools', 'bin', 'temporal');
/** The SDK this package is built with, and the oldest one it declares supported. */
const SUPPORTED = ['1.24.0', '1.12.3'];
const UNSUPPORTED = '1.11.8';
const NODE_24 = '24.22.3';
const INSTALL_TIMEOUT = 600_000;
const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `npx safe-deploy ...` in the project, or with another `node` binary. */
async function safeDeploy(project: string, args: string[], node?: string): Promise<Run> {
  const bin = join(project, 'node_modules', '.bin', 'safe-deploy');
  const r = node
    ? await execa(node, [join(project, 'node_modules', 'safe-deploy', 'bin', 'safe-deploy.js'), ...args], { cwd: project, reject: false })
    : await execa(bin, args, { cwd: project, reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

interface CheckJson {
  verdict: string;
  candidate: { sdk?: { version: string; origin: string; path: string } };
  summary: { total: number; compatible: number; incompatible: number; errors: number };
  results: { workflowId: string; verdict: string }[];
}
const verdicts = (report: CheckJson) => Object.fromEntries(report.results.map((r) => [r.workflowId, r.verdict]));

const work = tempFolder('user-projects');
let tarball: string;
const projects = new Map<string, Promise<UserProject>>();
let node24: Promise<string>;

beforeAll(async () => {
  tarball = await packSafeDeploy(work);
  for (const version of [...SUPPORTED, UNSUPPORTED]) {
    const dir = join(work, `sdk-${version}`);
    mkdirSync(dir);
    const made = createUserProject(dir, version, tarball);
    made.catch(() => undefined); // awaited by the tests that use it
    projects.set(version, made);
  }
  const nodeDir = join(work, 'node24');
  mkdirSync(nodeDir);
  node24 = installNode(nodeDir, NODE_24);
  node24.catch(() => undefined);
}, INSTALL_TIMEOUT);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.each(SUPPORTED)('a user project on SDK %s', (sdkVersion) => {
  let project: UserProject;
  let t: TemporalHandle;
  let worker: { process: ResultPromise } | undefined;
  const taskQueue = `orders-${sdkVersion.replace(/\./g, '-')}-${Date.now()}`;
  const orders = ['o1', 'o2', 'o3'].map((o) => `${taskQueue}-${o}`);
  const { address, namespace } = serverAddress();
  const histories = () => join(project.dir, 'histories');
  const check = (args: string[]) => safeDeploy(project.dir, ['check', '--workflows', 'src/workflows.ts', '--output', 'json', ...args]);
  const live = ['--task-queue', taskQueue, '--address', address, '--namespace', namespace];

  beforeAll(async () => {
    project = await projects.get(sdkVersion)!;
    t = await connectTest();
    worker = await startUserWorker(project.dir, { address, namespace, taskQueue });
    // Orders reserved and waiting for approval: their histories end at a pending condition.
    for (const id of orders) {
      const h = await t.client.workflow.start('order', { taskQueue, workflowId: id, args: [id] });
      await eventually(`${id} to reserve`, async () => {
        const events = (await h.fetchHistory()).events ?? [];
        const completed = events.findIndex((e) => e.activityTaskCompletedEventAttributes);
        return completed >= 0 && events.slice(completed).some((e) => e.workflowTaskCompletedEventAttributes);
      });
    }
    mkdirSync(histories());
    for (const id of orders) {
      // The official CLI's export, as a user downloads it.
      const json = execFileSync(TEMPORAL, ['workflow', 'show', '--workflow-id', id, '--output', 'json', '--address', address, '--namespace', namespace]);
      writeFileSync(join(histories(), `${id}.json`), json);
    }
    await eventually('visibility to list the orders', async () => {
      const { count } = await t.client.workflow.count(`TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`);
      return count === orders.length;
    });
  }, INSTALL_TIMEOUT);

  afterAll(async () => {
    worker?.process.kill('SIGKILL');
    await worker?.process;
    for (const id of orders) await t?.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    await t?.close();
  });

  it("installs with its own SDK and safe-deploy's, without overrides", () => {
    const ls = execFileSync('npm', ['ls', '@temporalio/worker', '--all', '--json'], { cwd: project.dir, encoding: 'utf8' });
    const tree = JSON.parse(ls) as { dependencies: Record<string, { version: string }> };
    expect(tree.dependencies['@temporalio/worker']?.version).toBe(sdkVersion);
    // The layout that broke history files: npm gives the SDK packages separate protobufjs copies.
    const copies = new Set(execFileSync('npm', ['ls', 'protobufjs', '--all', '--parseable'], { cwd: project.dir, encoding: 'utf8' }).split('\n').filter(Boolean));
    if (sdkVersion === '1.24.0') expect(copies.size).toBeGreaterThan(1);
  });

  it('offline: passes on a compatible change, replayed by the project\'s own SDK', async () => {
    useWorkflows(project.dir, 'v2');
    const r = await check(['--histories', 'histories']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as CheckJson;
    expect(report.verdict).toBe('passed');
    expect(report.summary).toMatchObject({ total: 3, compatible: 3 });
    expect(report.candidate.sdk).toEqual({
      language: 'typescript',
      version: sdkVersion,
      origin: 'project',
      path: join(project.dir, 'node_modules', '@temporalio', 'worker'),
    });
  });

  it('offline: fails on a breaking change, and says where history and code diverged', async () => {
    useWorkflows(project.dir, 'v3');
    const r = await check(['--histories', 'histories']);
    expect(r.exitCode, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as CheckJson;
    expect(report.summary).toMatchObject({ total: 3, incompatible: 3 });
    expect(Object.values(verdicts(report))).toEqual(['nondeterministic', 'nondeterministic', 'nondeterministic']);
    const text = await safeDeploy(project.dir, ['check', '--workflows', 'src/workflows.ts', '--histories', 'histories']);
    expect(text.stdout).toMatch(new RegExp(`replayed with @temporalio/worker ${sdkVersion.replace(/\./g, '\\.')} \\(the project's\\)`));
    expect(text.stdout).toMatch(/history had activity step scheduled at event \d+, code did activity validate there/);
  });

  it('live: a check of the task queue agrees with the files, execution by execution', async () => {
    for (const [version, exitCode] of [['v2', 0], ['v3', 1]] as const) {
      useWorkflows(project.dir, version);
      const offline = JSON.parse((await check(['--histories', 'histories'])).stdout) as CheckJson;
      const r = await check(live);
      expect(r.exitCode, `${version}: ${r.stderr}`).toBe(exitCode);
      const report = JSON.parse(r.stdout) as CheckJson;
      expect(verdicts(report)).toEqual(verdicts(offline));
      expect(report.candidate.sdk?.version).toBe(sdkVersion);
    }
  });

  it('init --yes writes a config with which a bare check works; the pre-push hook checks the pushed commit, not the working tree', async () => {
    // A copy of the project (its node_modules linked, as a second clone would install the same).
    const copy = join(work, `copy-${sdkVersion}`);
    cpSync(project.dir, copy, { recursive: true, filter: (src) => !src.startsWith(join(project.dir, 'node_modules')) });
    symlinkSync(join(project.dir, 'node_modules'), join(copy, 'node_modules'));
    writeFileSync(join(copy, '.gitignore'), 'node_modules\n');
    useWorkflows(copy, 'v2');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: copy, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY } });
    git('init', '-q', '-b', 'main');

    const init = await safeDeploy(copy, ['init', '--yes']);
    expect(init.exitCode, init.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(copy, 'safe-deploy.config.json'), 'utf8')) as { workflows: string; histories: string[] };
    expect(config.workflows).toBe('src/workflows.ts');
    expect(config.histories).toEqual(['histories/']);
    const bare = await safeDeploy(copy, ['check']);
    expect(bare.exitCode, bare.stderr).toBe(0);
    expect(bare.stdout).toMatch(/PASSED: 3 of 3/);

    git('add', '-A');
    git('commit', '-qm', 'orders v2');
    const remote = join(work, `remote-${sdkVersion}.git`);
    execFileSync('git', ['init', '-q', '--bare', remote]);
    git('remote', 'add', 'origin', remote);
    const push = () => execa('git', ['push', '-q', 'origin', 'main'], { cwd: copy, reject: false, env: GIT_IDENTITY });
    const remoteHead = () => execFileSync('git', ['rev-parse', 'main'], { cwd: remote, encoding: 'utf8' }).trim();

    // A breaking commit, with the compatible code back in the working tree (uncommitted): blocked.
    useWorkflows(copy, 'v3');
    git('commit', '-qam', 'orders v3 (breaking)');
    const breaking = git('rev-parse', 'HEAD').trim();
    useWorkflows(copy, 'v2');
    const blocked = await push();
    expect(blocked.exitCode, String(blocked.stderr)).not.toBe(0);
    expect(`${String(blocked.stdout)}${String(blocked.stderr)}`).toMatch(/FAILED: 3 incompatible/);
    expect(() => remoteHead()).toThrow(); // nothing reached the remote

    // The opposite: a compatible commit on top, with the breaking code in the working tree: pushed.
    git('commit', '-qam', 'orders v2 again');
    useWorkflows(copy, 'v3');
    const passed = await push();
    expect(passed.exitCode, String(passed.stderr)).toBe(0);
    expect(remoteHead()).toBe(git('rev-parse', 'HEAD').trim());
    expect(remoteHead()).not.toBe(breaking);
  });
});

describe(`a user project on SDK ${UNSUPPORTED}, outside the supported range`, () => {
  it('exits 2 with a message naming its version and the range, not an internal error', async () => {
    const project = await projects.get(UNSUPPORTED)!;
    useWorkflows(project.dir, 'v1');
    mkdirSync(join(project.dir, 'histories'), { recursive: true });
    const r = await safeDeploy(project.dir, ['check', '--workflows', 'src/workflows.ts', '--histories', join(ROOT, 'histories', 'research-agent')]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(`@temporalio/worker ${UNSUPPORTED}`);
    expect(r.stderr).toContain(`>= ${MIN_SDK_VERSION}`);
    expect(r.stderr).toMatch(/^hint: upgrade/m);
    expect(r.stderr).not.toMatch(/internal error/);
  }, INSTALL_TIMEOUT);
});

describe(`the packed install on Node ${NODE_24}`, () => {
  it('prints its version and runs an offline check', async () => {
    const node = await node24;
    expect(execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${NODE_24}`);
    const project = await projects.get(SUPPORTED[0]!)!;
    const version = await safeDeploy(project.dir, ['--version'], node);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    useWorkflows(project.dir, 'v2');
    // The histories this project's worker wrote, exported above.
    const r = await safeDeploy(project.dir, ['check', '--workflows', 'src/workflows.ts', '--histories', join(project.dir, 'histories'), '--output', 'json'], node);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as CheckJson).summary.compatible).toBe(3);
  }, INSTALL_TIMEOUT);
});

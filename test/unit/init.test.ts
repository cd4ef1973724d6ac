/**
 * `safe-deploy init` in a copy of a user's project (the research agent laid out as a Temporal
 * TypeScript project: src/worker.ts naming its workflows, recorded histories, installed SDK),
 * then a bare `safe-deploy check` with the config it wrote. The built CLI, a real git repository.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { runCli, sampleWorkflows } from '../helpers/cli.js';

const root = join(import.meta.dirname, '..', '..');
const agent = join(root, 'sample-workers', 'research-agent');
const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const cli = (args: string[], cwd: string) => runCli(args, { cwd, env });

function userProject(options: { deployment?: string } = {}): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'safe-deploy-init-')), 'agent-app');
  mkdirSync(join(dir, 'src', 'workflows'), { recursive: true });
  copyFileSync(sampleWorkflows('v2'), join(dir, 'src', 'workflows', 'index.ts'));
  for (const file of ['activities.ts', 'shared.ts', 'follow-up.ts']) copyFileSync(join(agent, file), join(dir, 'src', file));
  const versioning = options.deployment ? `\n    workerDeploymentOptions: { version: { deploymentName: DEPLOYMENT, buildId: process.env.BUILD_ID ?? 'dev' }, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' },` : '';
  writeFileSync(
    join(dir, 'src', 'worker.ts'),
    `import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';
${options.deployment ? `const DEPLOYMENT = '${options.deployment}';\n` : ''}
export async function run(): Promise<void> {
  const connection = await NativeConnection.connect({ address: 'localhost:7233' });
  const worker = await Worker.create({
    connection,
    taskQueue: 'research',
    workflowsPath: require.resolve('./workflows'),
    activities,${versioning}
  });
  await worker.run();
}
`,
  );
  cpSync(join(root, 'histories', 'research-agent'), join(dir, 'histories'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'agent-app', private: true, devDependencies: { 'safe-deploy': '*' } }, null, 2));
  return dir;
}

describe('safe-deploy init', () => {
  it('init --yes writes a config with which a bare `check` works, installs the hook, prints the CI steps; a second init keeps the config', async () => {
    const dir = userProject();
    await execa('git', ['init', '-q', '-b', 'main', dir], { env: { ...process.env, ...env } });

    const init = await cli(['init', '--yes'], dir);
    expect(init.exitCode, init.stderr).toBe(0);
    const configPath = join(dir, 'safe-deploy.config.json');
    const written = readFileSync(configPath, 'utf8');
    expect(JSON.parse(written)).toEqual({ workflows: 'src/workflows/index.ts', histories: ['histories/'] });
    expect(init.stdout).toContain(`Wrote ${configPath}`);
    expect(init.stdout).toMatch(/pre-push hook: installed/);
    expect(readFileSync(join(dir, '.git', 'hooks', 'pre-push'), 'utf8')).toContain('npx --no-install safe-deploy hook pre-push');
    expect(init.stdout).toMatch(/- run: npm ci\n\s+- uses: OWNER\/safe-deploy@REF/);

    const check = await cli(['check'], dir);
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/PASSED: 7 of 7/);

    const again = await cli(['init', '--yes'], dir);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Kept the existing project config/);
    expect(again.stdout).toMatch(/init never overwrites one/);
    expect(readFileSync(configPath, 'utf8')).toBe(written);
  });

  it('finds the Worker Deployment from workerDeploymentOptions; --dry-run --output json writes nothing', async () => {
    const dir = userProject({ deployment: 'research-agent' });
    const r = await cli(['init', '--yes', '--dry-run', '--output', 'json'], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      schemaVersion: 1,
      configOutcome: 'would-write',
      config: { workflows: 'src/workflows/index.ts', deployment: 'research-agent', histories: ['histories/'] },
      workflowsFound: ['src/workflows/index.ts'],
      deploymentsFound: ['research-agent'],
      hook: { step: 'not-a-git-repository' },
      dryRun: true,
    });
    expect(out.githubStep).toContain('address: ${{ vars.TEMPORAL_ADDRESS }}');
    expect(existsSync(join(dir, 'safe-deploy.config.json'))).toBe(false);
  });

  it('asks nothing without a terminal unless --yes; a project without workflows is a usage error with a hint', async () => {
    const dir = userProject();
    const noTty = await cli(['init'], dir);
    expect(noTty.exitCode).toBe(2);
    expect(noTty.stderr).toMatch(/hint: pass --yes/);

    const empty = mkdtempSync(join(tmpdir(), 'safe-deploy-init-empty-'));
    const none = await cli(['init', '--yes'], empty);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/error: no workflows file found/);
    expect(none.stderr).toMatch(/hint: pass --workflows PATH/);
    expect(existsSync(join(empty, 'safe-deploy.config.json'))).toBe(false);
  });
});

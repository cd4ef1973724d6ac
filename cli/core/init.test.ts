import { describe, expect, it } from 'vitest';
import { deploymentNames, findWorkflows, renderConfig, renderGitHubStep, resolutionCandidates, workflowsPathSpecifiers } from './init.js';

describe('init: workflowsPath in worker files (samples-typescript layouts)', () => {
  it.each([
    { scenario: 'require.resolve, the common case', source: `workflowsPath: require.resolve('./workflows'),`, specs: ['./workflows'] },
    { scenario: 'a parent folder', source: `workflowsPath: require.resolve("../workflows"),`, specs: ['../workflows'] },
    { scenario: 'path.join(__dirname, ...)', source: `workflowsPath: path.join(__dirname, './workflows.ts'),`, specs: ['./workflows.ts'] },
    { scenario: 'new URL(..., import.meta.url) for ESM', source: "const u = new URL('./workflows.js', import.meta.url);\nworkflowsPath: fileURLToPath(u),", specs: ['./workflows.js'] },
    { scenario: 'a template with an expression is not guessed', source: 'const u = new URL(`./workflows${path.extname(import.meta.url)}`, import.meta.url); workflowsPath: fileURLToPath(u)', specs: [] },
    { scenario: 'a package name is not a path', source: `workflowsPath: require.resolve('@acme/workflows'),`, specs: [] },
    { scenario: 'no worker here', source: `export async function greet() {}`, specs: [] },
  ])('$scenario', ({ source, specs }) => {
    expect(workflowsPathSpecifiers(source)).toEqual(specs);
  });

  it('resolves a specifier like require.resolve, and a compiled lib/*.js back to its source', () => {
    expect(resolutionCandidates('src/worker.ts', './workflows').slice(0, 3)).toEqual(['src/workflows.ts', 'src/workflows.mts', 'src/workflows/index.ts']);
    expect(resolutionCandidates('packages/worker/src/worker.ts', '../../workflows/lib/all.js')).toContain('packages/workflows/src/all.ts');
    expect(resolutionCandidates('worker.ts', '../../packages/workflows/')).toContain('../../packages/workflows/index.ts');
  });
});

describe('init: finding the workflows file', () => {
  const has = (...paths: string[]) => (p: string) => paths.includes(p);
  it.each([
    {
      scenario: 'the file the worker names',
      files: [{ path: 'src/worker.ts', content: `Worker.create({ workflowsPath: require.resolve('./workflows') })` }, { path: 'src/workflows.ts', content: '' }],
      exists: has('src/workflows.ts'),
      expected: { workflows: ['src/workflows.ts'], via: 'worker' },
    },
    {
      scenario: 'several workers, several versions (worker-versioning)',
      files: ['v1', 'v2'].map((v) => ({ path: `src/worker${v}.ts`, content: `workflowsPath: require.resolve('./workflows-${v}')` })),
      exists: has('src/workflows-v1.ts', 'src/workflows-v2.ts'),
      expected: { workflows: ['src/workflows-v1.ts', 'src/workflows-v2.ts'], via: 'worker' },
    },
    {
      scenario: 'a worker in a test folder does not count',
      files: [{ path: 'src/mocha/workflows.test.ts', content: `workflowsPath: require.resolve('../other')` }, { path: 'src/workflows.ts', content: '' }],
      exists: has('src/other.ts', 'src/workflows.ts'),
      expected: { workflows: ['src/workflows.ts'], via: 'file-name' },
    },
    {
      scenario: 'no worker: workflows.ts / workflows/index.ts by name, source before compiled, shallow first',
      files: ['lib/workflows.js', 'src/workflows/index.ts', 'src/deep/er/workflows.ts'].map((path) => ({ path, content: '' })),
      exists: () => true,
      expected: { workflows: ['src/workflows/index.ts', 'src/deep/er/workflows.ts'], via: 'file-name' },
    },
    { scenario: 'nothing at all', files: [{ path: 'index.ts', content: '' }], exists: () => true, expected: { workflows: [], via: 'none' } },
  ])('$scenario', ({ files, exists, expected }) => {
    expect(findWorkflows(files, exists)).toEqual(expected);
  });
});

describe('init: the Worker Deployment from workerDeploymentOptions', () => {
  it.each([
    { scenario: 'a literal', files: [{ path: 'w.ts', content: `version: { deploymentName: 'orders', buildId }` }], names: ['orders'] },
    {
      scenario: 'a constant from another file',
      files: [
        { path: 'src/worker.ts', content: `import { DEPLOYMENT_NAME } from './constants';\nversion: { deploymentName: DEPLOYMENT_NAME, buildId: '1.0' }` },
        { path: 'src/constants.ts', content: `export const DEPLOYMENT_NAME = 'my-deployment';` },
      ],
      names: ['my-deployment'],
    },
    { scenario: 'an environment variable cannot be known', files: [{ path: 'w.ts', content: 'deploymentName: process.env.DEPLOYMENT' }], names: [] },
    { scenario: 'two workers, one name', files: ['a', 'b'].map((n) => ({ path: `${n}.ts`, content: `deploymentName: "agent"` })), names: ['agent'] },
  ])('$scenario', ({ files, names }) => {
    expect(deploymentNames(files)).toEqual(names);
  });
});

describe('init: what it writes and prints', () => {
  it('writes only what it found, in a fixed order', () => {
    expect(JSON.parse(renderConfig({ histories: ['histories/'], workflows: 'src/workflows.ts' }))).toEqual({ workflows: 'src/workflows.ts', histories: ['histories/'] });
    expect(Object.keys(JSON.parse(renderConfig({ workflows: 'w.ts', deployment: 'd', histories: ['h/'] })))).toEqual(['workflows', 'deployment', 'histories']);
  });

  it('the CI steps: the user\'s own npm ci before the action; connection inputs only for a live check', () => {
    const live = renderGitHubStep({ live: true, workingDirectory: 'services/agent' });
    expect(live.indexOf('run: npm ci')).toBeLessThan(live.indexOf('uses: OWNER/safe-deploy@REF'));
    expect(live).toContain('working-directory: services/agent');
    expect(live).toContain('api-key: ${{ secrets.TEMPORAL_API_KEY }}');
    expect(renderGitHubStep({ live: false })).not.toContain('api-key');
  });
});

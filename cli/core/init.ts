/**
 * `safe-deploy init`: what a Temporal TypeScript project's sources say about its workflows and
 * its Worker Deployment, and the config and CI step made from that. Pure: the files come from
 * cli/config/init-scan.ts.
 *
 * Read the way Temporal projects are laid out (temporalio/samples-typescript): a worker file
 * calls `Worker.create({ workflowsPath: require.resolve('./workflows'), ... })`, sometimes
 * `path.join(__dirname, ...)` or `new URL(..., import.meta.url)`, sometimes pointing at a
 * compiled `lib/*.js` of a sibling package; Worker Versioning adds
 * `workerDeploymentOptions: { version: { deploymentName: 'x' | NAME, buildId } }`. Without a
 * worker file, `workflows.ts` / `workflows/index.ts` are the convention.
 */

export const INIT_SCHEMA_VERSION = 1;

export interface SourceFile {
  /** Relative to the project folder, with forward slashes. */
  path: string;
  content: string;
}

/** A quoted string literal; `group` is the number of its quote's capture group in the whole pattern. */
const quoted = (group = 1): string => `(['"\x60])([^'"\x60]+)\\${group}`;
const STRING = quoted();
const WORKFLOWS_PATH_PATTERNS = [
  new RegExp(String.raw`workflowsPath\s*:\s*require\.resolve\(\s*${STRING}\s*\)`, 'g'),
  new RegExp(String.raw`workflowsPath\s*:\s*(?:path\.)?(?:join|resolve)\(\s*__dirname\s*,\s*${STRING}\s*\)`, 'g'),
  new RegExp(String.raw`new URL\(\s*${STRING}\s*,\s*import\.meta\.url\s*\)`, 'g'),
  new RegExp(String.raw`workflowsPath\s*:\s*${STRING}`, 'g'),
];

/** The specifiers a worker file passes as `workflowsPath` (relative to that file). */
export function workflowsPathSpecifiers(content: string): string[] {
  if (!content.includes('workflowsPath')) return [];
  const found = new Set<string>();
  for (const pattern of WORKFLOWS_PATH_PATTERNS) {
    for (const m of content.matchAll(pattern)) {
      const spec = m[2];
      if (spec && (spec.startsWith('.') || spec.startsWith('/')) && !/\$\{/.test(spec)) found.add(spec);
    }
  }
  return [...found];
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0 || out[out.length - 1] === '..') out.push('..');
      else out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

const dirnameOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

/**
 * The files a `workflowsPath` specifier in `fromFile` may mean, most likely first: the source a
 * compiled path was built from (lib/x.js -> src/x.ts), then the extensions and index files
 * require.resolve would try.
 */
export function resolutionCandidates(fromFile: string, specifier: string): string[] {
  const base = normalize(`${dirnameOf(fromFile)}/${specifier}`);
  const stems = new Set<string>();
  const stem = base.replace(/\.(m|c)?[jt]s$/, '');
  for (const s of [stem, stem.replace(/(^|\/)(lib|dist|build)\//, '$1src/')]) stems.add(s);
  const out: string[] = [];
  for (const s of stems) {
    if (/\.(m|c)?ts$/.test(base) && s === stem) out.push(base);
    out.push(`${s}.ts`, `${s}.mts`, `${s}/index.ts`, `${s}/src/index.ts`, `${s}.js`, `${s}.mjs`, `${s}/index.js`);
  }
  return [...new Set(out)];
}

/** The Worker Deployment names the worker files declare: literals, or constants defined in any of the files. */
export function deploymentNames(files: readonly SourceFile[]): string[] {
  const constants = new Map<string, string>();
  for (const f of files) {
    for (const m of f.content.matchAll(new RegExp(String.raw`(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*string\s*)?=\s*${quoted(2)}`, 'g'))) {
      if (m[1] && m[3]) constants.set(m[1], m[3]);
    }
  }
  const names = new Set<string>();
  for (const f of files) {
    for (const m of f.content.matchAll(new RegExp(String.raw`deploymentName\s*:\s*(?:${STRING}|([A-Za-z_$][\w$.]*))`, 'g'))) {
      const literal = m[2];
      const identifier = m[3]?.split('.').pop();
      const name = literal ?? (identifier ? constants.get(identifier) : undefined);
      if (name) names.add(name);
    }
  }
  return [...names].sort();
}

const isTestFile = (path: string): boolean => /(^|\/)(__tests__|test|tests|mocha)\//.test(path) || /\.(test|spec)\.[cm]?[jt]s$/.test(path);

export interface WorkflowsFinding {
  /** Workflows files found, relative to the project folder, most likely first. */
  workflows: string[];
  /** How they were found. */
  via: 'worker' | 'file-name' | 'none';
}

/** The workflows file(s): what the worker files name as workflowsPath, else the conventional file names. */
export function findWorkflows(files: readonly SourceFile[], exists: (path: string) => boolean): WorkflowsFinding {
  const fromWorkers: string[] = [];
  for (const f of files) {
    if (isTestFile(f.path)) continue;
    for (const spec of workflowsPathSpecifiers(f.content)) {
      const hit = resolutionCandidates(f.path, spec).find(exists);
      if (hit && !fromWorkers.includes(hit)) fromWorkers.push(hit);
    }
  }
  if (fromWorkers.length) return { workflows: fromWorkers.sort(), via: 'worker' };
  const byName = files
    .map((f) => f.path)
    .filter((p) => !isTestFile(p) && /(^|\/)workflows(\/index)?\.(m|c)?[jt]s$/.test(p) && !/(^|\/)(lib|dist|build)\//.test(p))
    .sort((a, b) => Number(/\.[cm]?js$/.test(a)) - Number(/\.[cm]?js$/.test(b)) || a.split('/').length - b.split('/').length || a.localeCompare(b));
  return byName.length ? { workflows: byName, via: 'file-name' } : { workflows: [], via: 'none' };
}

export interface InitConfig {
  workflows: string;
  deployment?: string;
  histories?: string[];
}

/** The config file's content: paths as given (relative to the file), keys in a fixed order. */
export function renderConfig(config: InitConfig): string {
  const ordered: Record<string, unknown> = { workflows: config.workflows };
  if (config.deployment) ordered.deployment = config.deployment;
  if (config.histories?.length) ordered.histories = config.histories;
  return JSON.stringify(ordered, null, 2) + '\n';
}

/**
 * The GitHub Actions steps to paste: the user's checkout and install (so their SDK is what
 * replays), then the action; with no inputs beyond the connection, it reads safe-deploy.config.json.
 */
export function renderGitHubStep(options: { workingDirectory?: string; live: boolean }): string {
  const lines = [
    '      - uses: actions/checkout@v4',
    '      - uses: actions/setup-node@v4',
    '        with:',
    '          node-version: 24',
    `      - run: npm ci${options.workingDirectory ? `\n        working-directory: ${options.workingDirectory}` : ''}`,
    '      - uses: OWNER/safe-deploy@REF   # the safe-deploy repository and a tag or commit of it',
    '        with:',
    '          command: check',
    "          setup-node: 'false'   # the job's Node, set up above",
  ];
  if (options.workingDirectory) lines.push(`          working-directory: ${options.workingDirectory}`);
  if (options.live) {
    lines.push('          address: ${{ vars.TEMPORAL_ADDRESS }}', '          namespace: ${{ vars.TEMPORAL_NAMESPACE }}', '          api-key: ${{ secrets.TEMPORAL_API_KEY }}');
  }
  return lines.join('\n') + '\n';
}

/**
 * The bundle cache: candidate bundles kept on disk, so a re-run skips webpack (~1 s) without ever
 * replaying a bundle its sources would no longer produce.
 *
 * An entry is keyed by everything the bundler is given (options, toolchain versions, working
 * directory) and records the state of every path webpack read or probed; it is used only if all of
 * them are still as recorded (file contents by sha256, not mtime). Anything unexpected on lookup
 * (no entry, a changed input, a corrupt or unreadable file) is a miss, never an error; a failure to
 * write an entry never fails the run. One entry per key, overwritten on a miss.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, parse, resolve, sep } from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

/** Bump when the entry layout or what a manifest records changes: older entries then just miss. */
const FORMAT = 1;

/** The bundler's inputs, as absolute paths (what loadCandidate passes to bundleWorkflowCode). */
export interface BundleInputs {
  workflowsPath: string;
  payloadConverterPath?: string;
  failureConverterPath?: string;
  interceptorModules?: string[];
  /** The package.json of the @temporalio/worker that bundles (the project's, or safe-deploy's). */
  workerPackageJson: string;
}

export type BundleLookup = { hit: true; code: string; workflowExports?: string[] } | { hit: false; reason: string };

interface Manifest {
  format: typeof FORMAT;
  key: string;
  keyMaterial: Record<string, unknown>;
  /** sha256 (hex) of the bundle file's content. */
  codeSha256: string;
  /** Every path webpack read or probed, with its state then (see pathState). */
  paths: Record<string, string>;
  /** Directories webpack listed (contextDependencies), with a hash of their recursive listing. */
  directories: Record<string, string>;
  /** What the workflows module exports, when webpack could tell (see BundleRecording). */
  workflowExports?: string[];
}

/**
 * `--bundle-cache DIR` as given, none for `--no-bundle-cache`, else `bundles/` under
 * $SAFE_DEPLOY_CACHE_DIR, $XDG_CACHE_HOME/safe-deploy or ~/.cache/safe-deploy.
 */
export function bundleCacheDir(option: string | false | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (option === false) return undefined;
  if (option) return resolve(option);
  if (env.SAFE_DEPLOY_CACHE_DIR) return join(resolve(env.SAFE_DEPLOY_CACHE_DIR), 'bundles');
  // The XDG spec says a relative path in these variables is invalid and must be ignored.
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'safe-deploy', 'bundles');
}

/**
 * The packages that turn sources into a bundle, each with the package that loads it. A `npm update`
 * can change webpack or swc under the same @temporalio/worker version, and their output with it.
 */
const TOOLCHAIN: [name: string, loadedBy: string | undefined][] = [
  ['@temporalio/worker', undefined],
  ['webpack', '@temporalio/worker'],
  ['swc-loader', '@temporalio/worker'],
  ['source-map-loader', '@temporalio/worker'],
  ['@swc/core', 'swc-loader'],
  ['browserslist', 'webpack'],
  ['caniuse-lite', 'browserslist'],
];
const toolchains = new Map<string, Record<string, string | null>>();

/** The toolchain's versions, starting from the @temporalio/worker that bundles. */
function toolchainVersions(workerPackageJson: string): Record<string, string | null> {
  const known = toolchains.get(workerPackageJson);
  if (known) return known;
  const found = new Map<string, string>([['@temporalio/worker', workerPackageJson]]); // name -> its package.json
  const versions: Record<string, string | null> = {};
  for (const [name, loadedBy] of TOOLCHAIN) {
    try {
      const path = found.get(name) ?? createRequire(found.get(loadedBy ?? '') ?? workerPackageJson).resolve(`${name}/package.json`);
      found.set(name, path);
      versions[name] = String((JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown }).version);
    } catch {
      versions[name] = null;
    }
  }
  toolchains.set(workerPackageJson, versions);
  return versions;
}

/** Environment variables that change what webpack (through browserslist) and swc produce. */
function toolEnv(env: NodeJS.ProcessEnv): [string, string][] {
  return Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined && /^(BROWSERSLIST|SWC_)|^NODE_ENV$/.test(e[0]))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** What the key is a hash of; kept in the manifest too, for whoever looks into the cache. */
function keyMaterial(inputs: BundleInputs, env: NodeJS.ProcessEnv): Manifest['keyMaterial'] {
  return {
    format: FORMAT,
    // Where the SDK is as well as its version: two installs of one version can differ in webpack/swc.
    worker: inputs.workerPackageJson,
    toolchain: toolchainVersions(inputs.workerPackageJson),
    // webpack's context: module IDs in the bundle are relative to it, and browserslist is looked up from it.
    context: process.cwd(),
    env: toolEnv(env),
    workflowsPath: inputs.workflowsPath,
    payloadConverterPath: inputs.payloadConverterPath ?? null,
    failureConverterPath: inputs.failureConverterPath ?? null,
    interceptorModules: inputs.interceptorModules ?? [],
  };
}

export function bundleCacheKey(inputs: BundleInputs, env: NodeJS.ProcessEnv = process.env): string {
  return sha256(JSON.stringify(keyMaterial(inputs, env)));
}

export function readCachedBundle(dir: string, inputs: BundleInputs): BundleLookup {
  try {
    const key = bundleCacheKey(inputs);
    let text: string;
    try {
      text = readFileSync(join(dir, `${key}.json`), 'utf8');
    } catch {
      return { hit: false, reason: 'no entry' };
    }
    const manifest = parseManifest(text, key);
    if (!manifest) return { hit: false, reason: 'corrupt manifest' };
    for (const [path, state] of Object.entries(manifest.paths)) {
      if (pathState(path).state !== state) return { hit: false, reason: `changed: ${path}` };
    }
    for (const [path, listing] of Object.entries(manifest.directories)) {
      if (directoryListing(path) !== listing) return { hit: false, reason: `changed: ${path}${sep}` };
    }
    const code = readFileSync(join(dir, `${key}.js`), 'utf8');
    if (sha256(code) !== manifest.codeSha256) return { hit: false, reason: 'bundle file does not match its manifest' };
    return { hit: true, code, ...(manifest.workflowExports && { workflowExports: manifest.workflowExports }) };
  } catch (err) {
    return { hit: false, reason: `unreadable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function parseManifest(text: string, key: string): Manifest | undefined {
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(text) as Partial<Manifest>;
  } catch {
    return undefined;
  }
  const isStringMap = (v: unknown): v is Record<string, string> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string');
  if (typeof m !== 'object' || m === null || m.format !== FORMAT || m.key !== key || typeof m.codeSha256 !== 'string') return undefined;
  if (!isStringMap(m.paths) || !isStringMap(m.directories)) return undefined;
  return m as Manifest;
}

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];
type WebpackPlugin = Extract<NonNullable<WebpackConfig['plugins']>[number], { apply: unknown }>;

/** What webpack read for one bundle, collected by a plugin added through `webpackConfigHook`. */
export interface BundleRecording {
  /** Pass to bundleWorkflowCode. */
  webpackConfigHook: (config: WebpackConfig) => WebpackConfig;
  startedAt: number;
  dependencies?: { files: string[]; missing: string[]; directories: string[] };
  /**
   * The names the workflows module exports (webpack's providedExports), so a history of a type the
   * candidate lacks can be told which types it has. Undefined when webpack could not tell.
   */
  workflowExports?: string[];
}

/** The module webpack made of `workflowsPath`: that file, or the index file of that folder. */
const isWorkflowsModule = (resource: string | undefined, workflowsPath: string): boolean =>
  resource !== undefined && (resource === workflowsPath || (dirname(resource) === workflowsPath && /^index\.[cm]?[jt]s$/.test(parse(resource).base)));

export function recordBundleInputs(workflowsPath: string): BundleRecording {
  const recording: BundleRecording = {
    startedAt: Date.now(),
    webpackConfigHook: (config) => {
      const plugin: WebpackPlugin = {
        apply(compiler) {
          compiler.hooks.done.tap('safe-deploy-bundle-cache', ({ compilation }) => {
            recording.dependencies = {
              files: [...compilation.fileDependencies],
              missing: [...compilation.missingDependencies],
              directories: [...compilation.contextDependencies],
            };
            const workflows = [...compilation.modules].find((m) => isWorkflowsModule((m as { resource?: string }).resource, workflowsPath));
            const provided = workflows && compilation.moduleGraph.getProvidedExports(workflows);
            if (Array.isArray(provided)) recording.workflowExports = provided.filter((name) => name !== 'default').sort();
          });
        },
      };
      config.plugins = [...(config.plugins ?? []), plugin];
      return config;
    },
  };
  return recording;
}

/**
 * Stores a bundle with the manifest of what it was made from. Returns whether it was stored: not
 * when an input changed while bundling (the manifest could not be trusted), nor when the directory
 * cannot be written. Never throws.
 */
export function writeCachedBundle(dir: string, inputs: BundleInputs, code: string, recording: BundleRecording): boolean {
  try {
    const key = bundleCacheKey(inputs);
    const manifest = manifestOf(key, inputs, code, recording);
    if (!manifest) return false;
    mkdirSync(dir, { recursive: true });
    // Bundle first, then the manifest naming its hash: a reader that sees one entry's manifest with
    // another's bundle (two runs racing) finds the hash differs and misses.
    writeAtomically(join(dir, `${key}.js`), code);
    writeAtomically(join(dir, `${key}.json`), JSON.stringify(manifest));
    return true;
  } catch {
    return false;
  }
}

/**
 * A file written, or a path looked up, within this much before bundling started may have changed
 * after webpack read it without its mtime showing it (coarse file system clocks): not recorded.
 */
const SETTLE_MS = 2_000;
/** A directory webpack listed (a dynamic import) with more entries than this is not worth caching. */
const MAX_LISTING = 10_000;

/** An input changed while bundling, or is too large to record: the bundle is not cached. */
class NotCacheable extends Error {}

function manifestOf(key: string, inputs: BundleInputs, code: string, recording: BundleRecording): Manifest | undefined {
  const deps = recording.dependencies;
  if (!deps) return undefined;
  const settledBefore = recording.startedAt - SETTLE_MS;
  const entrypoint = entrypointPath(inputs.workflowsPath);
  const paths: Record<string, string> = {};
  const record = (path: string): string => {
    const { state, mtimeMs } = pathState(path);
    // Directories here are path segments webpack checked (for symlinks): their type matters, and
    // their mtime moves with every file created beside them, so it is not checked.
    if (mtimeMs !== undefined && mtimeMs >= settledBefore) throw new NotCacheable();
    paths[path] = state;
    return state;
  };
  try {
    for (const file of deps.files) {
      // The SDK's generated entrypoint lives only in an in-memory fs and its content follows from
      // the key. Its on-disk state ("missing") is still recorded: a real file there would win.
      // Any other file webpack read but that is gone now was deleted mid-bundle: nothing to verify
      // the bundle against, so no entry (rather than silently skipping the file).
      if (record(file) === MISSING && file !== entrypoint) return undefined;
    }
    // Paths webpack probed and did not find (helper.ts before helper.js, package.json up the tree):
    // if one appears, resolution may change. Found now = created mid-bundle: no entry.
    for (const path of deps.missing) if (record(path) !== MISSING) return undefined;
    for (const path of configProbes(deps.files)) if (!(path in paths)) record(path);
    const directories: Record<string, string> = {};
    for (const dir of deps.directories) directories[dir] = directoryListing(dir, settledBefore);
    return {
      format: FORMAT,
      key,
      keyMaterial: keyMaterial(inputs, process.env),
      codeSha256: sha256(code),
      paths,
      directories,
      ...(recording.workflowExports && { workflowExports: recording.workflowExports }),
    };
  } catch {
    // NotCacheable, or unreadable: the bundle is still used, just not kept.
    return undefined;
  }
}

/**
 * Config files the toolchain reads outside webpack's view: swc reads `.swcrc` from each compiled
 * file's folder upwards, browserslist (webpack's default target) reads `browserslist`,
 * `.browserslistrc` and package.json from the working directory upwards. Measured: each one
 * changes the bundle.
 */
function configProbes(files: string[]): string[] {
  const probes = new Set<string>();
  for (const dir of ancestors(process.cwd())) {
    for (const name of ['.swcrc', 'browserslist', '.browserslistrc', 'package.json']) probes.add(join(dir, name));
  }
  const compiled = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.split(sep).includes('node_modules'));
  for (const file of compiled) for (const dir of ancestors(dirname(file))) probes.add(join(dir, '.swcrc'));
  return [...probes];
}

function ancestors(dir: string): string[] {
  const dirs = [dir];
  for (let d = dir, up = dirname(d); up !== d; d = up, up = dirname(d)) dirs.push(up);
  return dirs;
}

/** Where the SDK puts its generated entrypoint (bundler.js makeEntrypointPath, @temporalio/worker 1.24). */
function entrypointPath(workflowsPath: string): string {
  const { dir, name, base } = parse(workflowsPath);
  let isFile = true;
  try {
    isFile = statSync(workflowsPath).isFile();
  } catch {
    // Bundling just read it; if it is gone now the file branch is as good as any.
  }
  return join(dir, `${isFile ? name : base}-autogenerated-entrypoint.cjs`);
}

const MISSING = 'missing';

/**
 * A path's state, as a string compared on lookup: `missing`, `dir`, `file:<sha256>`, or
 * `link:<target>-><state of what it points to>`. lstat, not stat: a path becoming a symlink matters
 * to webpack's resolver. `mtimeMs` is given for files, for the settle check.
 */
function pathState(path: string, links = 0): { state: string; mtimeMs?: number } {
  if (links > 40) return { state: 'link-loop' };
  let stats;
  try {
    stats = lstatSync(path);
  } catch (err) {
    if (isNotFound(err)) return { state: MISSING };
    throw err;
  }
  if (stats.isSymbolicLink()) {
    const target = readlinkSync(path);
    const pointee = pathState(resolve(dirname(path), target), links + 1);
    return { state: `link:${target}->${pointee.state}`, mtimeMs: pointee.mtimeMs };
  }
  if (stats.isDirectory()) return { state: 'dir' };
  if (stats.isFile()) return { state: `file:${sha256(readFileSync(path))}`, mtimeMs: stats.mtimeMs };
  return { state: 'other' };
}

/**
 * contextDependencies are folders webpack listed to resolve a dynamic import such as
 * import(`./steps/${name}.js`): a file added or removed anywhere under one can change the bundle,
 * while the files it did include are already in fileDependencies (hashed). So a hash of the sorted
 * recursive listing (names and types) is enough, and content is not read twice.
 */
function directoryListing(root: string, settledBefore?: number): string {
  const entries: string[] = [];
  const walk = (dir: string, rel: string): void => {
    if (settledBefore !== undefined && statSync(dir).mtimeMs >= settledBefore) throw new NotCacheable();
    const children = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      const kind = child.isDirectory() ? 'dir' : child.isSymbolicLink() ? 'link' : child.isFile() ? 'file' : 'other';
      entries.push(`${rel}${child.name}\t${kind}`);
      if (entries.length > MAX_LISTING) throw new NotCacheable();
      if (kind === 'dir') walk(join(dir, child.name), `${rel}${child.name}/`);
    }
  };
  try {
    walk(root, '');
  } catch (err) {
    if (isNotFound(err)) return MISSING;
    throw err;
  }
  return sha256(entries.join('\n'));
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function writeAtomically(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

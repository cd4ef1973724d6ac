/**
 * The embedded local Temporal server: the official Temporal CLI's `server start-dev`. In a clone of
 * safe-deploy it is built from the Go module proxy by tools/build-temporal.sh; an installed
 * package has no build script and uses a `temporal` on PATH or $SAFE_DEPLOY_TEMPORAL_BIN.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { Connection } from '@temporalio/client';
import { TemporalError } from '../errors.js';
import { packageRoot } from '../paths.js';

/** Server 1.31 is the first with targetWorkerDeploymentVersionChanged and CaN initial behavior. */
export const MIN_SERVER_VERSION = [1, 31, 0] as const;

/**
 * Dynamic config that makes versioning observable in seconds rather than minutes, and lets more
 * than one batch operation run at once (the default is one per namespace).
 */
export const DEV_DYNAMIC_CONFIG: Readonly<Record<string, string>> = {
  'matching.wv.VersionDrainageStatusRefreshInterval': '"1s"',
  'matching.wv.VersionDrainageStatusVisibilityGracePeriod': '"1s"',
  'matching.PollerHistoryTTL': '"10s"',
  'frontend.MaxConcurrentBatchOperationPerNamespace': '100',
};

export interface DevServerOptions {
  port?: number;
  dbFilename?: string;
  namespace?: string;
  /** Where the server's own log goes; by default it is discarded. */
  logFile?: string;
  readyTimeoutMs?: number;
  /** Dynamic config over DEV_DYNAMIC_CONFIG (tests: a server with the real defaults' limits). */
  dynamicConfig?: Readonly<Record<string, string>>;
  /** SQLite pragmas of the db file, e.g. FAST_SQLITE for a database that need not survive a power cut. */
  sqlitePragmas?: Readonly<Record<string, string>>;
}

/**
 * A db file without an fsync per commit (WAL, synchronous off): it survives the server being
 * killed, not the machine losing power. For tests and benchmarks, whose servers write thousands of
 * executions; the default (a rollback journal, synchronous full) made the server wait on the disk.
 */
export const FAST_SQLITE: Readonly<Record<string, string>> = { journal_mode: 'wal', synchronous: 'off' };

export interface DevServer {
  address: string;
  namespace: string;
  binary: string;
  /** Its SQLite file; one of our own (no dbFilename given) is removed when the server exits. */
  dbFilename: string;
  /** The server process (tests freeze it with SIGSTOP or kill it). */
  pid: number | undefined;
  stop(): Promise<void>;
  /** Resolves when the server process exits (for `dev-server` in the foreground). */
  exited: Promise<unknown>;
}

export function parseServerVersion(versionOutput: string): number[] | undefined {
  const m = /Server\s+v?(\d+)\.(\d+)\.(\d+)/i.exec(versionOutput);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function isServerVersionSupported(version: readonly number[], min: readonly number[] = MIN_SERVER_VERSION): boolean {
  for (let i = 0; i < min.length; i++) {
    const have = version[i] ?? 0;
    const want = min[i] ?? 0;
    if (have !== want) return have > want;
  }
  return true;
}

/** The server version tools/temporal-cli/go.mod pins, from its `go.temporal.io/server vX.Y.Z` line. */
export function parsePinnedServerVersion(goMod: string): number[] | undefined {
  const m = /^\s*(?:require\s+)?go\.temporal\.io\/server\s+v(\d+)\.(\d+)\.(\d+)\b/m.exec(goMod);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** In a clone of safe-deploy, the server our own build must embed: an older build is rebuilt. */
function pinnedServerVersion(): number[] | undefined {
  const goMod = join(packageRoot(), 'tools', 'temporal-cli', 'go.mod');
  return existsSync(goMod) ? parsePinnedServerVersion(readFileSync(goMod, 'utf8')) : undefined;
}

/** The server version a binary embeds, or undefined when it does not run or says nothing we can read. */
async function probeBinary(path: string): Promise<number[] | undefined> {
  try {
    const { stdout } = await execa(path, ['--version'], { timeout: 10_000 });
    return parseServerVersion(stdout);
  } catch {
    return undefined;
  }
}

export function builtBinaryPath(): string {
  return join(packageRoot(), '.tools', 'bin', 'temporal');
}

/** The build script exists only in a clone of safe-deploy; an installed package does not ship it. */
export function buildScriptPath(): string | undefined {
  const script = join(packageRoot(), 'tools', 'build-temporal.sh');
  return existsSync(script) ? script : undefined;
}

export const TEMPORAL_INSTALL_HINT =
  `install a Temporal CLI whose \`temporal --version\` shows Server >= ${MIN_SERVER_VERSION.join('.')} (https://docs.temporal.io/develop/run-a-development-server: \`brew install temporal\`, or the archive for your platform from https://temporal.download/cli/archive/latest?platform=linux&arch=amd64) and put \`temporal\` on PATH, or set SAFE_DEPLOY_TEMPORAL_BIN=/path/to/temporal`;

/**
 * The `temporal` binary to run: $SAFE_DEPLOY_TEMPORAL_BIN, the project's own build, or one on PATH,
 * whichever is first and new enough. `build: true` runs the build script when none is found, in a
 * clone of safe-deploy only; from an installed package the error says how to get one.
 */
export async function resolveTemporalBinary(options: { build?: boolean } = {}): Promise<string> {
  const candidates = [process.env.SAFE_DEPLOY_TEMPORAL_BIN, builtBinaryPath(), 'temporal'];
  const pinned = pinnedServerVersion();
  const tooOld: string[] = [];
  for (const candidate of candidates) {
    if (!candidate) continue;
    if (candidate.includes('/') && !existsSync(candidate)) continue;
    const version = await probeBinary(candidate);
    // Our own build is held to the version go.mod pins, so a clone's stale build is rebuilt.
    const min = candidate === builtBinaryPath() && pinned ? pinned : MIN_SERVER_VERSION;
    if (version && isServerVersionSupported(version, min)) return candidate;
    if (version) tooOld.push(`${candidate} (server ${version.join('.')})`);
  }
  const script = options.build ? buildScriptPath() : undefined;
  if (script) {
    try {
      await execa('bash', [script], { stdout: 'inherit', stderr: 'inherit' });
    } catch (err) {
      throw new TemporalError(
        'could not build the Temporal CLI from the Go module proxy',
        'run `bash tools/build-temporal.sh` to see the Go error (Go >= 1.21 is needed)',
        { cause: err },
      );
    }
    const built = await probeBinary(builtBinaryPath());
    if (built && isServerVersionSupported(built, pinned ?? MIN_SERVER_VERSION)) return builtBinaryPath();
  }
  const looked = `looked at ${process.env.SAFE_DEPLOY_TEMPORAL_BIN ? `SAFE_DEPLOY_TEMPORAL_BIN (${process.env.SAFE_DEPLOY_TEMPORAL_BIN}), ` : 'SAFE_DEPLOY_TEMPORAL_BIN (unset), '}\`temporal\` on PATH${tooOld.length ? `; too old: ${tooOld.join(', ')}` : ''}`;
  throw new TemporalError(
    `no Temporal CLI with server >= ${MIN_SERVER_VERSION.join('.')} found (${looked})`,
    buildScriptPath() ? 'run `npm run temporal:build` (needs Go >= 1.21), or set SAFE_DEPLOY_TEMPORAL_BIN to a temporal binary' : TEMPORAL_INSTALL_HINT,
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether nothing listens on 127.0.0.1:port (a port we may hand to the server). */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Wait until the frontend serves and the namespace answers (it reports NOT_SERVING at first). */
export async function waitForServer(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
  throw new TemporalError(
    `Temporal dev server at ${address} did not become ready in ${Math.round(timeoutMs / 1000)}s`,
    'look at the server log (--log-file) for the reason',
    { cause: lastError },
  );
}

class ServerExitedError extends TemporalError {}

/** Start-up attempts: the server picks its internal services' ports itself, and one can be taken meanwhile. */
const START_ATTEMPTS = 3;

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const binary = await resolveTemporalBinary({ build: true });
  // A given port that is taken fails at once and says so; retrying could not help.
  if (options.port !== undefined && !(await portIsFree(options.port))) {
    throw new TemporalError(`port ${options.port} on 127.0.0.1 is in use`, 'stop what listens there, or pass another --port (or none: a free one is taken)');
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary, options);
    } catch (err) {
      // Seen in CI: "Failed to start gRPC listener ... address already in use" (history service),
      // then a panic; with --port given too (dev-server.int.test.ts, 2026-12-06).
      if (!(err instanceof ServerExitedError) || attempt >= START_ATTEMPTS) throw err;
    }
  }
}

async function startOnce(binary: string, options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  // Without --db-filename the data is the server's for this run only: its folder goes when it exits.
  let dbFilename = options.dbFilename;
  let ownDbDir: string | undefined;
  if (dbFilename === undefined) {
    ownDbDir = mkdtempSync(join(tmpdir(), 'safe-deploy-dev-'));
    dbFilename = join(ownDbDir, 'temporal.db');
  }
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--http-port', String(await freePort()),
    '--metrics-port', String(await freePort()),
    '--headless',
    '--namespace', namespace,
    '--db-filename', dbFilename,
    '--log-level', 'warn',
  ];
  for (const [key, value] of Object.entries({ ...DEV_DYNAMIC_CONFIG, ...options.dynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${value}`);
  }
  for (const [key, value] of Object.entries(options.sqlitePragmas ?? {})) args.push('--sqlite-pragma', `${key}=${value}`);
  const child: ResultPromise = execa(binary, args, {
    stdin: 'ignore',
    stdout: options.logFile ? { file: options.logFile } : 'ignore',
    stderr: options.logFile ? { file: options.logFile, append: true } : 'ignore',
    reject: false,
    cleanup: true,
  });
  const address = `127.0.0.1:${port}`;
  let exitedEarly = false;
  const exited = child
    .then(
      (r) => r,
      (e: unknown) => e,
    )
    .then((r) => {
      if (ownDbDir) rmSync(ownDbDir, { recursive: true, force: true });
      return r;
    });
  void exited.then(() => (exitedEarly = true));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && !child.killed) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await Promise.race([
      waitForServer(address, namespace, options.readyTimeoutMs ?? 60_000),
      exited.then(() => {
        throw new ServerExitedError(
          `Temporal dev server exited during start-up (port ${port})`,
          'is the port free? run with --log-file to see the server log',
        );
      }),
    ]);
  } catch (err) {
    if (!exitedEarly) await stop();
    throw err;
  }
  return { address, namespace, binary, dbFilename, pid: child.pid, stop, exited };
}

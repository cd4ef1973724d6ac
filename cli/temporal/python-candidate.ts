/**
 * A Python candidate: the workflow classes of a Python module, replayed by the user's own
 * interpreter and `temporalio` through the replay helper that ships in the package
 * (python/safe_deploy_replay.py). Loading it asks the helper to import the module once
 * (`--describe`): that proves the code imports, names its workflow types, the SDK version and the
 * source files, whose content with that version is the candidate's fingerprint (its bundle hash).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { looksLikePythonWorkflows, splitClassList } from '../core/sdk.js';
import { BundleError, UsageError } from '../errors.js';
import { packageRoot } from '../paths.js';

export interface PythonCandidateOptions {
  /** A module name or a file / package folder, optionally `:ClassA,ClassB`. */
  workflows: string;
  /** The interpreter; default: see pythonInterpreter. */
  python?: string;
  /** Python modules (names or files), as the user's worker uses them. */
  codecModule?: string;
  payloadConverterPath?: string;
  failureConverterPath?: string;
}

export interface PythonCandidate {
  kind: 'python';
  source: string;
  /** sha256 of the candidate's own source files and the temporalio version. */
  bundleHash: string;
  bundleCache: 'off';
  /** The interpreter and helper arguments the replay processes run with. */
  python: string;
  helperArgs: string[];
  temporalioVersion: string;
  pythonVersion: string;
  /** Workflow type -> class name. */
  workflows: Record<string, string>;
}

export const REPLAY_HELPER = join(packageRoot(), 'python', 'safe_deploy_replay.py');

/** Is this `--workflows` value Python code? (a `.py` file, a package folder, `module:Class`.) */
export function isPythonWorkflows(spec: string): boolean {
  if (looksLikePythonWorkflows(spec)) return true;
  const [path] = splitClassList(spec);
  return existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, '__init__.py'));
}

/** `--python PATH`, else the project's `.venv`, else the active VIRTUAL_ENV, else `python3`. */
export function pythonInterpreter(explicit: string | undefined, cwd = process.cwd(), env = process.env): string {
  if (explicit) return explicit;
  const bin = process.platform === 'win32' ? join('Scripts', 'python.exe') : join('bin', 'python');
  const local = join(cwd, '.venv', bin);
  if (existsSync(local)) return local;
  if (env.VIRTUAL_ENV && existsSync(join(env.VIRTUAL_ENV, bin))) return join(env.VIRTUAL_ENV, bin);
  return process.platform === 'win32' ? 'python' : 'python3';
}

interface Ready {
  type: 'ready';
  temporalio: string;
  python: string;
  executable: string;
  workflows: Record<string, string>;
  sources: string[];
}
interface HelperError {
  type: 'error';
  message: string;
  hint?: string;
}

export async function loadPythonCandidate(options: PythonCandidateOptions): Promise<PythonCandidate> {
  const python = pythonInterpreter(options.python);
  const helperArgs = ['--workflows', options.workflows];
  if (options.codecModule) helperArgs.push('--codec', options.codecModule);
  if (options.payloadConverterPath) helperArgs.push('--payload-converter', options.payloadConverterPath);
  if (options.failureConverterPath) helperArgs.push('--failure-converter', options.failureConverterPath);
  const run = await execa(python, [REPLAY_HELPER, ...helperArgs, '--describe'], { reject: false, stdin: 'ignore' });
  if (run.failed && run.exitCode === undefined) {
    throw new UsageError(`cannot run the Python interpreter ${python}: ${run.shortMessage}`, 'pass --python PATH: the interpreter your workers run with');
  }
  const first = run.stdout.split('\n').find((l) => l.startsWith('{'));
  let message: Ready | HelperError | undefined;
  try {
    message = first ? (JSON.parse(first) as Ready | HelperError) : undefined;
  } catch {
    message = undefined;
  }
  if (message?.type === 'error') throw new BundleError(`the Python candidate does not load: ${message.message}`, message.hint);
  if (message?.type !== 'ready') {
    const detail = run.stderr.trim().split('\n').slice(-5).join('\n');
    throw new BundleError(`the Python replay helper did not start (${python}, exit ${run.exitCode}):\n${detail}`, 'check that --python names a Python 3.10+ interpreter with temporalio installed');
  }
  return {
    kind: 'python',
    source: options.workflows,
    bundleHash: fingerprint(message.sources, message.temporalio),
    bundleCache: 'off',
    python,
    helperArgs,
    temporalioVersion: message.temporalio,
    pythonVersion: message.python,
    workflows: message.workflows,
  };
}

/**
 * Paths relative to the working directory (as webpack names TS modules), so the same code checked
 * out elsewhere has the same fingerprint.
 */
function fingerprint(sources: string[], temporalioVersion: string): string {
  const hash = createHash('sha256').update(`temporalio ${temporalioVersion}\n`);
  for (const file of [...sources].sort()) {
    const content = createHash('sha256').update(readFileSync(file)).digest('hex');
    hash.update(`${relative(process.cwd(), resolve(file))}\0${content}\n`);
  }
  return 'sha256:' + hash.digest('hex').slice(0, 16);
}

/**
 * Which SDK wrote a history, and which SDK a candidate is for. A history names its SDK on its first
 * completed workflow task (`sdkMetadata.sdkName`); a history is replayed only by a candidate of the
 * same SDK: another SDK's code cannot reproduce it, so such a pair is reported as not replayed,
 * never as a nondeterminism error.
 */
import type { ReplayOutcome } from './verdict.js';

export type SdkKind = 'typescript' | 'python';

const SDK_NAMES: Record<SdkKind, string> = { typescript: 'temporal-typescript', python: 'temporal-python' };
const LABELS: Record<SdkKind, string> = { typescript: 'TypeScript', python: 'Python' };

/** The SDK of a history's `sdkName`; undefined when it names none (no completed workflow task yet) or another. */
export function sdkOfHistory(sdkName: string | undefined): SdkKind | undefined {
  if (!sdkName) return undefined;
  return (Object.keys(SDK_NAMES) as SdkKind[]).find((kind) => SDK_NAMES[kind] === sdkName);
}

export function sdkLabel(kind: SdkKind): string {
  return LABELS[kind];
}

/** The verdict of a history no candidate of its SDK was given for: unproven, so never upgraded. */
export function otherSdkOutcome(sdkName: string, candidates: SdkKind[]): ReplayOutcome {
  const kind = sdkOfHistory(sdkName);
  const what = kind ? `a ${sdkLabel(kind)} history (${sdkName})` : `a history of another SDK (${sdkName})`;
  const given = candidates.map(sdkLabel).join(' and ');
  const hint = kind ? `: pass a ${sdkLabel(kind)} candidate too` : '';
  return { verdict: 'replay-error', message: `${what}, and the candidate is ${given}: not replayed${hint}` };
}

/**
 * A `--workflows` value that names Python code: a `.py` file (optionally `:ClassA,ClassB`), or a
 * module name with a class list (`app.workflows:ResearchWorkflow`). A package folder is Python too,
 * but telling one needs the file system (see python-candidate.ts).
 */
export function looksLikePythonWorkflows(spec: string): boolean {
  const [path] = splitClassList(spec);
  if (/\.py$/i.test(path)) return true;
  return spec !== path && /^[A-Za-z_][\w.]*$/.test(path);
}

/** `module:ClassA,ClassB` -> [`module`, [`ClassA`, `ClassB`]]; without a list, [spec, undefined]. */
export function splitClassList(spec: string): [string, string[] | undefined] {
  const m = /^(.+):([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)$/.exec(spec);
  if (!m?.[1] || !m[2]) return [spec, undefined];
  return [m[1], m[2].split(',').map((s) => s.trim())];
}

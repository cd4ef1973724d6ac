/**
 * `safe-deploy merge`: the reports (or plans) of the `--shard i/n` runs of a CI matrix, made into
 * the one report (or plan) an unsharded run would have made. Merging is refused unless the parts
 * are provably one split of one run: the same candidate (bundle hash), selection and shard count,
 * every shard exactly once, and no execution in two shards. Pure: callers read the files.
 */
import { CHECK_SCHEMA_VERSION, groupResults, notCheckedCount, summarize, type CheckReport, type CheckResult, type UncheckedItem } from './check-report.js';
import { PLAN_SCHEMA_VERSION, sortPlanExecutions, type Plan } from './plan.js';
import type { Shard } from './shard.js';
import type { Verdict } from './verdict.js';

export class MergeError extends Error {}

/** One input file: where it came from (for messages) and what it holds. */
export interface MergePart<T> {
  origin: string;
  value: T;
}

const VERDICTS: readonly Verdict[] = ['compatible', 'nondeterministic', 'missing-workflow-type', 'replay-error'];

export type MergeInput = { kind: 'check'; report: CheckReport } | { kind: 'plan'; plan: Plan };

/** Tells a check report (`check --output json`) from a plan (`plan --out`) and validates it. */
export function parseMergeInput(json: unknown): MergeInput {
  const doc = json as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') throw new MergeError('not a check report or a plan');
  if (Array.isArray(doc.executions)) {
    if (doc.schemaVersion !== PLAN_SCHEMA_VERSION) throw new MergeError(`plan schemaVersion ${String(doc.schemaVersion)} is not supported (expected ${PLAN_SCHEMA_VERSION})`);
    return { kind: 'plan', plan: doc as unknown as Plan };
  }
  if (Array.isArray(doc.results)) {
    if (doc.schemaVersion !== CHECK_SCHEMA_VERSION) throw new MergeError(`check report schemaVersion ${String(doc.schemaVersion)} is not supported (expected ${CHECK_SCHEMA_VERSION})`);
    const candidate = doc.candidate as { bundleHash?: unknown } | undefined;
    if (typeof candidate?.bundleHash !== 'string' || !doc.selection) throw new MergeError('check report is missing its candidate or selection');
    for (const r of doc.results as Partial<CheckResult>[]) {
      if (typeof r?.workflowId !== 'string' || typeof r.runId !== 'string' || !VERDICTS.includes(r.verdict as Verdict)) {
        throw new MergeError('check report has a result without workflowId, runId or a known verdict');
      }
    }
    return { kind: 'check', report: doc as unknown as CheckReport };
  }
  throw new MergeError('neither a check report (`check --output json`) nor a plan (`plan --out`)');
}

function describeShard(shard: Shard | undefined): string {
  return shard ? `${shard.index}/${shard.count}` : 'no shard';
}

/** Every part names a shard of the same count, and together they are shards 1..n, once each. */
function requireShardSet(parts: readonly MergePart<{ shard?: Shard }>[]): number {
  const first = parts[0];
  if (!first) throw new MergeError('nothing to merge');
  const unsharded = parts.find((p) => !p.value.shard);
  if (unsharded) throw new MergeError(`${unsharded.origin} was not made with --shard i/n`);
  const count = first.value.shard?.count ?? 0;
  const byIndex = new Map<number, string>();
  for (const p of parts) {
    const shard = p.value.shard as Shard;
    if (shard.count !== count) throw new MergeError(`${p.origin} is shard ${describeShard(shard)}, ${first.origin} is shard ${describeShard(first.value.shard)}: different shard counts`);
    const seen = byIndex.get(shard.index);
    if (seen !== undefined) throw new MergeError(`shard ${describeShard(shard)} given twice: ${seen} and ${p.origin}`);
    byIndex.set(shard.index, p.origin);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new MergeError(`missing shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')}`);
  return count;
}

/** Every part has the same `what` (compared as canonical JSON) as the first. */
function requireSame<T>(parts: readonly MergePart<T>[], what: string, pick: (value: T) => unknown): void {
  const [first, ...rest] = parts;
  if (!first) return;
  const expected = canonical(pick(first.value));
  for (const p of rest) {
    const got = canonical(pick(p.value));
    if (got !== expected) throw new MergeError(`${p.origin} and ${first.origin} have different ${what}: ${got} vs ${expected}`);
  }
}

/** JSON with sorted keys, so two equal objects written in another key order compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  ) ?? 'undefined';
}

/** No execution (workflow ID + run ID) in two parts, nor twice in one. */
function requireDisjoint<T>(parts: readonly MergePart<T>[], executions: (value: T) => readonly { workflowId: string; runId: string }[]): void {
  const owner = new Map<string, string>();
  for (const p of parts) {
    for (const e of executions(p.value)) {
      const key = `${e.workflowId}\u0000${e.runId}`;
      const seen = owner.get(key);
      if (seen !== undefined) throw new MergeError(`execution ${e.workflowId} (run ${e.runId}) is in ${seen} and in ${p.origin}`);
      owner.set(key, p.origin);
    }
  }
}

/** The report one unsharded check would have made. Duration: the slowest shard (they run side by side). */
export function mergeCheckReports(parts: readonly MergePart<CheckReport>[]): CheckReport {
  requireShardSet(parts);
  requireSame(parts, 'candidates (bundle hash)', (r) => r.candidate.bundleHash);
  requireSame(parts, 'candidate Build IDs', (r) => r.candidate.buildId ?? null);
  requireSame(parts, 'selections', (r) => r.selection);
  requireDisjoint(parts, (r) => r.results);
  const first = (parts[0] as MergePart<CheckReport>).value;
  const results: CheckResult[] = [];
  const unchecked: UncheckedItem[] = [];
  let notChecked = 0;
  let interrupted = false;
  let serverLost: CheckReport['serverLost'];
  let durationMs = 0;
  for (const { value } of parts) {
    for (const r of value.results) results.push(r);
    // What a shard did not check stays not checked in the merged report (issue 10's one verdict rule).
    unchecked.push(...(value.unchecked ?? []));
    if (value.interrupted) {
      interrupted = true;
      notChecked += value.interrupted.notChecked;
    }
    if (value.serverLost) {
      serverLost = { ...(serverLost ?? value.serverLost), notChecked: (serverLost?.notChecked ?? 0) + value.serverLost.notChecked };
    }
    durationMs = Math.max(durationMs, value.durationMs);
  }
  const stopped = { unchecked, ...(interrupted && { interrupted: { notChecked } }), ...(serverLost && { serverLost }) };
  return {
    schemaVersion: CHECK_SCHEMA_VERSION,
    candidate: { source: first.candidate.source, bundleHash: first.candidate.bundleHash, ...(first.candidate.buildId !== undefined && { buildId: first.candidate.buildId }) },
    selection: first.selection,
    summary: summarize(results, notCheckedCount(stopped)),
    groups: groupResults(results),
    results,
    ...stopped,
    ...(parts.some((p) => p.value.failOnEmpty) && { failOnEmpty: true }),
    durationMs,
  };
}

/** The plan one unsharded `plan` would have made; `createdAt` is the oldest shard's (receipts age from it). */
export function mergePlans(parts: readonly MergePart<Plan>[]): Plan {
  requireShardSet(parts);
  requireSame(parts, 'candidates', (p) => p.candidate);
  requireSame(parts, 'deployments', (p) => p.deployment);
  requireSame(parts, 'policies', (p) => p.policy);
  requireSame(parts, 'selections', (p) => p.selection ?? null);
  requireDisjoint(parts, (p) => p.executions);
  const first = (parts[0] as MergePart<Plan>).value;
  const executions = parts.flatMap((p) => p.value.executions);
  const createdAt = parts.map((p) => p.value.createdAt).sort()[0] ?? first.createdAt;
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    createdAt,
    deployment: first.deployment,
    candidate: first.candidate,
    policy: first.policy,
    ...(first.selection && { selection: first.selection }),
    executions: sortPlanExecutions(executions),
  };
}

/**
 * Rollback: read every running execution of the deployment (versioning state and which versions
 * completed its workflow tasks), decide per execution (cli/core/rollback.ts), then
 *   1. pin to the candidate those that ran candidate code and would otherwise move back,
 *   2. clear our auto_upgrade overrides on those that never ran it,
 *   3. make the previous version current (the conflict token, and never over another manager),
 * each step journaled so a re-run resumes. --dry-run stops after deciding.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { historyFacts } from '../core/history-facts.js';
import { parseJournal } from '../core/journal.js';
import { SAFE_DEPLOY_IDENTITY } from '../core/plan.js';
import { decideRollback, keptOnCandidateNote, previousCurrent, ROLLBACK_SCHEMA_VERSION, type RollbackAction, type RollbackGroup } from '../core/rollback.js';
import { buildVisibilityQuery } from '../core/selection.js';
import { parseVersion, versionString, type VersioningOverride } from '../core/versioning.js';
import { TemporalError, UsageError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeDeployment, setCurrentVersion } from '../temporal/deployments.js';
import { describeExecution, setOverride } from '../temporal/executions.js';
import { listExecutions } from '../temporal/histories.js';
import { fetchEvents, taskOutcomes } from '../temporal/task-health.js';
import { acquireLock } from '../util/lock-file.js';
import { rateLimiter } from '../util/rate.js';
import { overrideMatches } from './apply.js';
import { assertNotManagedByOthers } from './promote.js';

export interface RollbackInput {
  temporal: TemporalHandle;
  deployment: string;
  /** The version to make current again; default: the one that was current last. */
  toBuildId?: string;
  dryRun?: boolean;
  rps?: number;
  journalPath: string;
  signal?: AbortSignal;
  onStep?: (message: string) => void;
}

export interface RollbackItem {
  workflowId: string;
  runId: string;
  workflowType: string;
  version?: string;
  group: RollbackGroup;
  action: RollbackAction;
  reason: string;
  status: 'done' | 'already' | 'would' | 'failed' | 'none';
  detail?: string;
}

export interface RollbackReport {
  schemaVersion: typeof ROLLBACK_SCHEMA_VERSION;
  deployment: string;
  candidate: string;
  previous: string;
  dryRun: boolean;
  items: RollbackItem[];
  /** How the kept executions stay on the candidate, and what that means later. */
  keptNote: string;
  counts: { returned: number; kept: number; untouched: number; failed: number };
  currentVersion?: string;
  verdict: 'rolled-back' | 'dry-run' | 'failed';
  journalFile?: string;
}

interface RollbackJournalEntry {
  at: string;
  workflowId: string;
  runId: string;
  action: RollbackAction | 'set-current';
  status: 'done' | 'failed';
  detail?: string;
}

export async function runRollback(input: RollbackInput): Promise<RollbackReport> {
  const { temporal: t, deployment } = input;
  const state = await describeDeployment(t, deployment);
  if (!state) throw new UsageError(`Worker Deployment "${deployment}" not found`, 'check --deployment and --namespace');
  assertNotManagedByOthers(state, deployment);
  const candidate = state.currentVersion;
  if (!candidate) throw new UsageError(`Worker Deployment "${deployment}" has no current version to roll back from`, 'nothing to do');
  let previous: string;
  if (input.toBuildId) previous = versionString(deployment, input.toBuildId);
  else {
    const last = previousCurrent(state.versions, candidate);
    if (typeof last === 'string') throw new UsageError(last, 'pass --to BUILD_ID');
    previous = last.version;
  }
  if (previous === candidate) throw new UsageError(`${previous} is already current`, 'nothing to roll back');
  if (!state.versions.some((v) => v.version === previous)) throw new UsageError(`${previous} is not a version of ${deployment}`, 'pass --to with one of its Build IDs (`safe-deploy status`)');

  const release = input.dryRun ? () => undefined : acquireLock(input.journalPath);
  try {
    return await rollBack(input, candidate, previous);
  } finally {
    release();
  }
}

async function rollBack(input: RollbackInput, candidate: string, previous: string): Promise<RollbackReport> {
  const { temporal: t, deployment } = input;
  const limit = rateLimiter(input.rps ?? 20);
  const settled = new Set(
    (existsSync(input.journalPath) ? parseJournal<RollbackJournalEntry>(readFileSync(input.journalPath, 'utf8')) : [])
      .filter((e) => e.status === 'done')
      .map((e) => `${e.workflowId}\u0000${e.runId}\u0000${e.action}`),
  );
  const record = (e: Omit<RollbackJournalEntry, 'at'>): void => {
    if (!input.dryRun) appendFileSync(input.journalPath, JSON.stringify({ at: new Date().toISOString(), ...e }) + '\n');
  };

  const items: RollbackItem[] = [];
  const targets = new Map<RollbackItem, VersioningOverride | undefined>();
  for await (const ref of listExecutions(t, buildVisibilityQuery({ deployment }), { signal: input.signal })) {
    await limit();
    const now = await describeExecution(t, ref);
    if (!now.running) continue;
    await limit();
    const events = await fetchEvents(t, ref);
    const ranCandidate = taskOutcomes(events).some((x) => x.kind === 'completed' && x.version === candidate);
    const facts = historyFacts({ events });
    const d = decideRollback({ ...ref, ...now, ranCandidate, ...(facts.overrideSetBy !== undefined && { overrideSetBy: facts.overrideSetBy }) }, candidate, previous);
    const item: RollbackItem = { workflowId: ref.workflowId, runId: ref.runId, workflowType: now.workflowType, ...(now.version && { version: now.version }), group: d.group, action: d.action, reason: d.reason, status: d.action === 'none' ? 'none' : input.dryRun ? 'would' : 'done' };
    items.push(item);
    if (d.action !== 'none') targets.set(item, d.targetOverride);
  }
  const report: RollbackReport = {
    schemaVersion: ROLLBACK_SCHEMA_VERSION,
    deployment,
    candidate,
    previous,
    dryRun: Boolean(input.dryRun),
    items,
    keptNote: keptOnCandidateNote(candidate),
    counts: { returned: 0, kept: 0, untouched: 0, failed: 0 },
    verdict: input.dryRun ? 'dry-run' : 'failed',
    ...(!input.dryRun && { journalFile: input.journalPath }),
  };
  const tally = () => {
    report.counts = {
      returned: items.filter((i) => i.group === 'return' && i.status !== 'failed').length,
      kept: items.filter((i) => i.group === 'keep' && i.status !== 'failed').length,
      untouched: items.filter((i) => i.group === 'untouched').length,
      failed: items.filter((i) => i.status === 'failed').length,
    };
  };
  if (input.dryRun) {
    tally();
    return report;
  }

  // Keepers first: until they are pinned, moving the current version would move them too.
  const ordered = [...targets.keys()].sort((a, b) => (a.group === b.group ? 0 : a.group === 'keep' ? -1 : 1));
  for (const item of ordered) {
    const target = targets.get(item);
    const k = `${item.workflowId}\u0000${item.runId}\u0000${item.action}`;
    await limit();
    const now = await describeExecution(t, item);
    if (overrideMatches(now.override, target)) {
      item.status = settled.has(k) ? 'done' : 'already';
      continue;
    }
    try {
      await limit();
      await setOverride(t, item, target, SAFE_DEPLOY_IDENTITY);
      const back = await describeExecution(t, item);
      if (!overrideMatches(back.override, target)) throw new TemporalError('the override did not take', 'run rollback again');
      record({ workflowId: item.workflowId, runId: item.runId, action: item.action, status: 'done' });
      input.onStep?.(`${item.workflowId}: ${item.action === 'pin-to-candidate' ? `pinned to ${candidate}` : 'override cleared'}`);
    } catch (err) {
      item.status = 'failed';
      item.detail = (err as Error).message;
      record({ workflowId: item.workflowId, runId: item.runId, action: item.action, status: 'failed', detail: item.detail });
    }
  }
  tally();
  if (report.counts.failed > 0 && items.some((i) => i.group === 'keep' && i.status === 'failed')) {
    // A keeper not pinned would move back with the routing and fail there: do not move it.
    report.currentVersion = candidate;
    return report;
  }
  const fresh = await describeDeployment(t, deployment);
  assertNotManagedByOthers(fresh, deployment);
  input.onStep?.(`setting ${previous} current`);
  const { buildId } = parseVersion(previous);
  await setCurrentVersion(t, deployment, buildId, { identity: SAFE_DEPLOY_IDENTITY, conflictToken: fresh?.conflictToken });
  record({ workflowId: '', runId: '', action: 'set-current', status: 'done', detail: previous });
  report.currentVersion = (await describeDeployment(t, deployment))?.currentVersion;
  report.verdict = report.counts.failed > 0 ? 'failed' : 'rolled-back';
  return report;
}

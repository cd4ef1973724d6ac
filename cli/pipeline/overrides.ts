/**
 * The override ledger and its clean-up. Reads every running execution of the deployment: its
 * override (DescribeWorkflowExecution), who set it and when (the history's last
 * WorkflowExecutionOptionsUpdated event), why (the journal entry when a journal is given, else the
 * reason of our batch job that ran at that moment, which names the candidate), and whether it is
 * still needed (cli/core/overrides.ts). `clear --not-needed` clears ours that are not, journaled.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { batchFor, executionKey, isOurs, journaledChanges, LEDGER_SCHEMA_VERSION, overrideNeeded, type JournaledChange, type OverrideSetting } from '../core/overrides.js';
import { SAFE_DEPLOY_IDENTITY } from '../core/plan.js';
import { buildVisibilityQuery } from '../core/selection.js';
import type { VersioningBehavior, VersioningOverride } from '../core/versioning.js';
import { InputError, UsageError } from '../errors.js';
import { listBatchWindows } from '../temporal/batches.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeDeployment } from '../temporal/deployments.js';
import { describeExecution, setOverride } from '../temporal/executions.js';
import { listExecutions } from '../temporal/histories.js';
import { eventTimeIso, fetchEvents } from '../temporal/task-health.js';
import { acquireLock } from '../util/lock-file.js';
import { rateLimiter } from '../util/rate.js';

export interface LedgerEntry {
  workflowId: string;
  runId: string;
  workflowType: string;
  behavior: VersioningBehavior;
  version?: string;
  override: VersioningOverride;
  setBy?: string;
  ours: boolean;
  setAt?: string;
  /** The journal entry or batch reason that explains it. */
  why?: string;
  jobId?: string;
  needed: boolean;
  neededWhy: string;
}

export interface LedgerReport {
  schemaVersion: typeof LEDGER_SCHEMA_VERSION;
  deployment: string;
  currentVersion?: string;
  entries: LedgerEntry[];
  counts: { overrides: number; ours: number; notNeeded: number };
}

export interface LedgerInput {
  temporal: TemporalHandle;
  deployment: string;
  journals?: string[];
  rps?: number;
  signal?: AbortSignal;
}

function journalWhy(paths: readonly string[]): Map<string, JournaledChange> {
  return journaledChanges(
    paths.map((file) => {
      if (!existsSync(file)) throw new InputError(`journal ${file} not found`, 'pass the journal files apply, watch or rollback wrote (--journal)');
      return { file, text: readFileSync(file, 'utf8') };
    }),
  );
}

export async function buildLedger(input: LedgerInput): Promise<LedgerReport> {
  const { temporal: t, deployment } = input;
  const state = await describeDeployment(t, deployment);
  if (!state) throw new UsageError(`Worker Deployment "${deployment}" not found`, 'check --deployment and --namespace');
  const limit = rateLimiter(input.rps ?? 20);
  const fromJournals = journalWhy(input.journals ?? []);
  let batches: Awaited<ReturnType<typeof listBatchWindows>> | undefined;
  const entries: LedgerEntry[] = [];
  for await (const ref of listExecutions(t, buildVisibilityQuery({ deployment }), { signal: input.signal })) {
    await limit();
    const now = await describeExecution(t, ref);
    if (!now.running || !now.override) continue;
    await limit();
    const events = await fetchEvents(t, ref);
    let setting: OverrideSetting | undefined;
    for (const e of events) {
      const a = e.workflowExecutionOptionsUpdatedEventAttributes;
      if (!a) continue;
      if (a.unsetVersioningOverride) setting = undefined;
      else if (a.versioningOverride) {
        const at = eventTimeIso(e);
        setting = { eventId: Number(e.eventId ?? 0), ...(at && { at }), ...(a.identity && { identity: a.identity }) };
      }
    }
    const ours = isOurs(setting);
    const need = overrideNeeded({ behavior: now.behavior, ...(now.version && { version: now.version }), ...(now.transitioningTo && { transitioningTo: now.transitioningTo }), override: now.override }, state.currentVersion);
    const entry: LedgerEntry = {
      workflowId: ref.workflowId,
      runId: ref.runId,
      workflowType: now.workflowType,
      behavior: now.behavior,
      ...(now.version && { version: now.version }),
      override: now.override,
      ...(setting?.identity && { setBy: setting.identity }),
      ours,
      ...(setting?.at && { setAt: setting.at }),
      needed: need.needed,
      neededWhy: need.why,
    };
    const journaled = fromJournals.get(executionKey(ref.workflowId, ref.runId));
    if (journaled) {
      entry.why = `${journaled.action ?? 'change'} (${journaled.file}${journaled.detail ? `: ${journaled.detail}` : ''})`;
      if (journaled.jobId) entry.jobId = journaled.jobId;
    }
    if (ours && setting?.at) {
      batches ??= await listBatchWindows(t, 'safe-deploy-');
      const job = entry.jobId ? batches.find((b) => b.jobId === entry.jobId) : batchFor(Date.parse(setting.at), batches);
      if (job) {
        entry.jobId = job.jobId;
        if (job.reason && !journaled) entry.why = job.reason;
      } else if (!entry.why) entry.why = 'a single update by safe-deploy (an upgrade or protect sent one by one, a watch pin-back, or a rollback): pass its journal with --journal for the reason';
    }
    entries.push(entry);
  }
  return {
    schemaVersion: LEDGER_SCHEMA_VERSION,
    deployment,
    ...(state.currentVersion && { currentVersion: state.currentVersion }),
    entries,
    counts: { overrides: entries.length, ours: entries.filter((e) => e.ours).length, notNeeded: entries.filter((e) => e.ours && !e.needed).length },
  };
}

export interface ClearResult {
  ledger: LedgerReport;
  cleared: { workflowId: string; runId: string; status: 'done' | 'would' | 'failed'; detail?: string }[];
  dryRun: boolean;
  journalFile?: string;
}

/** Clears our overrides that no longer do anything; never another identity's. */
export async function clearNotNeeded(input: LedgerInput & { dryRun?: boolean; journalPath: string }): Promise<ClearResult> {
  const release = input.dryRun ? () => undefined : acquireLock(input.journalPath);
  try {
    const ledger = await buildLedger(input);
    const cleared: ClearResult['cleared'] = [];
    const limit = rateLimiter(input.rps ?? 20);
    for (const e of ledger.entries.filter((x) => x.ours && !x.needed)) {
      if (input.dryRun) {
        cleared.push({ workflowId: e.workflowId, runId: e.runId, status: 'would', detail: e.neededWhy });
        continue;
      }
      const line = (status: string, detail?: string) =>
        appendFileSync(input.journalPath, JSON.stringify({ at: new Date().toISOString(), workflowId: e.workflowId, runId: e.runId, action: 'clear-override', status, ...(detail && { detail }) }) + '\n');
      line('started', e.neededWhy);
      try {
        await limit();
        await setOverride(input.temporal, e, undefined, SAFE_DEPLOY_IDENTITY);
        const back = await describeExecution(input.temporal, e);
        if (back.override) throw new Error('the override is still set after clearing it');
        line('done');
        cleared.push({ workflowId: e.workflowId, runId: e.runId, status: 'done' });
      } catch (err) {
        line('failed', (err as Error).message);
        cleared.push({ workflowId: e.workflowId, runId: e.runId, status: 'failed', detail: (err as Error).message });
      }
    }
    return { ledger, cleared, dryRun: Boolean(input.dryRun), ...(!input.dryRun && { journalFile: input.journalPath }) };
  } finally {
    release();
  }
}

/**
 * The override ledger: every versioning override on a running execution, who set it, when, why,
 * and whether it still does anything. Pure; the pipeline reads the server (and journals).
 */
import { parseJournal } from './journal.js';
import { SAFE_DEPLOY_IDENTITY } from './plan.js';
import type { VersioningBehavior, VersioningOverride } from './versioning.js';

export const LEDGER_SCHEMA_VERSION = 1;

export interface OverrideSetting {
  /** The WorkflowExecutionOptionsUpdated event that set the current override. */
  eventId: number;
  at?: string;
  identity?: string;
}

export interface LedgerSubject {
  behavior: VersioningBehavior;
  version?: string;
  transitioningTo?: string;
  override: VersioningOverride;
}

export interface Need {
  needed: boolean;
  why: string;
}

/**
 * Whether an override still changes anything, given the deployment's current version:
 *  - auto_upgrade on a declared-PINNED execution already on the current version (nothing older
 *    to leave): no; it would only make it follow the next current version unchecked;
 *  - pinned to the version a declared-PINNED execution is on, and that is current: no;
 *  - anything else keeps it where the override says: yes.
 */
export function overrideNeeded(e: LedgerSubject, currentVersion: string | undefined): Need {
  switch (e.override.kind) {
    case 'auto_upgrade':
      if (e.behavior === 'PINNED' && e.version !== undefined && e.version === currentVersion && !e.transitioningTo) {
        return { needed: false, why: `already on the current version ${currentVersion}: nothing older to leave; declared PINNED, it stays there without it` };
      }
      if (e.behavior === 'AUTO_UPGRADE') return { needed: false, why: 'the workflow declares AUTO_UPGRADE itself' };
      return { needed: true, why: `moves it off ${e.version ?? 'its version'} to the current version` };
    case 'pinned':
      if (e.behavior === 'PINNED' && e.version === e.override.version && e.override.version === currentVersion) {
        return { needed: false, why: `pinned to ${e.override.version}, which is current and where it runs: declared PINNED, it stays there without it` };
      }
      return { needed: true, why: `keeps it on ${e.override.version}${currentVersion && currentVersion !== e.override.version ? ` (current: ${currentVersion})` : ''}` };
  }
}

export function isOurs(setting: OverrideSetting | undefined): boolean {
  return setting?.identity === SAFE_DEPLOY_IDENTITY;
}

export interface BatchWindow {
  jobId: string;
  reason?: string;
  startMs: number;
  closeMs?: number;
}

/** The batch job whose run covers the moment an override was set: its reason says why (it names the candidate). */
export function batchFor(atMs: number, batches: readonly BatchWindow[]): BatchWindow | undefined {
  return batches.filter((b) => b.startMs <= atMs + 1000 && (b.closeMs === undefined || atMs <= b.closeMs + 1000)).sort((a, b) => b.startMs - a.startMs)[0];
}

/** A line of an apply, watch or rollback journal, as far as the ledger reads it. */
export interface JournaledChange {
  at?: string;
  workflowId?: string;
  runId?: string;
  action?: string;
  status?: string;
  jobId?: string;
  /** watch: the new run after a reset (pin-back by reset, or reset); the version pinned to otherwise. */
  target?: string;
  detail?: string;
  file: string;
}

export const executionKey = (workflowId: string, runId: string): string => `${workflowId}\u0000${runId}`;

/**
 * The latest change each journal records for each execution run. A watch that resets an execution
 * journals the run it reset, and the override is on the run the reset made (`target`): the change
 * is filed under both, so the ledger, which lists the runs now running, finds it.
 */
export function journaledChanges(journals: readonly { file: string; text: string }[]): Map<string, JournaledChange> {
  const changes = new Map<string, JournaledChange>();
  for (const { file, text } of journals) {
    for (const e of parseJournal<Omit<JournaledChange, 'file'>>(text)) {
      if (!e.workflowId || !e.runId || (e.status !== 'done' && e.status !== 'started')) continue;
      const change = { ...e, file };
      changes.set(executionKey(e.workflowId, e.runId), change);
      const madeRun = e.action === 'reset' || e.detail === 'reset-to-last-task';
      if (madeRun && e.target) changes.set(executionKey(e.workflowId, e.target), change);
    }
  }
  return changes;
}

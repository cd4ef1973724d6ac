/**
 * Where in a history an auto_upgrade override was set: the invariant apply enforces is that every
 * event before our override's WorkflowExecutionOptionsUpdated event was replayed on the candidate.
 */
import type { HistoryEventLike, HistoryLike } from './history-facts.js';

/** Whether `e` is a WorkflowExecutionOptionsUpdated event by `identity` that set an auto_upgrade override. */
export function setsAutoUpgradeBy(e: HistoryEventLike, identity: string): boolean {
  const attributes = e.workflowExecutionOptionsUpdatedEventAttributes;
  if (attributes?.identity !== identity) return false;
  const o = attributes.versioningOverride as { autoUpgrade?: boolean | null; behavior?: number | null } | null | undefined;
  // behavior 2 = VERSIONING_BEHAVIOR_AUTO_UPGRADE (servers before the autoUpgrade field).
  return Boolean(o && (o.autoUpgrade || o.behavior === 2));
}

export interface OverrideSet {
  /** Index in `events` of the WorkflowExecutionOptionsUpdated event. */
  index: number;
  eventId: number;
  /** The last event before it: everything up to here ran before the override took effect. */
  lastEventBefore: number;
}

/** The last WorkflowExecutionOptionsUpdated event by `identity` that set an auto_upgrade override. */
export function lastAutoUpgradeOverride(history: HistoryLike, identity: string): OverrideSet | undefined {
  const events = history.events ?? [];
  for (let i = events.length - 1; i > 0; i--) {
    const e = events[i] as HistoryEventLike;
    if (!setsAutoUpgradeBy(e, identity)) continue;
    return { index: i, eventId: Number(String(e.eventId ?? i + 1)), lastEventBefore: Number(String(events[i - 1]?.eventId ?? i)) };
  }
  return undefined;
}

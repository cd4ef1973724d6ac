/** What the server says about executions after apply: read back to compare with the journal. */
import { readFileSync } from 'node:fs';
import type { temporal } from '@temporalio/proto';
import { latestEntries, parseApplyJournal, type JournalEntry } from '../../cli/core/journal.js';
import type { TemporalHandle } from '../../cli/temporal/connection.js';

export async function historyEvents(t: TemporalHandle, workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await t.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

export async function optionsUpdates(t: TemporalHandle, workflowId: string): Promise<number> {
  return (await historyEvents(t, workflowId)).filter((e) => e.workflowExecutionOptionsUpdatedEventAttributes).length;
}

export function journalEntries(path: string): JournalEntry[] {
  return parseApplyJournal(readFileSync(path, 'utf8')).entries;
}

/** The last journal entry per workflow ID. */
export function latestByWorkflow(path: string): Map<string, JournalEntry> {
  return new Map([...latestEntries(journalEntries(path)).values()].map((e) => [e.workflowId, e]));
}

export function workflowTaskFailures(events: temporal.api.history.v1.IHistoryEvent[]): number {
  return events.filter((e) => e.workflowTaskFailedEventAttributes).length;
}

/**
 * The window a change was exposed to the race, per execution: from the journal's `started` line
 * (written right after the re-check) to the server's time on our override's event. Printed by
 * the tests for the README's "which is narrower" figure; never asserted.
 */
export async function overrideWindowsMs(t: TemporalHandle, journalPath: string): Promise<number[]> {
  const started = new Map(journalEntries(journalPath).filter((e) => e.status === 'started' && e.action === 'upgrade').map((e) => [e.workflowId, Date.parse(e.at)]));
  const windows: number[] = [];
  for (const [workflowId, at] of started) {
    const event = (await historyEvents(t, workflowId)).find((x) => x.workflowExecutionOptionsUpdatedEventAttributes?.versioningOverride?.autoUpgrade);
    const seconds = Number(event?.eventTime?.seconds ?? 0);
    if (event) windows.push(seconds * 1000 + Math.round((event.eventTime?.nanos ?? 0) / 1e6) - at);
  }
  return windows.sort((a, b) => a - b);
}

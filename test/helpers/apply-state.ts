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

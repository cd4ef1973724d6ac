/** A history on its way through the replay, and what its replay gave. */
import protoRoot from '@temporalio/proto';
import type { HistoryFacts } from '../core/history-facts.js';
import type { ReplayOutcome } from '../core/verdict.js';
import type { History } from './history-json.js';

/**
 * A history already encoded as length-delimited History protobuf bytes: how history files are
 * loaded (encodeHistoryJson), since bytes are all a replay worker is fed.
 */
export interface EncodedHistory {
  delimited: Uint8Array;
}

export interface ReplayItem {
  workflowId: string;
  history: History | EncodedHistory;
  facts: HistoryFacts;
  /** Where the history came from: a file path, or `server`. */
  origin: string;
}

/** A replayed item: its history is dropped as soon as it is handed to a replay worker. */
export type ReplayedItem = Omit<ReplayItem, 'history'>;

export interface ReplayItemResult extends ReplayOutcome {
  item: ReplayedItem;
}

/**
 * The item without its history. Results wait for their replay in queues; a history kept alive
 * there survives young-generation collections and piles up in the old generation until the next
 * full GC (measured: the main thread's heap swung by ~70 MB over a 10,000-history run).
 */
export function withoutHistory({ history: _history, ...rest }: ReplayItem): ReplayedItem {
  return rest;
}

const HistoryProto = protoRoot.temporal.api.history.v1.History;

export function isEncoded(history: History | EncodedHistory): history is EncodedHistory {
  return 'delimited' in history;
}

/** The history as length-delimited History bytes in a buffer of their own (a copy sends only them). */
export function delimitedBytes(history: History | EncodedHistory): Uint8Array {
  if (isEncoded(history)) return history.delimited;
  return new Uint8Array(HistoryProto.encodeDelimited(history).finish());
}

/** The history as History bytes without the length prefix. */
export function historyBytes(history: History | EncodedHistory): Uint8Array {
  if (!isEncoded(history)) return HistoryProto.encode(history).finish();
  const bytes = history.delimited;
  // Skip the varint length prefix (7 bits a byte, high bit set on all but its last byte).
  let i = 0;
  while (i < bytes.length && (bytes[i] as number) & 0x80) i++;
  return bytes.subarray(i + 1);
}

/**
 * Histories kept as the server's protobuf bytes. The replay threads are fed History bytes, so a
 * downloaded page never needs to become message objects on the main thread: its `history` field is
 * cut out of the response as it came, pages are concatenated (repeated fields of concatenated
 * messages concatenate), and only the few events the facts need are decoded.
 */
import protobuf from 'protobufjs/minimal.js';
import protoRoot from '@temporalio/proto';
import { historyFacts, type HistoryEventLike, type HistoryFacts } from '../core/history-facts.js';

const { Reader, Writer } = protobuf;

interface Decoder {
  decode(bytes: Uint8Array): unknown;
  fields: Record<string, { id: number }>;
}
const lookup = (path: string) => (protoRoot as unknown as { lookupType(p: string): Decoder }).lookupType(path);

const RESPONSE = lookup('temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse').fields;
const RESPONSE_HISTORY = RESPONSE.history!.id;
const RESPONSE_RAW_HISTORY = RESPONSE.rawHistory!.id;
const RESPONSE_NEXT_PAGE_TOKEN = RESPONSE.nextPageToken!.id;
const HISTORY_EVENTS = lookup('temporal.api.history.v1.History').fields.events!.id;
const EVENT = lookup('temporal.api.history.v1.HistoryEvent');
const EVENT_ID = EVENT.fields.eventId!.id;

const WIRE_LENGTH_DELIMITED = 2;

/** The field numbers of the event attributes the facts read: only these events are decoded. */
const FACT_ATTRIBUTES = new Set(
  ['workflowExecutionStartedEventAttributes', 'workflowTaskCompletedEventAttributes', 'workflowExecutionOptionsUpdatedEventAttributes'].map((name) => EVENT.fields[name]!.id),
);

export interface HistoryPage {
  /** The page's History message, as bytes (empty when the page has no events). */
  history: Uint8Array;
  nextPageToken?: Uint8Array;
  /** The server sent `raw_history` blobs instead (a frontend option for internal callers). */
  raw: boolean;
}

/** Cuts a GetWorkflowExecutionHistoryResponse into its History bytes and next page token. */
export function readHistoryPage(response: Uint8Array): HistoryPage {
  const r = Reader.create(response);
  const parts: Uint8Array[] = [];
  let nextPageToken: Uint8Array | undefined;
  let raw = false;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if ((tag & 7) !== WIRE_LENGTH_DELIMITED) {
      r.skipType(tag & 7);
      continue;
    }
    const length = r.uint32();
    const value = response.subarray(r.pos, r.pos + length);
    r.pos += length;
    // A message field may legally arrive in several pieces; they merge by concatenation.
    if (field === RESPONSE_HISTORY) parts.push(value);
    else if (field === RESPONSE_NEXT_PAGE_TOKEN) nextPageToken = value;
    else if (field === RESPONSE_RAW_HISTORY) raw = true;
  }
  return { history: concat(parts), ...(nextPageToken?.length ? { nextPageToken } : {}), raw };
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** History bytes with their varint length in front, in a buffer of their own. */
export function delimit(parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const prefix = Writer.create().uint32(length).finish();
  return concat([prefix, ...parts]);
}

/**
 * The facts of a History given as bytes (no length prefix). Walks the events' wire format and
 * decodes only the started, workflow-task-completed and options-updated attributes.
 */
export function historyFactsFromBytes(history: Uint8Array): HistoryFacts {
  const r = Reader.create(history);
  const selected: HistoryEventLike[] = [];
  let eventCount = 0;
  let lastEvent: Uint8Array | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== HISTORY_EVENTS || (tag & 7) !== WIRE_LENGTH_DELIMITED) {
      r.skipType(tag & 7);
      continue;
    }
    const length = r.uint32();
    const event = history.subarray(r.pos, r.pos + length);
    r.pos += length;
    eventCount++;
    lastEvent = event;
    const attributes = factAttributes(event);
    if (attributes) selected.push(attributes);
    else if (eventCount === 1) selected.push({});
  }
  const facts = historyFacts({ events: selected });
  return { ...facts, eventCount, lastEventId: lastEvent ? eventId(lastEvent) : String(eventCount) };
}

/** The event decoded, when it carries attributes the facts read; else undefined (not decoded). */
function factAttributes(event: Uint8Array): HistoryEventLike | undefined {
  const r = Reader.create(event);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (FACT_ATTRIBUTES.has(tag >>> 3)) return EVENT.decode(event) as HistoryEventLike;
    r.skipType(tag & 7);
  }
  return undefined;
}

function eventId(event: Uint8Array): string {
  const r = Reader.create(event);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === EVENT_ID && (tag & 7) === 0) return r.int64().toString();
    r.skipType(tag & 7);
  }
  return '0';
}

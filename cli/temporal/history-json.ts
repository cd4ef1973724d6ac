/**
 * History JSON files -> History protos. Accepts the two replayable dialects:
 *  - ProtoJSON, as written by `temporal workflow show --output json` and the UI's "encoded" download
 *    (camelCase fields, SCREAMING_SNAKE enums, int64 as strings);
 *  - the old UI export, same shape but PascalCase enums ("WorkflowExecutionStarted", "Normal").
 * Every enum in the tree is normalised by walking the History proto's own descriptor, because
 * the SDK's historyFromJSON fixes only a handful of fields and protojson zeroes unknown enum strings.
 * The UI's "readable" download (payloads decoded into plain JSON) cannot be replayed and is refused.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import protoRoot from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root.js';
import type { temporal } from '@temporalio/proto';
import protobuf from 'protobufjs';
import { InputError } from '../errors.js';

export type History = temporal.api.history.v1.IHistory;

const root = patchProtobufRoot(protoRoot as unknown as Record<string, unknown>) as unknown as protobuf.Root;
const historyType = root.lookupType('temporal.api.history.v1.History');
historyType.root.resolveAll();

const READABLE_HINT =
  'download the history with `temporal workflow show --output json`, or in the UI choose the "Encoded" (or "Decoded") download, not "Readable"';

function pascalToConstant(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

function enumPrefix(e: protobuf.Enum): string {
  const unspecified = Object.keys(e.values).find((k) => k.endsWith('_UNSPECIFIED'));
  return unspecified ? unspecified.slice(0, -'UNSPECIFIED'.length) : '';
}

function normaliseEnum(value: unknown, e: protobuf.Enum, path: string): unknown {
  if (typeof value !== 'string') return value;
  if (value in e.values) return value;
  const candidate = enumPrefix(e) + pascalToConstant(value);
  if (candidate in e.values) return candidate;
  throw new InputError(`unknown ${e.name} value "${value}" at ${path}`, 'is this a Temporal history file?');
}

function isBase64(s: string): boolean {
  return /^[A-Za-z0-9+/_-]*={0,2}$/.test(s);
}

function checkPayload(value: unknown, path: string): void {
  const payload = value as { metadata?: Record<string, unknown>; data?: unknown } | null;
  const encoding = payload && typeof payload === 'object' ? payload.metadata?.encoding : undefined;
  if (typeof encoding !== 'string' || !isBase64(encoding) || (payload?.data !== undefined && typeof payload.data !== 'string')) {
    throw new InputError(
      `payload at ${path} is not encoded (this looks like the UI's "Readable" download, which cannot be replayed)`,
      READABLE_HINT,
    );
  }
}

function normaliseMessage(value: unknown, type: protobuf.Type, path: string): unknown {
  if (type.fullName === '.temporal.api.common.v1.Payload') {
    checkPayload(value, path);
    return value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  if (type.fullName.startsWith('.google.protobuf.')) return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const field = type.fields[key] ?? Object.values(type.fields).find((f) => f.name === key || f.options?.json_name === key);
    if (!field || raw === null) {
      out[key] = raw;
      continue;
    }
    const convert = (v: unknown, p: string): unknown => {
      const resolved = field.resolvedType;
      if (resolved instanceof protobuf.Enum) return normaliseEnum(v, resolved, p);
      if (resolved instanceof protobuf.Type) return normaliseMessage(v, resolved, p);
      return v;
    };
    if (field.repeated && Array.isArray(raw)) out[key] = raw.map((v, i) => convert(v, `${path}.${key}[${i}]`));
    else if (field.map && typeof raw === 'object') {
      out[key] = Object.fromEntries(Object.entries(raw as object).map(([k, v]) => [k, convert(v, `${path}.${key}.${k}`)]));
    } else out[key] = convert(raw, `${path}.${key}`);
  }
  return out;
}

/** Parses the text of one history file; `source` names it in errors. */
export function parseHistoryJson(text: string, source: string): History {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${source}: not valid JSON (${(err as Error).message})`, 'is the file complete? re-download it');
  }
  // The old web UI's JSON view exported a bare array of events with `details`; not replayable.
  const events = Array.isArray(json) ? json : (json as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) {
    throw new InputError(`${source}: not a Temporal history (expected {"events": [...]})`, READABLE_HINT);
  }
  if (events.length === 0) throw new InputError(`${source}: the history has no events`, READABLE_HINT);
  const first = events[0] as Record<string, unknown>;
  if (!Object.keys(first).some((k) => k.endsWith('EventAttributes'))) {
    throw new InputError(`${source}: events have no *EventAttributes (a "Readable" or JSON-view export?)`, READABLE_HINT);
  }
  let normalised: unknown;
  try {
    normalised = normaliseMessage({ events }, historyType, 'history');
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`${source}: ${err.message}`, err.hint);
    throw err;
  }
  try {
    return historyFromJSON(normalised);
  } catch (err) {
    throw new InputError(`${source}: cannot load the history (${(err as Error).message})`, READABLE_HINT);
  }
}

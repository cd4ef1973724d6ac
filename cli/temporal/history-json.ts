/**
 * History JSON files -> History protos. Accepts the two replayable dialects:
 *  - ProtoJSON, as written by `temporal workflow show --output json` and the UI's "encoded" download
 *    (camelCase fields, SCREAMING_SNAKE enums, int64 as strings);
 *  - the old UI export, same shape but PascalCase enums ("WorkflowExecutionStarted", "Normal").
 * Either may come wrapped as `{"history": {"events": [...]}}`, as the UI's API and the server's HTTP
 * API (`GET /api/v1/namespaces/{ns}/workflows/{id}/history`) return it.
 * The UI's "readable" download and the HTTP API's default payload shorthand (payloads decoded into
 * plain JSON) cannot be replayed and are refused with the download to use instead.
 *
 * Only the reflection types of @temporalio/proto's own root are used: the tree is walked along the
 * History descriptor (enums normalised, Timestamp and Duration strings turned into messages), then
 * built with that same type's `fromObject`. Nothing is checked with `instanceof` against another
 * copy of protobufjs, so it works whichever copies npm installs: in a user's project npm nests a
 * separate protobufjs 8 under @temporalio/common and under @temporalio/proto (and hoists 7 for
 * gRPC), and the SDK's historyFromJSON, which hands proto's types to common's protojson, then
 * fails with "type must be a Type". Protobufjs' enum names are the proto's, so an unknown enum
 * string is reported here rather than zeroed.
 */
import protoRoot from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root.js';
import type { temporal } from '@temporalio/proto';
import { InputError } from '../errors.js';

export type History = temporal.api.history.v1.IHistory;

/** The parts of protobufjs' reflection objects used here (duck-typed: see the header). */
interface ReflectedEnum {
  name: string;
  values: Record<string, number>;
}
interface ReflectedField {
  name: string;
  type: string;
  repeated: boolean;
  map: boolean;
  keyType?: string;
  resolvedType: ReflectedEnum | ReflectedType | null;
}
interface ReflectedType {
  name: string;
  fullName: string;
  fields: Record<string, ReflectedField>;
  fieldsArray: ReflectedField[];
  fromObject(object: Record<string, unknown>): unknown;
  encodeDelimited(message: unknown): { finish(): Uint8Array };
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
  root: { resolveAll(): unknown };
}

interface PatchedRoot {
  lookupType(path: string): ReflectedType;
}
const root = patchProtobufRoot(protoRoot as unknown as Record<string, unknown>) as unknown as PatchedRoot;
const historyType = root.lookupType('temporal.api.history.v1.History');
historyType.root.resolveAll();

const isEnum = (t: ReflectedField['resolvedType']): t is ReflectedEnum => t !== null && 'values' in t && !('fields' in t);
const isType = (t: ReflectedField['resolvedType']): t is ReflectedType => t !== null && 'fields' in t;

/** A field, with what its values need: resolved once per field. */
interface FieldInfo {
  field: ReflectedField;
  enumType?: ReflectedEnum;
  messageType?: ReflectedType;
  bytes: boolean;
  /** How toEncodable takes a scalar of this field (undefined: an enum or a message). */
  scalar?: ScalarKind;
}

type ScalarKind = 'string' | 'bool' | 'double' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bytes';
const SCALARS: Record<string, ScalarKind> = {
  string: 'string',
  bool: 'bool',
  double: 'double',
  float: 'double',
  int32: 'int32',
  sint32: 'int32',
  sfixed32: 'int32',
  uint32: 'uint32',
  fixed32: 'uint32',
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'uint64',
  fixed64: 'uint64',
  bytes: 'bytes',
};

/** Per message type: its well-known kind and its fields by ProtoJSON (lowerCamelCase) and proto name. */
interface TypeInfo {
  kind?: 'payloads' | 'payload' | 'timestamp' | 'duration';
  fields: Map<string, FieldInfo>;
}

const KINDS: Record<string, TypeInfo['kind']> = {
  '.temporal.api.common.v1.Payloads': 'payloads',
  '.temporal.api.common.v1.Payload': 'payload',
  '.google.protobuf.Timestamp': 'timestamp',
  '.google.protobuf.Duration': 'duration',
};

// Keyed by the type object: protobufjs' `fullName` is a getter that walks the parents and joins
// their names on every read; reading it per node cost ~0.3 ms of main-thread CPU per history.
const typeInfos = new Map<ReflectedType, TypeInfo>();
function typeInfo(type: ReflectedType): TypeInfo {
  let info = typeInfos.get(type);
  if (!info) {
    const fields = new Map<string, FieldInfo>();
    for (const f of type.fieldsArray) {
      const resolved = f.resolvedType;
      const fieldInfo: FieldInfo = {
        field: f,
        ...(isEnum(resolved) && { enumType: resolved }),
        ...(isType(resolved) && { messageType: resolved }),
        bytes: f.type === 'bytes',
        ...(!resolved && SCALARS[f.type] && { scalar: SCALARS[f.type] }),
      };
      fields.set(f.name, fieldInfo);
      fields.set(f.name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()), fieldInfo);
    }
    info = { kind: KINDS[type.fullName], fields };
    typeInfos.set(type, info);
  }
  return info;
}

const READABLE_HINT =
  'download the history with `temporal workflow show --output json`, or in the UI choose the "Encoded" (or "Decoded") download, not "Readable"';

function pascalToConstant(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

function enumPrefix(e: ReflectedEnum): string {
  const unspecified = Object.keys(e.values).find((k) => k.endsWith('_UNSPECIFIED'));
  return unspecified ? unspecified.slice(0, -'UNSPECIFIED'.length) : '';
}

function normaliseEnum(value: unknown, e: ReflectedEnum, path: string): unknown {
  if (typeof value !== 'string') return value;
  if (value in e.values) return value;
  const candidate = enumPrefix(e) + pascalToConstant(value);
  if (candidate in e.values) return candidate;
  throw new InputError(`unknown ${e.name} value "${value}" at ${path}`, 'is this a Temporal history file?');
}

function isBase64(s: string): boolean {
  return /^[A-Za-z0-9+/_-]*={0,2}$/.test(s);
}

const SHORTHAND_HINT =
  'download it again with `?noPayloadShorthand=true` on the HTTP API URL (…/workflows/{id}/history?noPayloadShorthand=true), or with `temporal workflow show --output json`';

/** The HTTP API's shorthand writes Payloads as a bare array of decoded values: `"input": ["tidal power"]`. */
function checkPayloads(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    throw new InputError(`payload at ${path} is not encoded (this is the HTTP API's payload shorthand, which cannot be replayed)`, SHORTHAND_HINT);
  }
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

/** RFC 3339 ("2026-07-31T00:02:18.123456789Z"), ProtoJSON's form of a Timestamp. */
function timestampFromJson(value: unknown, path: string): unknown {
  if (typeof value !== 'string') return value;
  const m = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i.exec(value);
  const millis = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(millis)) throw new InputError(`not a timestamp at ${path}: "${value}"`, 'is this a Temporal history file?');
  return { seconds: String(Math.floor(millis / 1000)), nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

/** "3.5s", ProtoJSON's form of a Duration. */
function durationFromJson(value: unknown, path: string): unknown {
  if (typeof value !== 'string') return value;
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(value);
  if (!m) throw new InputError(`not a duration at ${path}: "${value}"`, 'is this a Temporal history file?');
  const sign = m[1] ? -1 : 1;
  const nanos = Number((m[3] ?? '').padEnd(9, '0'));
  return { seconds: (m[1] ?? '') + m[2], nanos: sign * nanos };
}

/** Bytes may come URL-safe (ProtoJSON allows both alphabets); protobufjs decodes the standard one. */
function bytesFromJson(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/-/g, '+').replace(/_/g, '/') : value;
}

/** Walks `value` along `type`, returning the object protobufjs' `fromObject` takes. */
function normaliseMessage(value: unknown, type: ReflectedType, path: string): unknown {
  const info = typeInfo(type);
  switch (info.kind) {
    case 'payloads':
      checkPayloads(value, path);
      break;
    case 'payload':
      checkPayload(value, path);
      break;
    case 'timestamp':
      return timestampFromJson(value, path);
    case 'duration':
      return durationFromJson(value, path);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const f = info.fields.get(key);
    // Unknown fields (a newer server's) are dropped, as the SDK's loader does; null means unset.
    if (!f || raw === null) continue;
    const convert = (v: unknown, p: string): unknown => {
      if (f.enumType) return normaliseEnum(v, f.enumType, p);
      if (f.messageType) return normaliseMessage(v, f.messageType, p);
      return f.bytes ? bytesFromJson(v) : v;
    };
    let converted: unknown;
    if (f.field.repeated && Array.isArray(raw)) converted = raw.map((v, i) => convert(v, `${path}.${key}[${i}]`));
    else if (f.field.map && typeof raw === 'object') {
      converted = Object.fromEntries(Object.entries(raw as object).map(([k, v]) => [k, convert(v, `${path}.${key}.${k}`)]));
    } else converted = convert(raw, `${path}.${key}`);
    out[f.field.name] = converted;
  }
  return out;
}

/** Thrown by toEncodable at anything it does not expect (shared: no stack trace to build). */
const UNEXPECTED = new Error('not the usual shape of a history file');
/** int64 strings that a double holds exactly: the usual ones (event IDs, task IDs, seconds). */
const SAFE_INT = /^-?\d{1,15}$/;
const SAFE_UINT = /^\d{1,15}$/;
/** Non-empty base64 that decodes to at least one byte; an empty string is the default (unset). */
const BYTES = /^(?:[A-Za-z0-9+/_-]{2,}={0,2})?$/;

/**
 * A scalar as the message's encoder takes it, typed as fromObject would make it (so the bytes and
 * the default-value skipping are the same): int64 as a number, bytes as standard base64.
 */
function scalarToEncodable(v: unknown, kind: ScalarKind): unknown {
  switch (kind) {
    case 'string':
      if (typeof v === 'string') return v;
      break;
    case 'bool':
      if (typeof v === 'boolean') return v;
      break;
    case 'double':
      if (typeof v === 'number') return v;
      break;
    case 'int32':
      if (typeof v === 'number' && (v | 0) === v) return v;
      break;
    case 'uint32':
      if (typeof v === 'number' && v >>> 0 === v) return v;
      break;
    case 'int64':
      if (typeof v === 'string' && SAFE_INT.test(v)) return Number(v);
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
      break;
    case 'uint64':
      if (typeof v === 'string' && SAFE_UINT.test(v)) return Number(v);
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
      break;
    case 'bytes':
      if (typeof v === 'string' && v.length % 4 !== 1 && BYTES.test(v)) return bytesFromJson(v);
      break;
  }
  throw UNEXPECTED;
}

function enumToEncodable(v: unknown, e: ReflectedEnum): number {
  if (typeof v === 'string') {
    const n = e.values[v] ?? e.values[normaliseEnum(v, e, '') as string];
    if (n !== undefined) return n;
  } else if (typeof v === 'number' && (v | 0) === v) return v;
  throw UNEXPECTED;
}

function valueToEncodable(v: unknown, f: FieldInfo): unknown {
  if (f.messageType) return toEncodable(v, f.messageType);
  if (f.enumType) return enumToEncodable(v, f.enumType);
  if (f.scalar) return scalarToEncodable(v, f.scalar);
  throw UNEXPECTED;
}

/**
 * normaliseMessage's result as plain objects that the History type's encoder takes directly, with
 * no message objects built (fromObject is about a third of loading a history). It checks what
 * normaliseMessage checks, but names no path: it throws at the first thing it does not expect, and
 * the caller falls back to normaliseMessage + fromObject, which give the errors (or cope).
 */
function toEncodable(value: unknown, type: ReflectedType): unknown {
  const info = typeInfo(type);
  switch (info.kind) {
    case 'payloads':
      checkPayloads(value, '');
      break;
    case 'payload':
      checkPayload(value, '');
      break;
    case 'timestamp': {
      if (typeof value !== 'string') throw UNEXPECTED;
      const t = timestampFromJson(value, '') as { seconds: string; nanos: number };
      return { seconds: scalarToEncodable(t.seconds, 'int64'), nanos: t.nanos };
    }
    case 'duration': {
      if (typeof value !== 'string') throw UNEXPECTED;
      const d = durationFromJson(value, '') as { seconds: string; nanos: number };
      return { seconds: scalarToEncodable(d.seconds, 'int64'), nanos: d.nanos };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw UNEXPECTED;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const raw = (value as Record<string, unknown>)[key];
    const f = info.fields.get(key);
    // Unknown fields (a newer server's) are dropped, as the SDK's loader does; null means unset.
    if (!f || raw === null || raw === undefined) continue;
    let converted: unknown;
    if (f.field.repeated) {
      if (!Array.isArray(raw)) throw UNEXPECTED;
      const list = new Array<unknown>(raw.length);
      for (let i = 0; i < raw.length; i++) {
        if (raw[i] === null) throw UNEXPECTED;
        list[i] = valueToEncodable(raw[i], f);
      }
      converted = list;
    } else if (f.field.map) {
      if (f.field.keyType !== 'string' || typeof raw !== 'object' || Array.isArray(raw)) throw UNEXPECTED;
      const map: Record<string, unknown> = {};
      for (const k in raw) {
        const v = (raw as Record<string, unknown>)[k];
        if (v === null) throw UNEXPECTED;
        map[k] = valueToEncodable(v, f);
      }
      converted = map;
    } else converted = valueToEncodable(raw, f);
    out[f.field.name] = converted;
  }
  return out;
}

/** The events of one history file's JSON, with the checks every dialect needs; `source` names it in errors. */
function historyEvents(text: string, source: string): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${source}: not valid JSON (${(err as Error).message})`, 'is the file complete? re-download it');
  }
  // The UI's and the HTTP API's `{"history": {...}}` wrapper.
  const wrapped = (json as { history?: unknown } | null)?.history;
  if (wrapped && typeof wrapped === 'object' && !Array.isArray(wrapped)) json = wrapped;
  // The old web UI's JSON view exported a bare array of events with `details`; not replayable.
  const events = Array.isArray(json) ? json : (json as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) {
    throw new InputError(`${source}: not a Temporal history (expected {"events": [...]} or {"history": {"events": [...]}})`, READABLE_HINT);
  }
  if (events.length === 0) throw new InputError(`${source}: the history has no events`, READABLE_HINT);
  const first = events[0] as Record<string, unknown>;
  if (!Object.keys(first).some((k) => k.endsWith('EventAttributes'))) {
    throw new InputError(`${source}: events have no *EventAttributes (a "Readable" or JSON-view export?)`, READABLE_HINT);
  }
  return events;
}

/** normaliseMessage with paths in its errors, as InputErrors naming `source`. */
function normaliseEvents(events: unknown[], source: string): Record<string, unknown> {
  try {
    return normaliseMessage({ events }, historyType, 'history') as Record<string, unknown>;
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`${source}: ${err.message}`, err.hint);
    throw err;
  }
}

function fromNormalised(normalised: Record<string, unknown>, source: string): History {
  try {
    return historyType.fromObject(normalised) as History;
  } catch (err) {
    throw new InputError(`${source}: cannot load the history (${(err as Error).message})`, 'is this a complete Temporal history file?');
  }
}

/** Parses the text of one history file; `source` names it in errors. */
export function parseHistoryJson(text: string, source: string): History {
  return fromNormalised(normaliseEvents(historyEvents(text, source), source), source);
}

/**
 * A history file's text as length-delimited History protobuf bytes (what a replay worker is fed),
 * and the history as plain objects (enough for historyFacts). The same bytes as encoding
 * parseHistoryJson's result, without building the message objects: a well-formed file goes
 * through toEncodable; anything it does not expect, through parseHistoryJson's path (and its errors).
 */
export function encodeHistoryJson(text: string, source: string): { history: History; delimited: Uint8Array } {
  const events = historyEvents(text, source);
  let history: Record<string, unknown> | undefined;
  try {
    history = toEncodable({ events }, historyType) as Record<string, unknown>;
  } catch {
    // not the usual shape: the path that names the problem, or copes with it
  }
  const message = history ?? fromNormalised(normaliseEvents(events, source), source);
  // Its own buffer (`finish` may return a view of a shared pool), so that a copy sends only it.
  return { history: message as History, delimited: new Uint8Array(historyType.encodeDelimited(message).finish()) };
}

/** A Timestamp object (`seconds` as a string, from toObject) as RFC 3339, ProtoJSON's form. */
function timestampToJson(value: { seconds?: string | number; nanos?: number }): string {
  const seconds = Number(value.seconds ?? 0);
  const nanos = value.nanos ?? 0;
  const base = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return nanos ? `${base}.${String(nanos).padStart(9, '0')}Z` : `${base}Z`;
}

/** A Duration object as "3.5s", ProtoJSON's form. */
function durationToJson(value: { seconds?: string | number; nanos?: number }): string {
  const seconds = String(value.seconds ?? '0');
  const nanos = Math.abs(value.nanos ?? 0);
  const negative = seconds.startsWith('-') || (value.nanos ?? 0) < 0;
  const whole = seconds.replace(/^-/, '');
  const fraction = nanos ? `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}s`;
}

/** The inverse of normaliseMessage's Timestamp and Duration handling, along the same descriptor. */
function toProtoJson(value: unknown, type: ReflectedType): unknown {
  const kind = typeInfo(type).kind;
  if (kind === 'timestamp') return timestampToJson(value as { seconds?: string; nanos?: number });
  if (kind === 'duration') return durationToJson(value as { seconds?: string; nanos?: number });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const field = type.fields[key];
    const resolved = field?.resolvedType ?? null;
    if (!field || !isType(resolved)) {
      out[key] = raw;
      continue;
    }
    if (field.repeated && Array.isArray(raw)) out[key] = raw.map((v) => toProtoJson(v, resolved));
    else if (field.map && raw && typeof raw === 'object') out[key] = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, toProtoJson(v, resolved)]));
    else out[key] = toProtoJson(raw, resolved);
  }
  return out;
}

/**
 * A History as the text of a history file in the CLI's JSON format (`temporal workflow show
 * --output json`: camelCase fields, enum names, int64 as strings, bytes base64, RFC 3339 times),
 * built with the same reflection types as parseHistoryJson, which reads it back unchanged.
 */
export function historyToJson(history: History): string {
  const message = historyType.fromObject(history as unknown as Record<string, unknown>);
  const object = historyType.toObject(message, { longs: String, enums: String, bytes: String });
  return JSON.stringify(toProtoJson(object, historyType), null, 2) + '\n';
}

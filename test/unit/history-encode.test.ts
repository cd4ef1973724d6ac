import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import protoRoot from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { historyFacts } from '../../cli/core/history-facts.js';
import { encodeHistoryJson, parseHistoryJson } from '../../cli/temporal/history-json.js';
import { delimitedBytes, historyBytes } from '../../cli/temporal/replay-item.js';
import { historyFiles as corpusHistoryFiles } from '../helpers/corpus.js';
import { toPascalCaseDialect } from '../helpers/history-dialects.js';

const ROOT = join(import.meta.dirname, '..', '..');
const History = protoRoot.temporal.api.history.v1.History;

const historyFiles = corpusHistoryFiles();

/** What replay fed a thread before: parseHistoryJson's message, encoded. */
const viaMessages = (text: string, source: string) => Buffer.from(History.encodeDelimited(parseHistoryJson(text, source)).finish());
const encoded = (text: string, source: string) => Buffer.from(encodeHistoryJson(text, source).delimited);
const isPlain = (o: unknown) => Object.getPrototypeOf(o) === Object.prototype;

describe('encodeHistoryJson', () => {
  it('finds the corpus and fixture histories', () => {
    expect(historyFiles.length).toBeGreaterThanOrEqual(20);
  });

  it.each(historyFiles.map((f) => relative(ROOT, f)))('%s: the same bytes as encoding parseHistoryJson, without building messages', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const { history, delimited } = encodeHistoryJson(text, file);
    expect(Buffer.from(delimited).equals(viaMessages(text, file))).toBe(true);
    expect(isPlain(history.events?.[0])).toBe(true);
    expect(historyFacts(history)).toEqual(historyFacts(parseHistoryJson(text, file)));
  });

  const paused = join(ROOT, 'histories', 'research-agent', 'research-paused-fusion.json');
  const pausedJson = () => JSON.parse(readFileSync(paused, 'utf8')) as { events: Record<string, Record<string, unknown>>[] };

  it('reads the old UI PascalCase dialect to the same bytes', () => {
    const text = JSON.stringify(toPascalCaseDialect(pausedJson()));
    expect(encoded(text, 'pascal.json').equals(viaMessages(text, 'pascal.json'))).toBe(true);
    expect(isPlain(encodeHistoryJson(text, 'pascal.json').history.events?.[0])).toBe(true);
  });

  it.each([
    ['default values (0, "", false, the unspecified enum)', { attempt: 0, identity: '', cancelRequested: false, initiator: 'CONTINUE_AS_NEW_INITIATOR_UNSPECIFIED' }],
    ['URL-safe base64 bytes', { continuedFailure: { message: 'x', encodedAttributes: { metadata: { encoding: 'YmluYXJ5L3BsYWlu' }, data: 'Pz8_Pz8-' } } }],
    ['an enum given as its number', { initiator: 2 }],
    ['an int64 too large for a double', { firstWorkflowTaskBackoff: '1.5s', prevAutoResetPoints: { points: [{ firstWorkflowTaskCompletedId: '9223372036854775807' }] } }],
    ['an unknown field of a newer server', { someFutureField: { a: 1 } }],
  ])('%s: the same bytes', (_name, extra) => {
    const json = pausedJson();
    const started = json.events[0]!['workflowExecutionStartedEventAttributes']!;
    Object.assign(started, extra);
    const text = JSON.stringify(json);
    expect(encoded(text, 'edited.json').equals(viaMessages(text, 'edited.json'))).toBe(true);
  });

  it.each([
    ['a timestamp that is not RFC 3339', (t: string) => t.replace(/"eventTime": "[^"]+"/, '"eventTime": "yesterday"')],
    ['an unknown enum value', (t: string) => t.replace('"EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"', '"EVENT_TYPE_NO_SUCH_THING"')],
    ['a readable payload', (t: string) => t.replace(/"encoding": "[^"]+"/, '"encoding": "json/plain!"')],
    ['the HTTP API payload shorthand', (t: string) => t.replace(/"payloads": \[\s*\{[^\]]*\]/, '"payloads": ["tidal power"]')],
  ])('refuses %s with the error parseHistoryJson gives', (_name, edit) => {
    const text = edit(readFileSync(paused, 'utf8'));
    expect(text).not.toBe(readFileSync(paused, 'utf8'));
    let expected: unknown;
    try {
      parseHistoryJson(text, 'bad.json');
    } catch (err) {
      expected = err;
    }
    expect(expected).toBeInstanceOf(Error);
    expect(() => encodeHistoryJson(text, 'bad.json')).toThrowError((expected as Error).message);
  });
});

describe('the bytes of an encoded history', () => {
  it.each(historyFiles.map((f) => relative(ROOT, f)))('%s: without the length prefix, the History encoding (what the Python helper is sent)', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const { delimited } = encodeHistoryJson(text, file);
    const message = parseHistoryJson(text, file);
    expect(Buffer.from(historyBytes({ delimited })).equals(Buffer.from(History.encode(message).finish()))).toBe(true);
    expect(Buffer.from(historyBytes(message)).equals(Buffer.from(History.encode(message).finish()))).toBe(true);
    expect(Buffer.from(delimitedBytes(message)).equals(Buffer.from(delimited))).toBe(true);
    expect(delimitedBytes({ delimited })).toBe(delimited);
  });
});

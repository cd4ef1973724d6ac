import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import protoRoot from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { historyFacts } from '../../cli/core/history-facts.js';
import { InputError } from '../../cli/errors.js';
import { historyToJson, parseHistoryJson } from '../../cli/temporal/history-json.js';
import { toPascalCaseDialect, toReadableDialect } from '../helpers/history-dialects.js';

const corpus = join(import.meta.dirname, '..', '..', 'histories', 'research-agent');
const pausedFile = join(corpus, 'research-paused-fusion.json');
const pausedText = readFileSync(pausedFile, 'utf8');

describe('parseHistoryJson', () => {
  it('loads a `temporal workflow show --output json` history with its facts', () => {
    const history = parseHistoryJson(pausedText, pausedFile);
    const facts = historyFacts(history);
    expect(facts).toMatchObject({
      workflowType: 'ResearchWorkflow',
      workflowId: 'research-paused-fusion',
      version: 'research-agent:v1',
    });
    expect(Number(facts.lastEventId)).toBe(history.events?.length);
  });

  it('loads the old UI PascalCase dialect to exactly the same history, where the SDK converter zeroes fields', () => {
    const pascal = toPascalCaseDialect(JSON.parse(pausedText));
    expect(JSON.stringify(pascal)).toContain('"versioningBehavior":"Pinned"');
    const fromPascal = parseHistoryJson(JSON.stringify(pascal), 'pascal.json');
    const fromProtoJson = parseHistoryJson(pausedText, pausedFile);
    expect(JSON.parse(JSON.stringify(fromPascal))).toEqual(JSON.parse(JSON.stringify(fromProtoJson)));

    // Why we normalise ourselves: the SDK's converter leaves versioningBehavior at 0 (unspecified).
    const naive = historyFromJSON(pascal);
    const wftCompleted = (h: typeof naive) => h.events?.find((e) => e.workflowTaskCompletedEventAttributes)?.workflowTaskCompletedEventAttributes;
    expect(wftCompleted(fromPascal)?.versioningBehavior).toBe(1);
    expect(wftCompleted(naive)?.versioningBehavior ?? 0).toBe(0);
  });

  it('refuses the UI "Readable" download and names the download to use instead', () => {
    const readable = JSON.stringify(toReadableDialect(JSON.parse(pausedText)));
    expect(() => parseHistoryJson(readable, 'readable.json')).toThrowError(/Readable/);
    try {
      parseHistoryJson(readable, 'readable.json');
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).hint).toMatch(/temporal workflow show --output json|Encoded/);
    }
  });

  it.each([
    ['truncated JSON', pausedText.slice(0, 200), /not valid JSON/],
    ['a JSON object that is not a history', '{"workflows": []}', /not a Temporal history/],
    ['a history without events', '{"events": []}', /no events/],
    ['an unknown enum value', pausedText.replace('EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', 'EVENT_TYPE_BOGUS'), /unknown EventType value "EVENT_TYPE_BOGUS"/],
  ])('refuses %s with an InputError naming the file', (_name, text, message) => {
    expect(() => parseHistoryJson(text, 'bad.json')).toThrowError(message);
    expect(() => parseHistoryJson(text, 'bad.json')).toThrowError(/bad\.json/);
  });
});

describe('parseHistoryJson against the SDK loader', () => {
  const History = protoRoot.temporal.api.history.v1.History;
  const files = readdirSync(corpus).filter((f) => f.endsWith('.json'));

  it.each(files)('%s: the same History bytes as historyFromJSON (where the SDK loader works)', (file) => {
    const text = readFileSync(join(corpus, file), 'utf8');
    const ours = History.encode(parseHistoryJson(text, file)).finish();
    const sdk = History.encode(historyFromJSON(JSON.parse(text))).finish();
    expect(Buffer.from(ours).equals(Buffer.from(sdk))).toBe(true);
  });

  it('reads Timestamps with any fraction and offsets, and Durations, as ProtoJSON writes them', () => {
    const json = JSON.parse(pausedText) as { events: Record<string, unknown>[] };
    const started = json.events[0] as { eventTime: string; workflowExecutionStartedEventAttributes: Record<string, unknown> };
    started.eventTime = '2026-07-31T02:02:18.5+02:00';
    started.workflowExecutionStartedEventAttributes.workflowTaskTimeout = '10.000000001s';
    const event = parseHistoryJson(JSON.stringify(json), 'edited.json').events?.[0];
    expect(Number(event?.eventTime?.seconds)).toBe(Date.UTC(2026, 6, 31, 0, 2, 18) / 1000);
    expect(event?.eventTime?.nanos).toBe(500_000_000);
    const timeout = event?.workflowExecutionStartedEventAttributes?.workflowTaskTimeout;
    expect([Number(timeout?.seconds), timeout?.nanos]).toEqual([10, 1]);
  });

  it('refuses a timestamp that is not RFC 3339, naming where', () => {
    const bad = pausedText.replace(/"eventTime": "[^"]+"/, '"eventTime": "yesterday"');
    expect(() => parseHistoryJson(bad, 'bad.json')).toThrowError(/bad\.json: not a timestamp at history\.events\[0\]\.eventTime/);
  });
});

describe('historyToJson', () => {
  it.each(readdirSync(corpus).filter((f) => f.endsWith('.json')))('%s: written in the CLI JSON format, read back to the same history', (name) => {
    const text = readFileSync(join(corpus, name), 'utf8');
    const history = parseHistoryJson(text, name);
    const written = historyToJson(history);
    expect(JSON.parse(JSON.stringify(parseHistoryJson(written, 'written.json')))).toEqual(JSON.parse(JSON.stringify(history)));
    // The same document `temporal workflow show --output json` wrote, field for field.
    expect(JSON.parse(written)).toEqual(JSON.parse(text));
  });
});

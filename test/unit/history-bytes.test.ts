import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import protoRoot from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { historyFacts } from '../../cli/core/history-facts.js';
import { concat, delimit, historyFactsFromBytes, readHistoryPage } from '../../cli/temporal/history-bytes.js';
import { parseHistoryJson } from '../../cli/temporal/history-json.js';
import { historyFiles } from '../helpers/corpus.js';

const ROOT = join(import.meta.dirname, '..', '..');
const { History } = protoRoot.temporal.api.history.v1;
const { GetWorkflowExecutionHistoryResponse: Response } = protoRoot.temporal.api.workflowservice.v1;

const histories = historyFiles().map((file) => ({ file: relative(ROOT, file), history: parseHistoryJson(readFileSync(file, 'utf8'), file) }));

/** The server's answer for one page of events, encoded as it goes on the wire. */
function page(events: unknown[], nextPageToken?: Uint8Array): Uint8Array {
  return Response.encode(Response.fromObject({ history: { events }, nextPageToken })).finish();
}

describe('history bytes from the server', () => {
  it('finds the corpus and fixture histories', () => {
    expect(histories.length).toBeGreaterThanOrEqual(20);
  });

  it.each(histories.map((h) => [h.file, h.history] as const))('%s: facts from the bytes equal the facts of the decoded history', (_file, history) => {
    const bytes = History.encode(history).finish();
    expect(historyFactsFromBytes(bytes)).toEqual(historyFacts(History.decode(bytes)));
  });

  it('joins pages into the bytes of the whole history, with its length in front', () => {
    const { history } = histories.find((h) => (h.history.events?.length ?? 0) >= 10)!;
    const events = (History.toObject(History.fromObject(history)) as { events: unknown[] }).events;
    const token = new Uint8Array([7, 7, 7]);
    const first = readHistoryPage(page(events.slice(0, 4), token));
    const second = readHistoryPage(page(events.slice(4)));
    expect([...(first.nextPageToken ?? [])]).toEqual([...token]);
    expect(second.nextPageToken).toBeUndefined();
    expect(first.raw || second.raw).toBe(false);
    const delimited = delimit([first.history, second.history]);
    expect(Buffer.from(delimited).equals(Buffer.from(History.encodeDelimited(History.fromObject(history)).finish()))).toBe(true);
    expect(historyFactsFromBytes(concat([first.history, second.history]))).toEqual(historyFacts(history));
  });

  it('says when the server sent raw history blobs instead of events', () => {
    const raw = Response.encode(Response.fromObject({ rawHistory: [{ encodingType: 1, data: new Uint8Array([1, 2]) }] })).finish();
    expect(readHistoryPage(raw)).toMatchObject({ raw: true, history: new Uint8Array(0) });
  });

  it('refuses a history that does not start with WorkflowExecutionStarted, as the decoded path does', () => {
    const { history } = histories[0]!;
    const bytes = History.encode(History.fromObject({ events: history.events!.slice(1) })).finish();
    expect(() => historyFactsFromBytes(bytes)).toThrow(/does not start with WorkflowExecutionStarted/);
    expect(() => historyFacts(History.decode(bytes))).toThrow(/does not start with WorkflowExecutionStarted/);
  });

  it('counts an empty page as no events', () => {
    expect(readHistoryPage(page([]))).toMatchObject({ raw: false });
    expect(() => historyFactsFromBytes(new Uint8Array(0))).toThrow(/does not start/);
  });
});

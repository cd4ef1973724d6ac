import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeJsonStreamingArray, writeJsonStreamingArrays } from './stdout.js';

/** A sink that takes 1 KB before it asks the writer to wait, and drains a tick later. */
function slowSink(): { out: Writable; text: () => string; waits: () => number } {
  const chunks: string[] = [];
  let waits = 0;
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      setImmediate(done);
    },
  });
  out.on('drain', () => waits++);
  return { out, text: () => chunks.join(''), waits: () => waits };
}

async function* generate(n: number): AsyncGenerator<{ i: number; s: string }> {
  for (let i = 0; i < n; i++) yield { i, s: `entry "${i}" \u00e9\n` };
}

describe('writeJsonStreamingArray', () => {
  it.each([0, 1, 5000])('%i items: the JSON writeJson would write, the array streamed', async (n) => {
    const sink = slowSink();
    const head = { schemaVersion: 1, counts: { done: n }, notes: ['a', 'b'], nested: { deep: [] } };
    await writeJsonStreamingArray(head, 'entries', generate(n), sink.out);
    const items = [];
    for await (const item of generate(n)) items.push(item);
    expect(JSON.parse(sink.text())).toEqual({ ...head, entries: items });
    // One item per line, as a journal has them.
    const lines = sink.text().split('\n');
    const open = lines.indexOf('  "entries": [');
    const itemLines = n ? lines.slice(open + 1, lines.indexOf('  ]', open)) : [];
    expect(itemLines.map((l) => JSON.parse(l.trim().replace(/,$/, '')))).toEqual(items);
    // Past the 64 KB mark it waited for the sink instead of buffering it all.
    if (n === 5000) expect(sink.waits()).toBeGreaterThan(0);
  });

  it('an empty head is still one object', async () => {
    const sink = slowSink();
    await writeJsonStreamingArray({}, 'entries', [1, 2], sink.out);
    expect(JSON.parse(sink.text())).toEqual({ entries: [1, 2] });
  });
});

describe('writeJsonStreamingArrays', () => {
  it.each([
    [0, 0],
    [0, 3],
    [4000, 0],
    [3, 4000],
  ])('%i then %i items: both arrays streamed, in the order given, after the head', async (a, b) => {
    const sink = slowSink();
    const head = { schemaVersion: 1, notes: [] };
    await writeJsonStreamingArrays(head, [['wouldChange', generate(a)], ['entries', generate(b)]], sink.out);
    const list = async (n: number) => {
      const out = [];
      for await (const x of generate(n)) out.push(x);
      return out;
    };
    const parsed = JSON.parse(sink.text()) as Record<string, unknown>;
    expect(parsed).toEqual({ ...head, wouldChange: await list(a), entries: await list(b) });
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'notes', 'wouldChange', 'entries']);
  });
});

describe('writeJsonStreamingArray to a reader that went away', () => {
  it('stops reading its items and returns, neither hanging nor throwing', async () => {
    let read = 0;
    async function* many(): AsyncGenerator<number> {
      for (let i = 0; i < 1_000_000; i++) {
        read++;
        yield i;
      }
    }
    const out = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    out.on('error', () => undefined);
    await writeJsonStreamingArray({ a: 1 }, 'entries', many(), out);
    expect(read).toBeLessThan(1_000_000);
  });
});

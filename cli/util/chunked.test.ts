import { describe, expect, it } from 'vitest';
import { chunked } from './chunked.js';

async function* count(n: number, pulled: number[]): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    pulled.push(i);
    yield i;
  }
}

describe('chunked', () => {
  it.each([
    [0, 3, []],
    [2, 3, [[0, 1]]],
    [6, 3, [[0, 1, 2], [3, 4, 5]]],
    [7, 3, [[0, 1, 2], [3, 4, 5], [6]]],
  ])('%i items in chunks of %i', async (n, size, expected) => {
    const out: number[][] = [];
    for await (const c of chunked(count(n, []), size)) out.push(c);
    expect(out).toEqual(expected);
  });

  it('pulls the next chunk only when the one before is taken', async () => {
    const pulled: number[] = [];
    const it = chunked(count(100, pulled), 10)[Symbol.asyncIterator]();
    await it.next();
    expect(pulled.length).toBe(10);
    await it.next();
    expect(pulled.length).toBe(20);
    await it.return?.(undefined);
  });
});

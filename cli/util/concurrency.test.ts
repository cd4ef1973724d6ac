import { describe, expect, it } from 'vitest';
import { mapOrdered } from './concurrency.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapOrdered', () => {
  it('yields in the order of the source, whatever order the calls finish in, with at most `concurrency` in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const out: number[] = [];
    for await (const v of mapOrdered(
      Array.from({ length: 40 }, (_, i) => i),
      async (i) => {
        most = Math.max(most, ++inFlight);
        await sleep((i * 7) % 5); // later items often finish first
        inFlight--;
        return i * 2;
      },
      4,
    )) {
      out.push(v);
    }
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => i * 2));
    expect(most).toBe(4);
  });

  it('throws the first failure in source order, and a later failure still in flight is not unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const seen: number[] = [];
      const run = async () => {
        for await (const v of mapOrdered(
          [0, 1, 2, 3],
          async (i) => {
            if (i === 3) throw new Error('three'); // fails at once, while 1 is still awaited
            await sleep(i === 1 ? 20 : 1);
            if (i === 1) throw new Error('one');
            return i;
          },
          4,
        ))
          seen.push(v);
      };
      await expect(run()).rejects.toThrow('one');
      expect(seen).toEqual([0]);
      await sleep(10);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

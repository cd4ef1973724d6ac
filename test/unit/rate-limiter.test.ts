/** The pacing helpers (nudge, apply, watch): the rate limiter and an abortable sleep that cleans up after itself. */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { RateLimiter, sleep } from '../../cli/util/rate.js';

describe('RateLimiter', () => {
  it('32 callers waiting on one signal add at most one abort listener, and all may go', async () => {
    const limiter = new RateLimiter(2000);
    const controller = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const takes = Array.from({ length: 32 }, () => limiter.take(controller.signal));
      let most = 0;
      for (let i = 0; i < 40; i++) {
        most = Math.max(most, getEventListeners(controller.signal, 'abort').length);
        await new Promise((r) => setImmediate(r));
      }
      expect(await Promise.all(takes)).toEqual(Array.from({ length: 32 }, () => true));
      expect(most).toBeLessThanOrEqual(1);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('once aborted, every waiting caller is told not to go', async () => {
    const limiter = new RateLimiter(1);
    const controller = new AbortController();
    const takes = Array.from({ length: 5 }, () => limiter.take(controller.signal));
    controller.abort();
    expect(await Promise.all(takes)).toEqual([false, false, false, false, false]);
  });
});

describe('sleep', () => {
  it('a poll loop of 20 sleeps on one signal leaves no abort listener behind (apply waiting on a batch warned at 11)', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await sleep(1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('ends at once when the signal aborts', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await slept;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

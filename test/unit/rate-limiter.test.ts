/** The rate limiter (nudge, apply): many callers waiting at once hold one abort listener, not one each. */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../cli/util/rate.js';

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

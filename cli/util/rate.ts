/** Pacing for calls to the server: at most `perSecond` a second, however many callers wait. */

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Spaces calls `1/rps` seconds apart. Callers queue behind one another and only the first in line
 * sleeps: one abort listener on `signal`, not one per waiting caller (16 at once made Node print
 * MaxListenersExceededWarning).
 */
export class RateLimiter {
  private next = 0;
  private line: Promise<void> = Promise.resolve();
  constructor(private readonly rps: number) {}
  /** Resolves when the caller may go; false if `signal` aborted first. */
  async take(signal?: AbortSignal): Promise<boolean> {
    const turn = this.line.then(async () => {
      const now = Date.now();
      const slot = Math.max(now, this.next);
      this.next = slot + 1000 / this.rps;
      if (slot > now) await sleep(slot - now, signal);
    });
    this.line = turn;
    await turn;
    return !signal?.aborted;
  }
}

/** `await limit()` before each request: at most `perSecond` a second. */
export function rateLimiter(perSecond: number): () => Promise<void> {
  const limiter = new RateLimiter(perSecond);
  return async () => {
    await limiter.take();
  };
}

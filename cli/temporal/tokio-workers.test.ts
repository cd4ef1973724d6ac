import { afterEach, describe, expect, it } from 'vitest';
import { withOneTokioWorker } from './tokio-workers.js';

const seenDuringInstall = (lock: SharedArrayBuffer, waitMs?: number): string | undefined => {
  let seen: string | undefined;
  withOneTokioWorker(lock, () => (seen = process.env['TOKIO_WORKER_THREADS']), waitMs);
  return seen;
};

describe('withOneTokioWorker', () => {
  afterEach(() => {
    delete process.env['TOKIO_WORKER_THREADS'];
  });

  it('sets 1 while the runtime starts, then removes it and releases the lock', () => {
    const lock = new SharedArrayBuffer(4);
    expect(seenDuringInstall(lock)).toBe('1');
    expect(process.env['TOKIO_WORKER_THREADS']).toBeUndefined();
    expect(Atomics.load(new Int32Array(lock), 0)).toBe(0);
  });

  it("keeps the user's value", () => {
    process.env['TOKIO_WORKER_THREADS'] = '3';
    expect(seenDuringInstall(new SharedArrayBuffer(4))).toBe('3');
    expect(process.env['TOKIO_WORKER_THREADS']).toBe('3');
  });

  it('removes the variable and releases the lock when the runtime fails to start', () => {
    const lock = new SharedArrayBuffer(4);
    expect(() =>
      withOneTokioWorker(lock, () => {
        throw new Error('already installed');
      }),
    ).toThrow('already installed');
    expect(process.env['TOKIO_WORKER_THREADS']).toBeUndefined();
    expect(Atomics.load(new Int32Array(lock), 0)).toBe(0);
  });

  it('a lock never released (its thread was terminated) delays the start by waitMs, and stays held', () => {
    const lock = new SharedArrayBuffer(4);
    Atomics.store(new Int32Array(lock), 0, 1);
    const started = Date.now();
    expect(seenDuringInstall(lock, 300)).toBe('1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Atomics.load(new Int32Array(lock), 0)).toBe(1);
  });
});

/**
 * Starts this thread's Temporal runtime with one tokio worker thread, not one per core: its replay
 * worker replays one history at a time, and on 2 cores the extra tokio threads of every replay
 * thread only compete (10k check: 0.97x wall). Tokio reads TOKIO_WORKER_THREADS as the runtime
 * starts; the thread shares the process environment (replay-thread-pool.ts), so the variable is
 * there only while the runtime starts, and a value the user set is kept.
 */
export function withOneTokioWorker(envLock: SharedArrayBuffer, install: () => void, waitMs = 5_000): void {
  // Threads start side by side: without the lock, a second thread could take the first one's '1'
  // for the user's value, and then start its runtime after the first had removed it.
  // Bounded: a thread ended while holding it (terminate skips `finally`) costs the others at most
  // tokio's default thread count, never a hang.
  const lock = new Int32Array(envLock);
  const deadline = Date.now() + waitMs;
  let held = false;
  while (!(held = Atomics.compareExchange(lock, 0, 0, 1) === 0) && Date.now() < deadline) Atomics.wait(lock, 0, 1, 100);
  try {
    if (process.env['TOKIO_WORKER_THREADS'] !== undefined) return install();
    process.env['TOKIO_WORKER_THREADS'] = '1';
    try {
      install();
    } finally {
      delete process.env['TOKIO_WORKER_THREADS'];
    }
  } finally {
    if (held) {
      Atomics.store(lock, 0, 0);
      Atomics.notify(lock, 0);
    }
  }
}


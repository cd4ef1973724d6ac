/** Connects tests to the run's real Temporal server (started by test/setup/temporal-server.ts). */
import { inject } from 'vitest';
import { connect, resolveConnection, type TemporalHandle } from '../../cli/temporal/connection.js';

export function serverAddress(): { address: string; namespace: string } {
  return { address: inject('temporalAddress'), namespace: inject('temporalNamespace') };
}

export async function connectTest(): Promise<TemporalHandle> {
  const { address, namespace } = serverAddress();
  return connect(resolveConnection({ address, namespace }, {}));
}

/** Polls `fn` until it returns a truthy value, or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

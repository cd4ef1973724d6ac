/**
 * Counts the array elements the built-in array methods visit while `fn` runs: every step of an
 * array iterator (spread, for-of, Array.from, destructuring) and the length of every array that
 * slice / concat / filter / map / includes / find / ... walk. A copy-per-item or a search inside a
 * loop over n items shows as ~n^2 visits; a linear step as ~n. A count, not a time, so a scaling
 * test built on it gives the same answer on a busy machine.
 */
// shift / unshift / splice: V8 moves the whole backing store of a large array on each call.
const WALKING = ['slice', 'concat', 'filter', 'map', 'forEach', 'some', 'every', 'find', 'findIndex', 'includes', 'indexOf', 'reduce', 'flatMap', 'shift', 'unshift', 'splice'];

export async function countArrayWork(fn: () => unknown): Promise<number> {
  let visits = 0;
  const proto = Array.prototype as unknown as Record<string | symbol, unknown>;
  const originals = new Map<string | symbol, unknown>();
  const values = Array.prototype[Symbol.iterator];
  originals.set(Symbol.iterator, values);
  proto[Symbol.iterator] = function (this: unknown[]) {
    const it = values.call(this);
    return {
      next() {
        visits++;
        return it.next();
      },
      [Symbol.iterator]() {
        return this;
      },
    };
  };
  for (const name of WALKING) {
    const original = proto[name] as (...args: unknown[]) => unknown;
    originals.set(name, original);
    proto[name] = function (this: unknown[], ...args: unknown[]) {
      visits += this.length;
      if (name === 'concat') for (let i = 0; i < args.length; i++) if (Array.isArray(args[i])) visits += (args[i] as unknown[]).length;
      return original.apply(this, args);
    };
  }
  try {
    // A synchronous step is counted without yielding, so nothing else running meanwhile is counted.
    visits = 0; // not the patching above
    const result = fn();
    if (result instanceof Promise) await result;
    return visits;
  } finally {
    for (const [name, original] of originals) proto[name] = original;
  }
}

/**
 * visits(4n) / visits(n) of the step `prepare(n)` returns (its input is built outside the count):
 * ~4 for a linear step, ~16 for a quadratic one.
 */
export async function growth(prepare: (n: number) => () => unknown, n: number): Promise<{ small: number; large: number; ratio: number }> {
  const small = await countArrayWork(prepare(n));
  const large = await countArrayWork(prepare(4 * n));
  return { small, large, ratio: large / Math.max(1, small) };
}

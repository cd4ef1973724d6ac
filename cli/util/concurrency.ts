/**
 * Maps an async source with at most `concurrency` calls in flight, yielding results as they
 * complete. The source is pulled only when a slot frees up, so memory stays bounded by
 * `concurrency` however long the source is.
 */
export async function* mapConcurrent<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  fn: (item: T) => Promise<R>,
  concurrency: number,
  signal?: AbortSignal,
): AsyncGenerator<R> {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  const inFlight = new Map<number, Promise<{ id: number; value: R }>>();
  let nextId = 0;
  let done = false;
  const fill = async (): Promise<void> => {
    while (!done && inFlight.size < concurrency && !signal?.aborted) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      const id = nextId++;
      inFlight.set(id, fn(next.value).then((value) => ({ id, value })));
    }
  };
  try {
    await fill();
    while (inFlight.size > 0) {
      const { id, value } = await Promise.race(inFlight.values());
      inFlight.delete(id);
      yield value;
      await fill();
    }
  } finally {
    // Let in-flight calls settle quietly if the consumer stopped early.
    for (const p of inFlight.values()) p.catch(() => undefined);
    await iterator.return?.();
  }
}

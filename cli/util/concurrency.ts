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

/**
 * As mapConcurrent, yielding in the order of the source: a result waits for those before it, so
 * at most `concurrency` results are held.
 */
export async function* mapOrdered<T, R>(source: AsyncIterable<T> | Iterable<T>, fn: (item: T) => Promise<R>, concurrency: number): AsyncGenerator<R> {
  const queue: Promise<R>[] = [];
  const start = (item: T): void => {
    const call = fn(item);
    call.catch(() => undefined); // awaited in its turn; until then a failure is not unhandled
    queue.push(call);
  };
  try {
    for await (const item of source) {
      start(item);
      if (queue.length >= concurrency) yield await (queue.shift() as Promise<R>);
    }
    while (queue.length > 0) yield await (queue.shift() as Promise<R>);
  } finally {
    queue.length = 0;
  }
}

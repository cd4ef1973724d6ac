/**
 * JSON and text written to a stream with backpressure: a long document (a report, a plan of
 * 100,000 executions) is never built whole as one string.
 */
import type { Writable } from 'node:stream';

/** Waits until the sink takes more. */
export async function writeWithBackpressure(out: Writable, text: string): Promise<void> {
  if (out.destroyed || out.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    out.on('drain', done).on('close', done).on('error', done);
  });
}

/**
 * `value` as `JSON.stringify(value, null, 2)` writes it, with more keys last whose arrays are
 * streamed from their items, one item per line, in the order given: memory stays that of one
 * item, however many there are.
 */
export async function writeJsonStreamingArrays(
  value: Record<string, unknown>,
  arrays: [key: string, items: AsyncIterable<unknown> | Iterable<unknown>][],
  out: Writable,
): Promise<void> {
  const head = JSON.stringify(value, null, 2);
  let text = head.slice(0, head.lastIndexOf('}')).trimEnd();
  let keys = Object.keys(value).length;
  for (const [key, items] of arrays) {
    text += `${keys++ ? ',' : ''}\n  ${JSON.stringify(key)}: [`;
    let first = true;
    for await (const item of items) {
      if (out.destroyed) return; // the reader went away: nothing more to read out for it
      text += `${first ? '' : ','}\n    ${JSON.stringify(item)}`;
      first = false;
      if (text.length >= 64 * 1024) {
        await writeWithBackpressure(out, text);
        text = '';
      }
    }
    text += `${first ? '' : '\n  '}]`;
  }
  await writeWithBackpressure(out, `${text}\n}\n`);
}

/** Text from `chunks` as it comes. */
export async function writeStreaming(chunks: AsyncIterable<string>, out: Writable): Promise<void> {
  let text = '';
  for await (const chunk of chunks) {
    if (out.destroyed) return;
    text += chunk;
    if (text.length >= 64 * 1024) {
      await writeWithBackpressure(out, text);
      text = '';
    }
  }
  if (text) await writeWithBackpressure(out, text);
}

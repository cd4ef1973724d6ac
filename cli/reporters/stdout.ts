/** The one sink for data output. Reporters call it; nothing else in the CLI writes to stdout. */
import type { Writable } from 'node:stream';

// A reader that stops early (`safe-deploy ... | head`) closes the pipe: not a failure of ours, and
// the exit code stays the command's. Anything else is still thrown.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

export function writeStdout(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function writeJson(value: unknown): void {
  writeStdout(JSON.stringify(value, null, 2));
}

/** Waits until the sink takes more: a long stream written with backpressure, not buffered whole. */
async function writeWithBackpressure(out: Writable, text: string): Promise<void> {
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
 * `value` as writeJson writes it, with one more key last whose array is streamed from `items`,
 * one item per line: memory stays that of one item, however many there are.
 */
export async function writeJsonStreamingArray(
  value: Record<string, unknown>,
  key: string,
  items: AsyncIterable<unknown> | Iterable<unknown>,
  out: Writable = process.stdout,
): Promise<void> {
  return writeJsonStreamingArrays(value, [[key, items]], out);
}

/** As writeJsonStreamingArray, with several streamed arrays last, in the order given. */
export async function writeJsonStreamingArrays(
  value: Record<string, unknown>,
  arrays: [key: string, items: AsyncIterable<unknown> | Iterable<unknown>][],
  out: Writable = process.stdout,
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

/** Text from `chunks` as it comes, written with backpressure: a long report is never built whole. */
export async function writeStreaming(chunks: AsyncIterable<string>, out: Writable = process.stdout): Promise<void> {
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

/** The one sink for data output. Reporters call it; nothing else in the CLI writes to stdout. */
import type { Writable } from 'node:stream';
import { writeJsonStreamingArrays as streamJson, writeStreaming as streamText } from '../util/json-stream.js';

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

/**
 * `value` as writeJson writes it, with one more key last whose array is streamed from `items`,
 * one item per line: memory stays that of one item, however many there are.
 */
export async function writeJsonStreamingArray(value: Record<string, unknown>, key: string, items: AsyncIterable<unknown> | Iterable<unknown>, out: Writable = process.stdout): Promise<void> {
  return writeJsonStreamingArrays(value, [[key, items]], out);
}

/** As writeJsonStreamingArray, with several streamed arrays last, in the order given. */
export async function writeJsonStreamingArrays(value: Record<string, unknown>, arrays: [key: string, items: AsyncIterable<unknown> | Iterable<unknown>][], out: Writable = process.stdout): Promise<void> {
  return streamJson(value, arrays, out);
}

/** Text from `chunks` as it comes, written with backpressure: a long report is never built whole. */
export async function writeStreaming(chunks: AsyncIterable<string>, out: Writable = process.stdout): Promise<void> {
  return streamText(chunks, out);
}

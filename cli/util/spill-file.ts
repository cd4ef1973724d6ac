/**
 * Records a run keeps on disk instead of in memory: appended as one JSON line each, read back a
 * line at a time, in a private temporary folder removed when the run is done with them. What lets
 * a command walk 100,000 executions several times with the memory of a few.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export class SpillFile<T> {
  private out: WriteStream | undefined;
  private failure: Error | undefined;
  /** One wait for 'drain' shared by every writer that found the buffer full (one listener, not one each). */
  private drained: Promise<unknown> | undefined;
  /** Records appended so far. */
  count = 0;

  constructor(readonly path: string) {}

  /** Safe to call from concurrent tasks: writes keep their call order; a full buffer makes each wait. */
  async append(record: T): Promise<void> {
    if (this.write(record) || !this.out) return;
    this.drained ??= once(this.out, 'drain').finally(() => (this.drained = undefined));
    await this.drained;
  }

  /**
   * For a caller that cannot wait: the record is queued in order like append's, without waiting
   * for a full buffer (use it where records come no faster than server calls). False when the
   * buffer is full; a write that failed is thrown by the next append or write, or by close.
   */
  write(record: T): boolean {
    if (this.failure) throw this.failure;
    if (!this.out) {
      this.out = createWriteStream(this.path, { flags: 'a' });
      this.out.on('error', (err) => (this.failure = err));
    }
    this.count++;
    return this.out.write(JSON.stringify(record) + '\n');
  }

  /** Flushes what was appended; reading needs it. Appending again after it adds to the file. */
  async close(): Promise<void> {
    const out = this.out;
    this.out = undefined;
    if (out) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (this.failure) throw this.failure;
  }

  /** The records in the order they were appended, read as they are consumed. */
  async *read(): AsyncGenerator<T> {
    if (this.out) throw new Error(`spill file ${this.path} is still open for writing`);
    if (this.count === 0) return;
    const lines = createInterface({ input: createReadStream(this.path), crlfDelay: Infinity });
    try {
      for await (const line of lines) if (line) yield JSON.parse(line) as T;
    } finally {
      lines.close();
    }
  }

  /** Empties it: a file read through once and not needed again. */
  async remove(): Promise<void> {
    await this.close();
    rmSync(this.path, { force: true });
    this.count = 0;
  }
}

export class SpillDir {
  private constructor(readonly path: string) {}

  static create(prefix: string): SpillDir {
    return new SpillDir(mkdtempSync(join(tmpdir(), prefix)));
  }

  file<T>(name: string): SpillFile<T> {
    return new SpillFile<T>(join(this.path, `${name}.jsonl`));
  }

  dispose(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

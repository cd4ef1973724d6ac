/**
 * A set that only counts: it remembers a 48-bit digest of each key, not the key (a number of a
 * few bytes, not a string of ~80), for counting distinct executions across rounds at 100,000.
 * Two keys share a digest with odds of about n^2 / 2^49: at 100,000, one in 56,000 that the count
 * is one short.
 */
import { createHash } from 'node:crypto';

export class DigestSet {
  private readonly digests = new Set<number>();

  private static digest(key: string): number {
    return createHash('sha1').update(key).digest().readUIntBE(0, 6);
  }

  add(key: string): void {
    this.digests.add(DigestSet.digest(key));
  }

  has(key: string): boolean {
    return this.digests.has(DigestSet.digest(key));
  }

  get size(): number {
    return this.digests.size;
  }
}

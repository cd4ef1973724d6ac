/**
 * `--shard i/n`: split a set of executions across a CI matrix. Membership depends only on the
 * execution's identity (not on listing order, which visibility does not guarantee), so every
 * execution lands in exactly one shard however the list comes back.
 */

export interface Shard {
  /** 1-based, like vitest's and the CI matrix's numbering. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw new Error(`invalid shard "${text}": expected i/n with 1 <= i <= n, e.g. 2/4`);
  }
  return { index, count };
}

/**
 * FNV-1a, 32-bit, then murmur3's finaliser: FNV alone leaves its low bits as the XOR of the
 * characters' low bits, so IDs that repeat their digits (`wf-7/run-7`) would all share a shard.
 */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function inShard(workflowId: string, runId: string, shard: Shard | undefined): boolean {
  if (!shard || shard.count === 1) return true;
  return hash32(`${workflowId}/${runId}`) % shard.count === shard.index - 1;
}

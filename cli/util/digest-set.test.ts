import { describe, expect, it } from 'vitest';
import { DigestSet } from './digest-set.js';

describe('DigestSet', () => {
  it('counts distinct keys, however often each is added', () => {
    const set = new DigestSet();
    for (let round = 0; round < 3; round++) for (let i = 0; i < 20_000; i++) set.add(`wf-${i}\u0000run-${i % 7}`);
    expect(set.size).toBe(20_000);
    expect(set.has('wf-5\u0000run-5')).toBe(true);
    expect(set.has('wf-5\u0000run-6')).toBe(false);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SpillDir } from './spill-file.js';

/** Array.fromAsync is Node 22's. */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

describe('SpillFile', () => {
  let dir: SpillDir | undefined;
  afterEach(() => dir?.dispose());

  it('reads back what concurrent appends wrote, in call order, one JSON line each', async () => {
    dir = SpillDir.create('safe-deploy-spill-test-');
    const file = dir.file<{ i: number; id: string }>('records');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    // Far more writers than the buffer holds: they all wait for the same drain.
    await Promise.all(Array.from({ length: 5000 }, (_, i) => file.append({ i, id: `wf-${i}\n"quoted"` })));
    await file.close();
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
    expect(file.count).toBe(5000);
    expect(readFileSync(file.path, 'utf8').split('\n')).toHaveLength(5001);
    const back: number[] = [];
    for await (const r of file.read()) {
      expect(r.id).toBe(`wf-${r.i}\n"quoted"`);
      back.push(r.i);
    }
    expect(back).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('write queues without waiting, in order with appends; closed and written again, it adds to the file', async () => {
    dir = SpillDir.create('safe-deploy-spill-test-');
    const file = dir.file<number>('mixed');
    let full = false;
    for (let i = 0; i < 3000; i++) full = !file.write(i * 1000) || full;
    expect(full).toBe(true); // past the buffer: it says so, and still queues
    await file.append(3000 * 1000);
    await file.close();
    expect(await collect(file.read())).toEqual(Array.from({ length: 3001 }, (_, i) => i * 1000));
    file.write(3001 * 1000);
    await file.close();
    expect(file.count).toBe(3002);
    expect((await collect(file.read())).slice(-2)).toEqual([3000 * 1000, 3001 * 1000]);
  });

  it('refuses to be read while open for writing, and reads nothing when empty', async () => {
    dir = SpillDir.create('safe-deploy-spill-test-');
    const empty = dir.file('empty');
    expect(await collect(empty.read())).toEqual([]);
    const open = dir.file<number>('open');
    await open.append(1);
    await expect(collect(open.read())).rejects.toThrow(/still open/);
    await open.remove();
    expect(existsSync(open.path)).toBe(false);
    expect(open.count).toBe(0);
  });

  it('a reader that stops early lets go of the file', async () => {
    dir = SpillDir.create('safe-deploy-spill-test-');
    const file = dir.file<number>('n');
    for (let i = 0; i < 100; i++) await file.append(i);
    await file.close();
    for await (const n of file.read()) if (n === 3) break;
    expect((await collect(file.read())).length).toBe(100);
  });

  it('the folder goes with dispose', () => {
    dir = SpillDir.create('safe-deploy-spill-test-');
    const path = dir.path;
    expect(existsSync(path)).toBe(true);
    dir.dispose();
    expect(existsSync(path)).toBe(false);
  });
});

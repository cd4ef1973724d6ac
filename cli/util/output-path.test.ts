import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { assertWritableFolders, assertWritableOutputs } from './output-path.js';

const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-output-path-'));

function refusal(flag: string, path: string): string {
  try {
    assertWritableOutputs([[flag, path]]);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).message;
  }
  throw new Error(`${path} was accepted`);
}

describe('assertWritableOutputs', () => {
  it('accepts a new file in a folder that exists, an existing file, and flags not given', () => {
    writeFileSync(join(dir, 'old.xml'), '');
    expect(() =>
      assertWritableOutputs([
        ['--junit', join(dir, 'new.xml')],
        ['--markdown', join(dir, 'old.xml')],
        ['--out', undefined],
        ['--out', 'relative-in-cwd.json'],
      ]),
    ).not.toThrow();
  });

  it('refuses a missing folder, a folder given as the file, and a file given as the folder, naming the flag', () => {
    expect(refusal('--junit', join(dir, 'missing', 'r.xml'))).toMatch(/^--junit .*missing.*: the folder .* does not exist/);
    mkdirSync(join(dir, 'sub'));
    expect(refusal('--out', join(dir, 'sub'))).toMatch(/^--out .*sub is a folder, not a file/);
    writeFileSync(join(dir, 'file'), '');
    expect(refusal('--plan-out', join(dir, 'file', 'plan.json'))).toMatch(/is not a folder/);
  });
});

describe('assertWritableFolders', () => {
  it('accepts a folder that exists, one that can be made (several levels), and flags not given', () => {
    expect(() => assertWritableFolders([['--cache-dir', dir], ['--out', join(dir, 'a', 'b', 'c')], ['--cache-dir', undefined]])).not.toThrow();
  });

  it('refuses a file, or a path through a file, naming the flag and the file in the way', () => {
    writeFileSync(join(dir, 'in-the-way'), '');
    expect(() => assertWritableFolders([['--cache-dir', join(dir, 'in-the-way')]])).toThrow(/^--cache-dir .*in-the-way: .*in-the-way is a file, not a folder/);
    expect(() => assertWritableFolders([['--out', join(dir, 'in-the-way', 'corpus')]])).toThrow(UsageError);
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { assertWritableOutputs } from './output-path.js';

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

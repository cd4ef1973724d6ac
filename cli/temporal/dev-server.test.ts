import { describe, expect, it } from 'vitest';
import { isServerVersionSupported, parseServerVersion } from './dev-server.js';

describe('Temporal CLI version checks', () => {
  it.each([
    ['temporal version 1.8.2 (Server 1.31.2, UI 2.50.1)', [1, 31, 2], true],
    ['temporal version 0.0.0-DEV (Server 1.31.2, UI 2.50.1)', [1, 31, 2], true],
    ['temporal version 1.5.1 (Server 1.29.1, UI 2.39.0)', [1, 29, 1], false],
    ['temporal version 2.0.0 (Server 2.0.0, UI 3.0.0)', [2, 0, 0], true],
  ])('%s', (output, version, supported) => {
    expect(parseServerVersion(output)).toEqual(version);
    expect(isServerVersionSupported(parseServerVersion(output) ?? [])).toBe(supported);
  });

  it('does not guess a version it cannot read', () => {
    expect(parseServerVersion('temporal: command not found')).toBeUndefined();
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../paths.js';
import { isServerVersionSupported, MIN_SERVER_VERSION, parsePinnedServerVersion, parseServerVersion } from './dev-server.js';

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

  it('reads the server version the wrapper module pins, and holds our own build to it', () => {
    expect(parsePinnedServerVersion('require (\n\tgo.temporal.io/sdk v1.38.0 // indirect\n\tgo.temporal.io/server v1.32.2 // indirect\n)')).toEqual([1, 32, 2]);
    expect(parsePinnedServerVersion('require go.temporal.io/server v1.33.0')).toEqual([1, 33, 0]);
    expect(parsePinnedServerVersion('require go.temporal.io/server/extra v9.9.9')).toBeUndefined();
    const pinned = parsePinnedServerVersion(readFileSync(join(packageRoot(), 'tools', 'temporal-cli', 'go.mod'), 'utf8'));
    expect(pinned).toBeDefined();
    expect(isServerVersionSupported(pinned ?? [], MIN_SERVER_VERSION)).toBe(true);
    // A build of an earlier pin is older than the pin: rebuilt, though it is still >= the minimum.
    expect(isServerVersionSupported([1, 32, 0], [1, 32, 2])).toBe(false);
    expect(isServerVersionSupported([1, 32, 0])).toBe(true);
  });
});

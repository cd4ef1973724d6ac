import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConnection, resolveConnection } from '../../cli/temporal/connection.js';

const pemDir = mkdtempSync(join(tmpdir(), 'safe-deploy-pem-'));
const pem = (name: string, text = `-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n`) => {
  const file = join(pemDir, name);
  writeFileSync(file, text);
  return file;
};

const configFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-profile-'));
  const file = join(dir, 'temporal.toml');
  writeFileSync(
    file,
    [
      '[profile.default]',
      'address = "file-default:7233"',
      'namespace = "file-ns"',
      '',
      '[profile.cloud]',
      'address = "acme.tmprl.cloud:7233"',
      'namespace = "acme.prod"',
      'api_key = "file-secret-key"',
    ].join('\n'),
  );
  return file;
};

describe('resolveConnection: flags beat environment beat the config file', () => {
  it.each([
    { scenario: 'nothing given: the local default', flags: {}, env: {}, expected: { address: '127.0.0.1:7233', namespace: 'default', auth: 'none' } },
    {
      scenario: 'the file profile alone',
      flags: { configFile: 'FILE' },
      env: {},
      expected: { address: 'file-default:7233', namespace: 'file-ns', auth: 'none' },
    },
    {
      scenario: 'environment over the file',
      flags: { configFile: 'FILE' },
      env: { TEMPORAL_ADDRESS: 'env:7233' },
      expected: { address: 'env:7233', namespace: 'file-ns', auth: 'none' },
    },
    {
      scenario: 'flags over environment',
      flags: { configFile: 'FILE', address: 'flag:7233', namespace: 'flag-ns' },
      env: { TEMPORAL_ADDRESS: 'env:7233', TEMPORAL_NAMESPACE: 'env-ns' },
      expected: { address: 'flag:7233', namespace: 'flag-ns', auth: 'none' },
    },
    {
      scenario: 'a named profile with an API key (Temporal Cloud)',
      flags: { configFile: 'FILE', profile: 'cloud' },
      env: {},
      expected: { address: 'acme.tmprl.cloud:7233', namespace: 'acme.prod', auth: 'api-key' },
    },
    {
      scenario: 'TEMPORAL_PROFILE picks the profile',
      flags: { configFile: 'FILE' },
      env: { TEMPORAL_PROFILE: 'cloud' },
      expected: { address: 'acme.tmprl.cloud:7233', namespace: 'acme.prod', auth: 'api-key' },
    },
    {
      scenario: 'mTLS from flags',
      flags: { tlsCertPath: pem('c.pem'), tlsKeyPath: pem('k.pem') },
      env: {},
      expected: { address: '127.0.0.1:7233', namespace: 'default', auth: 'mtls' },
    },
    {
      scenario: 'an empty variable counts as unset',
      flags: {},
      env: { TEMPORAL_API_KEY: '', TEMPORAL_ADDRESS: '' },
      expected: { address: '127.0.0.1:7233', namespace: 'default', auth: 'none' },
    },
  ])('$scenario', ({ flags, env, expected }) => {
    const file = configFile();
    const resolved = resolveConnection(
      { ...flags, ...('configFile' in flags ? { configFile: file } : { configFile: join(tmpdir(), 'no-such-temporal.toml') }) },
      env,
    );
    expect(describeConnection(resolved)).toEqual(expected);
  });

  it('takes the API key from a flag over the environment, and never shows it in the description', () => {
    const resolved = resolveConnection({ apiKey: 'flag-secret', configFile: join(tmpdir(), 'none.toml') }, { TEMPORAL_API_KEY: 'env-secret' });
    expect(resolved.profile.apiKey).toBe('flag-secret');
    expect(JSON.stringify(describeConnection(resolved))).not.toMatch(/secret/);
  });

  it.each([
    ['a missing client certificate', () => ({ tlsCertPath: join(pemDir, 'nope.pem'), tlsKeyPath: pem('k2.pem') }), /TLS client certificate file .*nope\.pem does not exist/],
    ['a missing CA file', () => ({ tlsCaPath: '/nonexistent/ca.pem' }), /TLS server CA certificate file \/nonexistent\/ca\.pem does not exist/],
    ['a key that is not PEM', () => ({ tlsCertPath: pem('c3.pem'), tlsKeyPath: pem('garbage.key', 'garbage') }), /TLS client key file .*garbage\.key is not a PEM file/],
  ])('refuses %s as a config error naming the path (exit 2)', (_name, flags, message) => {
    let err: unknown;
    try {
      resolveConnection({ ...flags(), configFile: join(tmpdir(), 'none.toml') }, {});
    } catch (e) {
      err = e;
    }
    expect(String((err as Error)?.message)).toMatch(message);
    expect((err as { exitCode?: number }).exitCode).toBe(2);
  });

  it('refuses a client certificate without its key', () => {
    expect(() => resolveConnection({ tlsCertPath: '/c.pem' }, {})).toThrow(/both a client certificate and a client key/);
  });
});

/** Connection mistakes against the real (plain, non-TLS) local server: each says what is wrong. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { serverAddress } from '../helpers/temporal.js';

describe('connecting with TLS to a server that does not speak it', () => {
  it('an API key (which turns TLS on) against the plain dev server: exit 3, and the hint says so', async () => {
    const { address, namespace } = serverAddress();
    const r = await runCli(['status', '--deployment', 'any', '--address', address, '--namespace', namespace, '--output', 'json'], { env: { TEMPORAL_API_KEY: 'not-a-real-key' } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/TLS is on .*does this server speak TLS\? a local dev server does not/);
    expect(r.stderr).not.toContain('not-a-real-key');
  });
});

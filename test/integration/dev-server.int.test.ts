/** `safe-deploy dev-server`: starts a real server on 127.0.0.1, prints where, stops on Ctrl-C. */
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { execa, type ResultPromise } from 'execa';
import { expect, it } from 'vitest';
import { freePort } from '../../cli/temporal/dev-server.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'safe-deploy.js');

/** The JSON document `dev-server --output json` prints once the server is up. */
function readyDocument(child: ResultPromise): Promise<{ address: string; namespace: string; schemaVersion: number }> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        resolve(JSON.parse(out));
      } catch {
        // not the whole document yet
      }
    });
    void child.then((r) => reject(new Error(`dev-server exited early: ${String(r.stderr)}`)));
  });
}

it('serves on the given port until interrupted, then exits 0', async () => {
  const port = await freePort();
  const child = execa('node', [bin, 'dev-server', '--port', String(port), '--output', 'json'], { reject: false });
  const ready = await readyDocument(child);
  expect(ready).toMatchObject({ schemaVersion: 1, address: `127.0.0.1:${port}`, namespace: 'default' });

  const connection = await Connection.connect({ address: ready.address });
  const info = await connection.workflowService.getSystemInfo({});
  expect(info.serverVersion).toMatch(/^1\.(3[1-9]|[4-9]\d)\./);
  await connection.close();

  child.kill('SIGINT');
  const result = await child;
  expect(result.exitCode).toBe(0);
  await expect(Connection.connect({ address: ready.address, connectTimeout: 1_000 })).rejects.toThrow();
});

it('from an installed package (no build script), uses the `temporal` found on PATH', async () => {
  const { shippedCopy } = await import('../helpers/shipped.js');
  const { mkdtempSync, symlinkSync, realpathSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { dirname } = await import('node:path');
  const pkg = await shippedCopy();
  const pathDir = mkdtempSync(join(tmpdir(), 'safe-deploy-path-'));
  symlinkSync(realpathSync(join(import.meta.dirname, '..', '..', '.tools', 'bin', 'temporal')), join(pathDir, 'temporal'));
  const port = await freePort();
  const child = execa('node', [join(pkg, 'bin', 'safe-deploy.js'), 'dev-server', '--port', String(port), '--output', 'json'], {
    reject: false,
    env: { PATH: `${pathDir}:${dirname(process.execPath)}`, HOME: process.env.HOME ?? '/tmp' },
    extendEnv: false,
  });
  const ready = await readyDocument(child);
  expect(ready.address).toBe(`127.0.0.1:${port}`);
  const connection = await Connection.connect({ address: ready.address });
  expect((await connection.workflowService.getSystemInfo({})).serverVersion).toMatch(/^1\.(3[1-9]|[4-9]\d)\./);
  await connection.close();
  child.kill('SIGINT');
  expect((await child).exitCode).toBe(0);
});

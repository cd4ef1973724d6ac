/** `safe-deploy dev-server`: starts a real server on 127.0.0.1, prints where, stops on Ctrl-C. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { execa, type ResultPromise } from 'execa';
import { expect, it, vi } from 'vitest';
import { freePort } from '../../cli/temporal/dev-server.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'safe-deploy.js');

/** The JSON document `dev-server --output json` prints once the server is up. */
function readyDocument(
  child: ResultPromise,
): Promise<{ address: string; namespace: string; schemaVersion: number; dbFilename: string; dbKept: boolean }> {
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

  // No --db-filename: the data lives in a folder of the server's own, gone once it stops.
  expect(ready.dbKept).toBe(false);
  expect(existsSync(ready.dbFilename)).toBe(true);

  child.kill('SIGINT');
  const result = await child;
  expect(result.exitCode).toBe(0);
  await expect(Connection.connect({ address: ready.address, connectTimeout: 1_000 })).rejects.toThrow();
  expect(existsSync(dirname(ready.dbFilename))).toBe(false);
});

it('keeps the --db-filename it was given, and removes its own data even when stopped during start-up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-dev-kept-'));
  try {
    const db = join(dir, 'kept.db');
    const kept = execa('node', [bin, 'dev-server', '--db-filename', db, '--output', 'json'], { reject: false });
    const ready = await readyDocument(kept);
    expect(ready).toMatchObject({ dbFilename: db, dbKept: true });
    kept.kill('SIGINT');
    expect((await kept).exitCode).toBe(0);
    expect(existsSync(db)).toBe(true);

    // Ctrl-C before the server is up: it is started, stopped and its folder removed; exit 130.
    const scratch = join(dir, 'tmp');
    mkdirSync(scratch);
    const early = execa('node', [bin, 'dev-server', '--output', 'json'], { reject: false, env: { TMPDIR: scratch } });
    await vi.waitFor(() => expect(readdirSync(scratch).some((f) => f.startsWith('safe-deploy-dev-'))).toBe(true), {
      timeout: 30_000,
      interval: 20,
    });
    early.kill('SIGINT');
    const result = await early;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('interrupted while the Temporal dev server started');
    expect(readdirSync(scratch).filter((f) => f.startsWith('safe-deploy-dev-'))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('from an installed package (no build script), uses the `temporal` found on PATH', async () => {
  const { shippedCopy } = await import('../helpers/shipped.js');
  const { symlinkSync, realpathSync } = await import('node:fs');
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

it('a --port already in use: exit 3 at once, naming the port', async () => {
  const { createServer } = await import('node:net');
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const result = await execa('node', [bin, 'dev-server', '--port', String(port)], { reject: false });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
  } finally {
    taken.close();
  }
});

/**
 * Global setup of the integration project: one real Temporal dev server per test run, on a free
 * port on 127.0.0.1, stopped afterwards. SAFE_DEPLOY_TEST_ADDRESS reuses a server you already run.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { FAST_SQLITE, startDevServer } from '../../cli/temporal/dev-server.js';
import { packageRoot } from '../../cli/paths.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reuse = process.env.SAFE_DEPLOY_TEST_ADDRESS;
  if (reuse) {
    project.provide('temporalAddress', reuse);
    project.provide('temporalNamespace', 'default');
    return async () => undefined;
  }
  const logDir = join(packageRoot(), '.safe-deploy');
  mkdirSync(logDir, { recursive: true });
  const started = Date.now();
  const server = await startDevServer({ logFile: join(logDir, 'test-server.log'), sqlitePragmas: FAST_SQLITE });
  process.stderr.write(
    `[integration] real Temporal dev server (${server.binary}) at ${server.address}, ready in ${Date.now() - started} ms\n`,
  );
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
  return async () => {
    await server.stop();
  };
}

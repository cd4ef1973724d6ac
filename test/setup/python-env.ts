/**
 * Global setup: the project's Python environment (sample-workers/research-agent-py/python-env.ts)
 * for the Python research agent and the Python candidates of the tests. Created the first time, skipped afterwards; its
 * interpreter is handed to the tests as SAFE_DEPLOY_TEST_PYTHON.
 */
import { ensurePythonEnv } from '../../sample-workers/research-agent-py/python-env.js';

export default async function setup(): Promise<void> {
  process.env.SAFE_DEPLOY_TEST_PYTHON = await ensurePythonEnv();
}

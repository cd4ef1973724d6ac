/** The rollout stand-in's workers (sample-workers/research-agent/rollout.ts): their env, and stopping them. */
import { workerEnv, type Scenario } from '../../sample-workers/research-agent/launcher.js';
import { readPids } from './processes.js';

/** What a rollout's workers get: the scenario's server, deployment and queue; the Build ID is the version it is given. */
export function rolloutEnv(s: Scenario, options: { pidFile: string; logDir: string; activityDelayMs?: number }): Record<string, string> {
  const { TEMPORAL_WORKER_BUILD_ID: _unused, ...env } = workerEnv(s, 'v1', 'v1', options.activityDelayMs);
  return { ...env, ROLLOUT_PID_FILE: options.pidFile, ROLLOUT_LOG_DIR: options.logDir };
}

export const rolloutPids = readPids;

/** SIGINT to every worker the rollouts started (they shut down and exit). */
export function stopRolloutWorkers(pidFile: string): void {
  for (const pid of rolloutPids(pidFile)) {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
}

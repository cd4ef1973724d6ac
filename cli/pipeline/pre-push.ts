/**
 * The pre-push hook: for each commit the push publishes, check out its tree, find the project
 * config there, and run `safe-deploy check` in it, so what is checked is what is pushed, not the
 * working tree. When the config selects live executions and the server cannot be reached, the
 * config's "histories" are checked offline instead; without them the push goes through with a
 * warning, unless the config says "strict": true.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { loadProjectConfig } from '../config/load.js';
import { checkoutPushedTree } from '../config/pushed-tree.js';
import type { ProjectConfig } from '../core/config.js';
import { checkNeedsServer, whenUnreachable, type CommitCheck, type CommitOutcome } from '../core/pre-push.js';
import type { PushedCommit } from '../core/push-refs.js';
import { TemporalUnreachableError } from '../errors.js';
import { runSelf } from '../exec/self.js';
import type { Log } from '../log.js';

export interface PrePushInput {
  cwd: string;
  commits: PushedCommit[];
  /** json: each check's report is captured and returned, not printed. */
  output: 'text' | 'json';
  log: Log;
  env?: NodeJS.ProcessEnv;
}

/** Connects with the settings check would use (flags none; TEMPORAL_* > config > profile) and hangs up. */
async function probeServer(config: ProjectConfig, env: NodeJS.ProcessEnv): Promise<TemporalUnreachableError | undefined> {
  const { connect, resolveConnection } = await import('../temporal/connection.js');
  const fromConfig = (value: string | undefined, variable: string) => (env[variable] ? undefined : value);
  try {
    const resolved = resolveConnection(
      {
        address: fromConfig(config.address, 'TEMPORAL_ADDRESS'),
        namespace: fromConfig(config.namespace, 'TEMPORAL_NAMESPACE'),
        profile: fromConfig(config.profile, 'TEMPORAL_PROFILE'),
      },
      env,
    );
    // Shorter than check's own timeout: an offline laptop should not wait long on every push.
    await (await connect(resolved, { connectTimeoutMs: 5_000 })).close();
    return undefined;
  } catch (err) {
    // Anything else (refused credentials, a wrong namespace) is the check's to report.
    if (err instanceof TemporalUnreachableError) return err;
    return undefined;
  }
}

async function checkCommit(input: PrePushInput, commit: PushedCommit): Promise<CommitCheck> {
  const env = input.env ?? process.env;
  const tree = await checkoutPushedTree({ cwd: input.cwd, sha: commit.sha });
  try {
    // The folder the hook runs from may not exist in that commit (a branch from before it was made).
    const config = existsSync(tree.projectDir) ? loadProjectConfig({ cwd: tree.projectDir }) : undefined;
    if (!config) return { commit, outcome: { kind: 'no-config' } };
    const configFile = relative(tree.root, config.source.replace(/ \("safe-deploy" key\)$/, ''));
    const run = async (mode: 'live' | 'histories' | 'histories-offline'): Promise<CommitOutcome> => {
      const args = ['check', ...(mode === 'histories-offline' ? ['--offline'] : []), ...(input.output === 'json' ? ['--output', 'json'] : [])];
      const r = await runSelf(args, { cwd: tree.projectDir, env: { SAFE_DEPLOY_HOOK: '1' }, captureStdout: input.output === 'json' });
      return { kind: 'checked', mode, exitCode: r.exitCode, ...(r.stdout !== undefined && { report: parseReport(r.stdout) }) };
    };
    if (!checkNeedsServer(config)) return { commit, config: configFile, outcome: await run('histories') };
    const unreachable = await probeServer(config, env);
    if (!unreachable) return { commit, config: configFile, outcome: await run('live') };
    const policy = whenUnreachable(config);
    if (policy === 'check-histories-offline') {
      input.log.warn(`${unreachable.message}: checking the recorded histories of ${configFile} offline instead`);
      return { commit, config: configFile, outcome: await run('histories-offline') };
    }
    return { commit, config: configFile, outcome: { kind: 'unreachable', blocked: policy === 'block', reason: unreachable.message } };
  } finally {
    await tree.dispose();
  }
}

function parseReport(stdout: string): unknown {
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    return stdout;
  }
}

export async function runPrePush(input: PrePushInput): Promise<CommitCheck[]> {
  const checks: CommitCheck[] = [];
  for (const commit of input.commits) {
    input.log.info(`safe-deploy: checking the tree of ${commit.sha.slice(0, 12)} (pushed to ${commit.remoteRefs.join(', ')})`);
    checks.push(await checkCommit(input, commit));
  }
  return checks;
}

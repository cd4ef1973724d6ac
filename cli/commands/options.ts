/** Flag groups shared by the commands that talk to Temporal or replay a candidate. */
import { Option, type Command } from 'commander';
import type { ConnectionFlags } from '../temporal/connection.js';
import type { CandidatesOptions } from '../temporal/candidates.js';
import { collect, durationOption } from './common.js';

/** The Temporal CLI's connection flags; each falls back to its TEMPORAL_* variable, then the profile. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option('--address <host:port>', 'Temporal frontend address [env TEMPORAL_ADDRESS] (default: 127.0.0.1:7233)')
    .option('--namespace <ns>', 'namespace [env TEMPORAL_NAMESPACE] (default: default)')
    .addOption(new Option('--api-key <key>', 'API key, e.g. for Temporal Cloud [env TEMPORAL_API_KEY]'))
    .option('--tls', 'use TLS without a client certificate [env TEMPORAL_TLS]')
    .option('--tls-cert-path <file>', 'mTLS client certificate [env TEMPORAL_TLS_CLIENT_CERT_PATH]')
    .option('--tls-key-path <file>', 'mTLS client key [env TEMPORAL_TLS_CLIENT_KEY_PATH]')
    .option('--tls-ca-path <file>', 'server CA certificate [env TEMPORAL_TLS_SERVER_CA_CERT_PATH]')
    .option('--tls-server-name <name>', 'server name to verify [env TEMPORAL_TLS_SERVER_NAME]')
    .option('--profile <name>', 'profile in the Temporal config file [env TEMPORAL_PROFILE]')
    .option('--config-file <file>', 'Temporal TOML config file [env TEMPORAL_CONFIG_FILE]')
    .option('--server-timeout <duration>', 'give up on an unresponsive Temporal server after this long (the deadline of every call; waits end with exit 3 and a partial report)', durationOption, 60_000);
}

export function connectionFlags(flags: ConnectionFlags): ConnectionFlags {
  const { address, namespace, apiKey, tls, tlsCertPath, tlsKeyPath, tlsCaPath, tlsServerName, profile, configFile, serverTimeout } = flags;
  return { address, namespace, apiKey, tls, tlsCertPath, tlsKeyPath, tlsCaPath, tlsServerName, profile, configFile, serverTimeout };
}

export interface CandidateFlags {
  /** TypeScript / JavaScript source, or a Python module (told by its name, or by `sdk`). */
  workflows?: string;
  /** A Python candidate beside a TypeScript one, for a mixed deployment. */
  pythonWorkflows?: string;
  sdk?: 'typescript' | 'python';
  python?: string;
  bundle?: string;
  payloadConverter?: string;
  failureConverter?: string;
  codec?: string;
  interceptor?: string[];
  candidateBuildId?: string;
  /** A folder (`--bundle-cache DIR`), false (`--no-bundle-cache`), or undefined (the default folder). */
  bundleCache?: string | false;
}

/** `requireBuildId`: plan and deploy must know the Build ID the candidate ships as. */
export function addCandidateOptions(command: Command, options: { requireBuildId?: boolean } = {}): Command {
  const buildIdFlags = '--candidate-build-id <id>';
  if (options.requireBuildId) command.requiredOption(buildIdFlags, 'the Build ID the candidate ships as');
  else command.option(buildIdFlags, 'the Build ID the candidate ships as (shown in reports)');
  return command
    .option('--workflows <path>', 'candidate workflow code: TS or JS source (bundled once per run), or a Python module / file (`app/workflows.py`, `app.workflows:ResearchWorkflow`)')
    .option('--python-workflows <module>', 'a Python candidate beside the TypeScript one (a mixed deployment: each history replays on the candidate of its SDK)')
    .addOption(new Option('--sdk <sdk>', 'the SDK of --workflows when its name does not tell').choices(['typescript', 'python']))
    .option('--python <path>', 'the interpreter of a Python candidate, with your temporalio (default: ./.venv, $VIRTUAL_ENV, python3)')
    .option('--bundle <file>', 'candidate bundle prebuilt with bundleWorkflowCode (same @temporalio/worker version)')
    .option('--payload-converter <path>', 'payload converter module, as your workers use it')
    .option('--failure-converter <path>', 'failure converter module, as your workers use it')
    .option('--codec <module>', 'module exporting `payloadCodecs` (JS) or `payload_codec` (Python), e.g. decryption, for the histories')
    .option('--interceptor <module>', 'workflow interceptor module (repeatable), as your workers use it', collect)
    .option('--bundle-cache <dir>', 'keep bundles of --workflows here, reused while their inputs are unchanged (default: $SAFE_DEPLOY_CACHE_DIR/bundles, else ~/.cache/safe-deploy/bundles)')
    .option('--no-bundle-cache', 'bundle --workflows afresh, and keep nothing');
}

/** A candidate of either SDK given on the command line. */
export function hasCandidate(flags: CandidateFlags): boolean {
  return Boolean(flags.workflows || flags.bundle || flags.pythonWorkflows);
}

export function candidateOptions(flags: CandidateFlags): CandidatesOptions & { buildId?: string } {
  return {
    workflows: flags.workflows ? [flags.workflows] : undefined,
    pythonWorkflows: flags.pythonWorkflows,
    sdk: flags.sdk,
    python: flags.python,
    bundlePath: flags.bundle,
    payloadConverterPath: flags.payloadConverter,
    failureConverterPath: flags.failureConverter,
    codecModule: flags.codec,
    interceptorModules: flags.interceptor,
    bundleCache: flags.bundleCache,
    buildId: flags.candidateBuildId,
  };
}

/**
 * Connecting to Temporal the way the Temporal CLI does: flags beat TEMPORAL_* environment
 * variables, which beat the TOML profile (@temporalio/envconfig). Secrets never leave this module
 * except inside the connection options; `describeConnection` is what reports may show.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';
import { UsageError } from '../errors.js';
import { translateGrpcError } from './grpc-errors.js';

export const DEFAULT_ADDRESS = '127.0.0.1:7233';

export interface ConnectionFlags {
  address?: string;
  namespace?: string;
  apiKey?: string;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  tlsCaPath?: string;
  tlsServerName?: string;
  tls?: boolean;
  profile?: string;
  configFile?: string;
}

export interface ResolvedConnection {
  address: string;
  namespace: string;
  profile: ClientConfigProfile;
}

export type AuthMode = 'api-key' | 'mtls' | 'tls' | 'none';

/** Safe to print: no key, no certificate content. */
export interface ConnectionDescription {
  address: string;
  namespace: string;
  auth: AuthMode;
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): ResolvedConnection {
  let base: ClientConfigProfile;
  try {
    base = loadClientConfigProfile({
      profile: flags.profile,
      configSource: flags.configFile ? { path: flags.configFile } : undefined,
      // An empty variable counts as unset (an empty TEMPORAL_API_KEY must not switch TLS on).
      overrideEnvVars: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => Boolean(e[1]))),
    });
  } catch (err) {
    throw new UsageError(`cannot load Temporal config profile: ${(err as Error).message}`, 'check --profile / TEMPORAL_PROFILE and the TOML file');
  }
  const tlsFromFlags =
    flags.tlsCertPath || flags.tlsKeyPath || flags.tlsCaPath || flags.tlsServerName || flags.tls
      ? {
          ...base.tls,
          disabled: false,
          ...(flags.tlsCertPath && { clientCert: { path: flags.tlsCertPath } }),
          ...(flags.tlsKeyPath && { clientKey: { path: flags.tlsKeyPath } }),
          ...(flags.tlsCaPath && { serverCACert: { path: flags.tlsCaPath } }),
          ...(flags.tlsServerName && { serverName: flags.tlsServerName }),
        }
      : base.tls;
  if (Boolean(tlsFromFlags?.clientCert) !== Boolean(tlsFromFlags?.clientKey)) {
    throw new UsageError('mTLS needs both a client certificate and a client key', 'pass --tls-cert-path and --tls-key-path together');
  }
  const profile: ClientConfigProfile = {
    ...base,
    address: flags.address ?? base.address ?? DEFAULT_ADDRESS,
    namespace: flags.namespace ?? base.namespace ?? 'default',
    apiKey: flags.apiKey ?? base.apiKey,
    tls: tlsFromFlags,
  };
  return { address: profile.address as string, namespace: profile.namespace as string, profile };
}

export function authMode(profile: ClientConfigProfile): AuthMode {
  if (profile.apiKey) return 'api-key';
  if (profile.tls?.clientCert) return 'mtls';
  if (profile.tls && !profile.tls.disabled) return 'tls';
  return 'none';
}

export function describeConnection(resolved: ResolvedConnection): ConnectionDescription {
  return { address: resolved.address, namespace: resolved.namespace, auth: authMode(resolved.profile) };
}

export interface TemporalHandle {
  client: Client;
  connection: Connection;
  namespace: string;
  address: string;
  close(): Promise<void>;
}

/** `connectTimeoutMs`: how long to wait for the server to answer at all (default 10 s). */
export async function connect(resolved: ResolvedConnection, options: { connectTimeoutMs?: number } = {}): Promise<TemporalHandle> {
  const { connectionOptions } = toClientOptions(resolved.profile);
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: connectionOptions.address,
      tls: connectionOptions.tls,
      apiKey: connectionOptions.apiKey,
      metadata: connectionOptions.metadata,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
    });
    // Fails fast on a wrong namespace or bad credentials, before any real work starts.
    await connection.workflowService.describeNamespace({ namespace: resolved.namespace });
  } catch (err) {
    throw translateGrpcError(err, { address: resolved.address, namespace: resolved.namespace, action: 'connect' });
  }
  const client = new Client({ connection, namespace: resolved.namespace });
  return {
    client,
    connection,
    namespace: resolved.namespace,
    address: resolved.address,
    close: () => connection.close(),
  };
}

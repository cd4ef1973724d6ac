/**
 * Connecting to Temporal the way the Temporal CLI does: flags beat TEMPORAL_* environment
 * variables, which beat the TOML profile (@temporalio/envconfig). Secrets never leave this module
 * except inside the connection options; `describeConnection` is what reports may show.
 */
import { readFileSync } from 'node:fs';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
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
  /** The deadline of every RPC, ms (default 60 s): a lost or frozen server ends any step within it. */
  serverTimeout?: number;
}

export interface ResolvedConnection {
  address: string;
  namespace: string;
  profile: ClientConfigProfile;
  serverTimeoutMs: number;
}

export const DEFAULT_SERVER_TIMEOUT_MS = 60_000;

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
  for (const [what, file] of [
    ['client certificate', profile.tls?.clientCert],
    ['client key', profile.tls?.clientKey],
    ['server CA certificate', profile.tls?.serverCACert],
  ] as const) {
    const path = file && 'path' in file ? file.path : undefined;
    if (path) assertPemFile(path, what);
  }
  return { address: profile.address as string, namespace: profile.namespace as string, profile, serverTimeoutMs: flags.serverTimeout ?? DEFAULT_SERVER_TIMEOUT_MS };
}

/** A TLS file must be there, readable, and PEM (grpc accepts a garbage CA file and fails every handshake). */
function assertPemFile(path: string, what: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new UsageError(`the TLS ${what} file ${path} ${why}`, 'check --tls-cert-path / --tls-key-path / --tls-ca-path (or the profile\'s tls paths)');
  }
  if (!text.includes('-----BEGIN ')) {
    throw new UsageError(`the TLS ${what} file ${path} is not a PEM file (no -----BEGIN line)`, 'pass the PEM-encoded certificate / key');
  }
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

/** The HTTP/2 flow-control window, bytes: the bandwidth-delay product of a fast link 50 ms away. */
const FLOW_CONTROL_WINDOW = 8 * 1024 * 1024;

export type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/** Gives every call a deadline unless it has one: no RPC may wait forever on a frozen server. */
function deadlineInterceptor(ms: number): Interceptor {
  // grpc-js types nextCall()'s result as the interface of the InterceptingCall it returns.
  return (options, nextCall) => nextCall({ ...options, deadline: options.deadline ?? Date.now() + ms }) as ReturnType<Interceptor>;
}

const RESOURCE_EXHAUSTED = 8;

/**
 * The SDK's retries (backoff, attempts, retryable codes), except a batch the server refuses for
 * want of room (RESOURCE_EXHAUSTED: a namespace runs one batch operation at a time by default):
 * retried (ten attempts, 41 s), it only delayed what apply does next: send that chunk one by one.
 */
function retryInterceptor(): Interceptor {
  const standard = defaultGrpcRetryOptions();
  const retry = makeGrpcRetryInterceptor(standard);
  const batchRetry = makeGrpcRetryInterceptor({
    ...standard,
    retryableDecider: (attempt, status) => status.code !== RESOURCE_EXHAUSTED && standard.retryableDecider(attempt, status),
  });
  return (options, nextCall) => (options.method_definition.path.endsWith('/StartBatchOperation') ? batchRetry : retry)(options, nextCall);
}

/** A TLS file that is there but is not a usable PEM: grpc/OpenSSL says so in these words. */
const BAD_PEM = /PEM|no start line|bad base64|asn1|private key|certificate|x509|routines/i;

/**
 * `connectTimeoutMs`: how long to wait for the server to answer at all (default 10 s, at most --server-timeout).
 * `interceptors`: gRPC interceptors after ours (a program embedding the pipeline; the race tests hold calls with one).
 */
export async function connect(resolved: ResolvedConnection, options: { connectTimeoutMs?: number; interceptors?: Interceptor[] } = {}): Promise<TemporalHandle> {
  const auth = authMode(resolved.profile);
  let connectionOptions;
  try {
    ({ connectionOptions } = toClientOptions(resolved.profile));
  } catch (err) {
    throw new UsageError(`cannot load the TLS files: ${(err as Error).message}`, 'check --tls-cert-path / --tls-key-path / --tls-ca-path');
  }
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: connectionOptions.address,
      tls: connectionOptions.tls,
      apiKey: connectionOptions.apiKey,
      metadata: connectionOptions.metadata,
      connectTimeout: options.connectTimeoutMs ?? Math.min(10_000, resolved.serverTimeoutMs),
      // The deadline first, so that it bounds a call with all its retries.
      interceptors: [deadlineInterceptor(resolved.serverTimeoutMs), retryInterceptor(), ...(options.interceptors ?? [])],
      channelArgs: {
        // A dead peer (TCP open, nothing answering) is detected by keepalive pings (the SDK's values, stated).
        'grpc.keepalive_permit_without_calls': 1,
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 15_000,
        // HTTP/2's default 64 KB window caps one connection at 64 KB per round trip (1.3 MB/s at
        // 50 ms): measured, 1,000 histories through a 50 ms round trip took 1.2x as long with it.
        'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW,
      },
    });
  } catch (err) {
    if (auth !== 'none' && !isStatusError(err) && BAD_PEM.test(String((err as Error).message))) {
      throw new UsageError(`the TLS certificate or key is not usable: ${String((err as Error).message).split('\n')[0]}`, 'check that --tls-cert-path / --tls-key-path / --tls-ca-path are PEM files', { cause: err });
    }
    throw translateGrpcError(err, { address: resolved.address, namespace: resolved.namespace, action: 'connect', tls: auth !== 'none' });
  }
  try {
    // Fails fast on a wrong namespace or bad credentials, before any real work starts.
    await connection.workflowService.describeNamespace({ namespace: resolved.namespace });
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw translateGrpcError(err, { address: resolved.address, namespace: resolved.namespace, action: 'connect', tls: auth !== 'none' });
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

function isStatusError(err: unknown): boolean {
  return typeof (err as { code?: unknown } | null)?.code === 'number';
}

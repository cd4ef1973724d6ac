/** gRPC failures -> our typed errors, each with a hint; the one translation point for adapters. */
import { QueryError, SafeDeployError, TemporalError, TemporalUnreachableError, UsageError } from '../errors.js';

/** The gRPC status codes we act on (grpc/status.h). */
const status = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export interface GrpcContext {
  address: string;
  namespace: string;
  /** What we were doing, for the message: "connect", "list executions", ... */
  action: string;
  /** TLS was on (an API key turns it on): a server that does not speak TLS looks unreachable. */
  tls?: boolean;
}

/**
 * The client's `isGrpcServiceError`, restated: importing @temporalio/client for it would load gRPC
 * (~80 ms) into commands that never talk to a server (`check --histories`).
 */
function isGrpcServiceError(err: unknown): err is Error & { code: number; details: string } {
  const e = err as { details?: unknown; metadata?: unknown } | null;
  return err instanceof Error && typeof e?.details === 'string' && typeof e.metadata === 'object' && e.metadata !== null;
}

function ownCode(err: unknown): number | undefined {
  if (isGrpcServiceError(err)) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The gRPC status code of an error, looking through the SDK's wrapping errors. */
export function grpcCode(err: unknown): number | undefined {
  return ownCode(innermostGrpcError(err));
}

/** The server's one-line reason. */
export function grpcDetails(err: unknown): string {
  const e = innermostGrpcError(err) as { details?: string; message?: string };
  const line = (e.details || e.message || String(err)).split('\n')[0] ?? '';
  // grpc-js ends "No connection established" with "Resolution note: " even when it has none.
  return line.replace(/\s*Resolution note:\s*$/, '');
}

/** The SDK wraps RPC failures ("Failed to count workflows"); the gRPC status is in a cause. */
function innermostGrpcError(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (ownCode(current) !== undefined) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return err;
}

export function translateGrpcError(err: unknown, ctx: GrpcContext): SafeDeployError {
  if (err instanceof SafeDeployError) return err;
  const code = grpcCode(err);
  const why = grpcDetails(err);
  switch (code) {
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return new TemporalError(
        `Temporal at ${ctx.address} refused the credentials (${ctx.action}): ${why}`,
        'check --api-key / TEMPORAL_API_KEY or the mTLS certificate, and that it may use this namespace',
        { cause: err },
      );
    case status.NOT_FOUND:
      if (/namespace/i.test(why)) {
        return new UsageError(`namespace "${ctx.namespace}" not found at ${ctx.address}`, 'check --namespace / TEMPORAL_NAMESPACE', { cause: err });
      }
      return new TemporalError(`${ctx.action}: not found: ${why}`, 'check the names you passed', { cause: err });
    case status.INVALID_ARGUMENT:
      if (/query|visibility|filter|operator|column|search attribute/i.test(why) || /query/i.test(ctx.action)) {
        return new QueryError(`the server rejected the query: ${why}`, 'check the visibility query syntax and search attribute names', { cause: err });
      }
      return new UsageError(`${ctx.action}: the server rejected the request: ${why}`, 'check the flags you passed', { cause: err });
    default:
      if (code === undefined || code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED) {
        return new TemporalUnreachableError(
          `cannot reach Temporal at ${ctx.address} (${ctx.action}): ${why}`,
          ctx.tls
            ? 'TLS is on (--api-key, --tls or a certificate turns it on): does this server speak TLS? a local dev server does not, so drop those flags; else check the address'
            : 'is the server running and the address right? for a local one: `safe-deploy dev-server`',
          { cause: err },
        );
      }
      return new TemporalError(`${ctx.action} failed at ${ctx.address}: ${why}`, 'retry; if it persists, check the server logs', { cause: err });
  }
}

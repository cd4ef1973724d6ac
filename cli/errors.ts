/**
 * Typed failures of safe-deploy. Each carries the exit code design.md assigns to its class and a
 * one-line hint that tells the user what to do next. `cli/main.ts` is the only place that turns
 * them into a process exit.
 */

export const ExitCode = {
  ok: 0,
  gateFailed: 1,
  usage: 2,
  infrastructure: 3,
  internal: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class SafeDeployError extends Error {
  abstract readonly exitCode: ExitCode;
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags, a bad config file, unreadable input files, a candidate that does not bundle. */
export class UsageError extends SafeDeployError {
  readonly exitCode = ExitCode.usage;
}

/** Input data that cannot be used as given (a malformed or unsupported history file). */
export class InputError extends SafeDeployError {
  readonly exitCode = ExitCode.usage;
}

/** The candidate workflow code could not be bundled or loaded. */
export class BundleError extends SafeDeployError {
  readonly exitCode = ExitCode.usage;
}

/** Temporal refused or could not be reached; also the local dev server failing to start. */
export class TemporalError extends SafeDeployError {
  readonly exitCode = ExitCode.infrastructure;
}

/** No Temporal server answered at the address (down, wrong address, network): the pre-push hook may fall back. */
export class TemporalUnreachableError extends TemporalError {}

/** StartBatchOperation refused: the namespace runs as many batch jobs as its server allows (1 by default). */
export class BatchLimitError extends TemporalError {}

/** A query the server rejected: the user's input, so a usage error, with the server's reason. */
export class QueryError extends SafeDeployError {
  readonly exitCode = ExitCode.usage;
}

/** The run was interrupted (SIGINT / SIGTERM); whatever was finished has been reported. */
export class InterruptedError extends SafeDeployError {
  readonly exitCode = ExitCode.interrupted;
}

/** Something outside the project (a rollout command, a tool build) failed. */
export class ExternalCommandError extends SafeDeployError {
  readonly exitCode = ExitCode.infrastructure;
}

/** A gate verdict, not a crash: thrown by commands that must end with exit 1 after reporting. */
export class GateFailedError extends SafeDeployError {
  readonly exitCode = ExitCode.gateFailed;
}

export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof SafeDeployError ? err.exitCode : ExitCode.internal;
}

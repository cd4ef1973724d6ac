/**
 * A gRPC interceptor that holds every call to one method until the test has done something first:
 * how the race tests put an event into a history between apply's re-check and its change, every
 * time, instead of hoping a signal lands in the gap.
 */
import { InterceptingCall } from '@grpc/grpc-js';
import type { Interceptor } from '../../cli/temporal/connection.js';

export const WORKFLOW_SERVICE = '/temporal.api.workflowservice.v1.WorkflowService';

export interface HeldCalls {
  interceptor: Interceptor;
  /** What `before` threw, if it did (the call was let through anyway, so nothing hangs). */
  errors: unknown[];
}

/** `before` gets the encoded request (the SDK hands grpc-js bytes) and runs before it is sent. */
export function holdCalls(method: string, before: (request: Uint8Array) => Promise<void>): HeldCalls {
  const errors: unknown[] = [];
  const interceptor: Interceptor = (options, nextCall) => {
    // grpc-js types nextCall()'s result as the interface of the InterceptingCall it returns.
    const next = nextCall(options) as ReturnType<Interceptor>;
    if (options.method_definition.path !== `${WORKFLOW_SERVICE}/${method}`) return next;
    return new InterceptingCall(next, {
      sendMessage: (message: Uint8Array, send: (m: Uint8Array) => void) => {
        before(message)
          .catch((err: unknown) => void errors.push(err))
          .finally(() => send(message));
      },
    }) as ReturnType<Interceptor>;
  };
  return { interceptor, errors };
}

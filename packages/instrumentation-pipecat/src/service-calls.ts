/*
 * Wrapped service methods (those that call a model or a tool, declared by each span kind's
 * `serviceCalls`): the span context each call runs inside, and what is recorded when it settles.
 *
 * Context switches happen only where a model call can start (an LLM run, a tool call, a text to
 * synthesise), never per audio frame: per-frame work of streaming services creates no spans, and runs in
 * the pipeline's own context.
 */
import type { Context } from "@opentelemetry/api";
import type { ConversationTracer } from "./conversation-tracer.js";
import { isPromiseLike } from "./utils.js";

export type Settle = (error: unknown, failed: boolean) => void;

/** How a wrapped service call is traced: the context it runs in, and what to record when it settles. */
export interface ServiceCall {
  context: Context;
  settled?: Settle;
}

export type BeginServiceCall = (tracer: ConversationTracer, service: object, args: ArrayLike<unknown>) => ServiceCall | undefined;

/**
 * Calls `invoke`, tells `settle` how it settled (returned, resolved, rejected or threw) and returns its
 * result untouched: the very value or promise it returned, so callers see the same identity, resolution
 * and rejection. A promise gets one `then(onFulfilled, onRejected)`, whose derived promise never rejects
 * (an error thrown by `settle` goes to `onTelemetryError`), so no unhandled rejection is ever created.
 */
export function callAndSettle(invoke: () => unknown, settle: Settle, onTelemetryError: (error: unknown) => void): unknown {
  const report = (error: unknown, failed: boolean): void => {
    try {
      settle(error, failed);
    } catch (telemetryError) {
      onTelemetryError(telemetryError);
    }
  };
  let result: unknown;
  try {
    result = invoke();
  } catch (error) {
    report(error, true);
    throw error;
  }
  if (isPromiseLike(result)) result.then((): void => report(undefined, false), (error: unknown): void => report(error, true));
  else report(undefined, false);
  return result;
}

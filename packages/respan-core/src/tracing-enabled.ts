/**
 * The process-wide "is tracing enabled" state, published on `globalThis` under
 * `Symbol.for("@respan/core.tracingEnabled")` (a boolean) so that instrumentations — the session capture
 * of @respan/instrumentation-pipecat in particular — can honour a client's `enabled: false` /
 * RESPAN_TRACING_ENABLED=false without importing this package (the ESM and CommonJS builds share it too).
 *
 * Values: `false` once a disabled client was constructed; `true` while an enabled client runs; absent when
 * no client was constructed or the enabled one was shut down (readers then apply their own default).
 */

export const TRACING_ENABLED_KEY = Symbol.for("@respan/core.tracingEnabled");

type TracingEnabledHolder = { [TRACING_ENABLED_KEY]?: boolean };
const holder = globalThis as TracingEnabledHolder;

export function publishTracingEnabled(enabled: boolean): void {
  holder[TRACING_ENABLED_KEY] = enabled;
}

/** Withdraws the state published by an enabled client (a later disabled client's `false` is kept). */
export function withdrawTracingEnabled(): void {
  if (holder[TRACING_ENABLED_KEY] === true) delete holder[TRACING_ENABLED_KEY];
}

/**
 * The instrumentation's side of trace holds: it reaches @respan/core's registry through `globalThis` (the
 * key `Symbol.for("@respan/core.traceHold")`), so @respan/core stays an optional peer dependency. Without a
 * registry (another OpenTelemetry setup), spans cannot be withheld and `abort()` says so once.
 */

interface TraceHoldRegistry {
  hold(traceId: string): boolean;
  release(traceId: string, options?: { discard?: boolean }): void;
}

const REGISTRY_KEY = Symbol.for("@respan/core.traceHold");

function registry(): TraceHoldRegistry | undefined {
  const candidate = (globalThis as { [REGISTRY_KEY]?: unknown })[REGISTRY_KEY] as Partial<TraceHoldRegistry> | undefined;
  return typeof candidate?.hold === "function" && typeof candidate.release === "function"
    ? (candidate as TraceHoldRegistry)
    : undefined;
}

/** Holds `traceId`'s spans back from export; true when a hold is in place. */
export function holdTrace(traceId: string): boolean {
  try {
    return registry()?.hold(traceId) ?? false;
  } catch {
    return false;
  }
}

/** Releases a hold: the spans are exported, or dropped with `discard`. */
export function releaseTrace(traceId: string, discard: boolean): void {
  try {
    registry()?.release(traceId, { discard });
  } catch {
    // A failing registry must not break the pipeline; the spans stay wherever it left them.
  }
}

/**
 * Finding OpenTelemetry globals someone else already registered (a NodeSDK, a provider's `.register()`),
 * so that the client joins them instead of registering its own: registering a second one is what makes
 * OpenTelemetry print "duplicate registration" errors and splits a trace across two providers.
 *
 * One rule for every signal: the API keeps its globals on `globalThis` under a key shared by all copies of
 * API major version 1, one entry per signal ("trace", "context", "propagation", "metrics", "diag"); an
 * entry present means that signal is taken. A meter provider is found the same way (`"metrics"`) and
 * joined the same way as a tracer provider.
 */
import { trace, type TracerProvider } from "@opentelemetry/api";

const OTEL_API_GLOBALS_KEY = Symbol.for("opentelemetry.js.api.1");

export type OtelGlobal = "trace" | "context" | "propagation" | "metrics";
type OtelApiGlobals = { [OTEL_API_GLOBALS_KEY]?: Partial<Record<OtelGlobal, unknown>> };

/** True when some code already registered this OpenTelemetry global. */
export function isGlobalRegistered(kind: OtelGlobal): boolean {
  return (globalThis as OtelApiGlobals)[OTEL_API_GLOBALS_KEY]?.[kind] !== undefined;
}

/** The tracer provider registered globally by other code, if any (the API's proxy in front of it). */
export function registeredTracerProvider(): TracerProvider | undefined {
  return isGlobalRegistered("trace") ? trace.getTracerProvider() : undefined;
}

/** What the client calls on a provider it joined or owns, when the provider offers it. */
export interface FlushableTracerProvider extends TracerProvider {
  forceFlush?(): Promise<void>;
  shutdown?(): Promise<void>;
  /** The API's global proxy: the real provider is behind it. */
  getDelegate?(): TracerProvider;
}

/** Flushes a provider (through the API's proxy when it is the global one); providers without forceFlush are skipped. */
export async function forceFlushProvider(provider: FlushableTracerProvider): Promise<void> {
  const target = (provider.getDelegate?.() ?? provider) as FlushableTracerProvider;
  await target.forceFlush?.();
}

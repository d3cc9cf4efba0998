/** Options of `instrumentPipecatClient`, validated once: a wrong option is a TypeError naming it. */
import type { Attributes, TracerProvider } from "@opentelemetry/api";

export interface PipecatClientTracingOptions {
  /** Where spans go. Default: the globally registered tracer provider. */
  tracerProvider?: TracerProvider;
  /**
   * Record transcripts, bot text, function-call arguments and error texts. Default false, as for the
   * server-side instrumentation alone: a browser app opts in.
   */
  captureContent?: boolean;
  /** Longest recorded text, in characters; longer texts are cut. Default 4,096. */
  maxContentLength?: number;
  /**
   * The transport's name on the session span (e.g. "websocket", "daily"). Default: the transport's class
   * name when the bundle kept it readable (published client bundles mangle it).
   */
  transportName?: string;
  /** Extra attributes of the session span (e.g. your app's release). */
  sessionAttributes?: Attributes;
  /**
   * Flush the tracer provider when a session ends, so the session reaches the backend before the page
   * goes away. Default true. The flush never waits longer than `flushTimeoutMillis`.
   */
  flushOnSessionEnd?: boolean;
  /** Longest wait of that flush, in milliseconds. Default 5,000. */
  flushTimeoutMillis?: number;
}

export interface ResolvedOptions {
  tracerProvider: TracerProvider | undefined;
  captureContent: boolean;
  maxContentLength: number;
  transportName: string | undefined;
  sessionAttributes: Attributes;
  flushOnSessionEnd: boolean;
  flushTimeoutMillis: number;
}

export const DEFAULT_MAX_CONTENT_LENGTH = 4096;
export const DEFAULT_FLUSH_TIMEOUT_MILLIS = 5000;

const KNOWN: Record<keyof PipecatClientTracingOptions, (value: unknown) => boolean> = {
  tracerProvider: (v) => typeof v === "object" && v !== null && typeof (v as TracerProvider).getTracer === "function",
  captureContent: (v) => typeof v === "boolean",
  maxContentLength: (v) => Number.isInteger(v) && (v as number) > 0,
  transportName: (v) => typeof v === "string" && v !== "",
  sessionAttributes: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  flushOnSessionEnd: (v) => typeof v === "boolean",
  flushTimeoutMillis: (v) => Number.isInteger(v) && (v as number) >= 0,
};

const EXPECTED: Record<keyof PipecatClientTracingOptions, string> = {
  tracerProvider: "a TracerProvider",
  captureContent: "true or false",
  maxContentLength: "a positive integer",
  transportName: "a non-empty string",
  sessionAttributes: "an object of attributes",
  flushOnSessionEnd: "true or false",
  flushTimeoutMillis: "a non-negative integer",
};

export function resolveOptions(options: PipecatClientTracingOptions = {}): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("instrumentPipecatClient: options must be an object");
  }
  for (const [key, value] of Object.entries(options)) {
    const check = KNOWN[key as keyof PipecatClientTracingOptions];
    if (check === undefined) {
      throw new TypeError(
        `instrumentPipecatClient: unknown option "${key}"; known options: ${Object.keys(KNOWN).join(", ")}`,
      );
    }
    if (value !== undefined && !check(value)) {
      throw new TypeError(
        `instrumentPipecatClient: option "${key}" must be ${EXPECTED[key as keyof PipecatClientTracingOptions]}`,
      );
    }
  }
  return {
    tracerProvider: options.tracerProvider,
    captureContent: options.captureContent ?? false,
    maxContentLength: options.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH,
    transportName: options.transportName,
    sessionAttributes: options.sessionAttributes ?? {},
    flushOnSessionEnd: options.flushOnSessionEnd ?? true,
    flushTimeoutMillis: options.flushTimeoutMillis ?? DEFAULT_FLUSH_TIMEOUT_MILLIS,
  };
}

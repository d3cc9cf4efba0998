/**
 * Client-side tracing of the Pipecat web client: observes a `PipecatClient` through its public events
 * only (nothing of it is patched) and emits the client half of a call — session, turns, the user's speech,
 * the response latency the user felt, the bot's speech — joined to the server's trace by a W3C
 * `traceparent` that rides the connection.
 */
import { ClientTracer, type ObservableClient } from "./client-tracer.js";
import { resolveOptions, type PipecatClientTracingOptions } from "./options.js";

export type { ObservableClient } from "./client-tracer.js";
export type { PipecatClientTracingOptions } from "./options.js";

export interface PipecatClientTracing {
  /** The W3C `traceparent` of the session span (started now if no session is open). */
  traceparent(): string;
  /**
   * The connect parameters with the session's `traceparent` added to the `wsUrl` (or `ws_url`) query
   * string — where an unmodified client carries it to the server:
   * `await client.connect(tracing.withTraceContext({ wsUrl }))`.
   */
  withTraceContext<T extends object>(params: T): T;
  /** Ends the open session (and its turn) now, e.g. on `pagehide`. */
  endSession(reason?: string): void;
  /** Flushes the tracer provider within the flush deadline. */
  flush(): Promise<void>;
  /** Ends the open session and removes every listener this added. */
  uninstrument(): void;
}

export function instrumentPipecatClient(
  client: ObservableClient,
  options?: PipecatClientTracingOptions,
): PipecatClientTracing {
  if (typeof client?.on !== "function") {
    throw new TypeError("instrumentPipecatClient: the first argument must be a PipecatClient (an object with on())");
  }
  const tracer = new ClientTracer(client, resolveOptions(options));
  return {
    traceparent: () => tracer.traceparent(),
    withTraceContext: (params) => withTraceparent(params, tracer.traceparent()),
    endSession: (reason = "ended_by_app") => tracer.endSession(reason),
    flush: () => tracer.flush(),
    uninstrument: () => tracer.detach(),
  };
}

function withTraceparent<T extends object>(params: T, traceparent: string): T {
  for (const key of ["wsUrl", "ws_url"] as const) {
    const url = (params as Record<string, unknown>)[key];
    if (typeof url !== "string" || traceparent === "") continue;
    return { ...params, [key]: addQueryParameter(url, "traceparent", traceparent) };
  }
  return params;
}

function addQueryParameter(url: string, name: string, value: string): string {
  try {
    const parsed = new URL(url);
    parsed.searchParams.set(name, value);
    return parsed.toString();
  } catch {
    const separator = url.includes("?") ? "&" : "?";
    return `${url}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
  }
}

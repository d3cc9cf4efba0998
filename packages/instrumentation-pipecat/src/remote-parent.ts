/**
 * A call continued from another process: a client (e.g. a traced browser) sends its W3C trace context with
 * the connection, and the runtime hands it to the pipeline as start metadata (Pipecat's
 * `PipelineParams.start_metadata`, pipecat-ts's `PipelineTask({ startMetadata })`, copied onto the
 * StartFrame's `metadata`). When the caller's context holds no span of its own, the conversation continues
 * that trace. The configured propagator reads it (W3C trace context by default), so malformed values are
 * ignored as OpenTelemetry ignores them anywhere.
 */
import { propagation, trace, type Context } from "@opentelemetry/api";

export function withRemoteParent(parentContext: Context, metadata: unknown): Context {
  if (metadata === null || typeof metadata !== "object" || trace.getSpan(parentContext) !== undefined) return parentContext;
  const extracted = propagation.extract(parentContext, metadata);
  return trace.getSpan(extracted) === undefined ? parentContext : extracted;
}

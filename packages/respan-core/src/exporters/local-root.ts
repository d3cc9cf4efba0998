import type { ReadableSpan } from "@opentelemetry/sdk-trace";

/** True for the first span of a trace in this process: no parent, or a parent from another process. */
export function isLocalRoot(span: ReadableSpan): boolean {
  return span.parentSpanContext === undefined || span.parentSpanContext.isRemote === true;
}

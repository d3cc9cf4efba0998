/**
 * OTLP JSON in its canonical form. OpenTelemetry's JsonTraceSerializer builds the request (grouping by
 * resource and scope, hex ids, nanosecond timestamps as strings) but writes 64-bit integer attribute
 * values as JSON numbers; the OTLP/JSON mapping (and Respan's ingestion) expects them as strings,
 * `{"intValue": "42"}`. This module applies that one correction on top of OpenTelemetry's serializer.
 */
import { JsonTraceSerializer, type IExportTraceServiceResponse, type ISerializer } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function intValuesAsStrings(key: string, value: unknown): unknown {
  return key === "intValue" && typeof value === "number" ? String(value) : value;
}

/** The ExportTraceServiceRequest for `spans` as a plain object, or undefined when there is nothing to send. */
export function toOtlpJsonRequest(spans: ReadableSpan[]): { resourceSpans?: unknown[] } | undefined {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  return bytes === undefined ? undefined : JSON.parse(decoder.decode(bytes), intValuesAsStrings);
}

/** JsonTraceSerializer with integer attribute values encoded as strings. */
export const CanonicalJsonTraceSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest(spans) {
    const request = toOtlpJsonRequest(spans);
    return request === undefined ? undefined : encoder.encode(JSON.stringify(request));
  },
  deserializeResponse(data) {
    return JsonTraceSerializer.deserializeResponse(data);
  },
};

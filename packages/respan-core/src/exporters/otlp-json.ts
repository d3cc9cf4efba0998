/**
 * OTLP JSON in its canonical form. OpenTelemetry's JsonTraceSerializer / JsonMetricsSerializer build the
 * request (grouping by resource and scope, hex ids, nanosecond timestamps as strings) but write 64-bit
 * integer values as JSON numbers; the OTLP/JSON mapping (and Respan's ingestion) expects them as strings,
 * `{"intValue": "42"}`. This module applies that one correction on top of OpenTelemetry's serializers.
 */
import {
  JsonMetricsSerializer,
  JsonTraceSerializer,
  type IExportTraceServiceResponse,
  type ISerializer,
} from "@opentelemetry/otlp-transformer";
import type { ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * An integer attribute value (or integer metric value) as the serializers write it: `"intValue":42`,
 * `"asInt":42`. Quotes inside JSON strings are escaped, so this can only match the key itself, never text
 * inside an attribute value.
 */
const INT_VALUE_AS_NUMBER = /"(intValue|asInt)":(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** The serializer's output as canonical OTLP JSON text (one pass over the text, no re-parsing). */
function canonicalJsonText(bytes: Uint8Array): string {
  return decoder.decode(bytes).replace(INT_VALUE_AS_NUMBER, '"$1":"$2"');
}

/** The ExportTraceServiceRequest for `spans` as a plain object, or undefined when there is nothing to send. */
export function toOtlpJsonRequest(spans: ReadableSpan[]): { resourceSpans?: unknown[] } | undefined {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  return bytes === undefined ? undefined : JSON.parse(canonicalJsonText(bytes));
}

/** The ExportMetricsServiceRequest for one collection, as a plain object. */
export function toOtlpJsonMetricsRequest(resourceMetrics: ResourceMetrics): { resourceMetrics?: unknown[] } {
  return JSON.parse(canonicalJsonText(JsonMetricsSerializer.serializeRequest(resourceMetrics) as Uint8Array));
}

/** JsonTraceSerializer with integer attribute values encoded as strings. */
export const CanonicalJsonTraceSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest(spans) {
    const bytes = JsonTraceSerializer.serializeRequest(spans);
    return bytes === undefined ? undefined : encoder.encode(canonicalJsonText(bytes));
  },
  deserializeResponse(data) {
    return JsonTraceSerializer.deserializeResponse(data);
  },
};

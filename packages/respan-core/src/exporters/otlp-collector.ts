/**
 * The exporter to any OTLP collector (Jaeger, Tempo, an OpenTelemetry Collector, Langfuse...), configured
 * entirely by the standard OTEL_EXPORTER_OTLP_* variables, which OpenTelemetry's own exporters read:
 * endpoint, headers, timeout, compression, certificates. Spans are sent unchanged.
 */
import { OTLPTraceExporter as OTLPJsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import type { OtlpProtocol } from "../options.js";

export function createOtlpCollectorExporter(protocol: OtlpProtocol): SpanExporter {
  return protocol === "http/json" ? new OTLPJsonTraceExporter() : new OTLPProtobufTraceExporter();
}

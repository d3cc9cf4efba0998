/**
 * The exporter to any OTLP collector (Jaeger, Tempo, an OpenTelemetry Collector, Langfuse...), configured
 * entirely by the standard OTEL_EXPORTER_OTLP_* variables, which OpenTelemetry's own exporters read:
 * endpoint, headers, timeout, compression, certificates. Spans are sent unchanged. Its requests go through
 * an agent that makes the timeout a total deadline per request (see request-deadlines.ts).
 */
import { OTLPTraceExporter as OTLPJsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import type { OtlpProtocol } from "../options.js";
import type { RequestDeadlines } from "./request-deadlines.js";

export function createOtlpCollectorExporter(protocol: OtlpProtocol, requests: RequestDeadlines): SpanExporter {
  const config = { httpAgentOptions: requests.agentFactory };
  return protocol === "http/json" ? new OTLPJsonTraceExporter(config) : new OTLPProtobufTraceExporter(config);
}

/**
 * The exporter to any OTLP collector (Jaeger, Tempo, an OpenTelemetry Collector, Langfuse...), configured
 * entirely by the standard OTEL_EXPORTER_OTLP_* variables, which OpenTelemetry's own exporters read:
 * endpoint, headers, timeout, compression, certificates. Spans are sent unchanged. Its requests go through
 * an agent that makes the timeout a total deadline per request (see request-deadlines.ts).
 *
 * The client runs it in an export worker (the variables are read there, from the worker's copy of the
 * environment), or on the application's thread where no worker can run.
 */
import { OTLPTraceExporter as OTLPJsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { OtlpProtocol } from "../options.js";
import { createRequestDeadlines } from "./request-deadlines.js";
import { DeadlinedSender, type SpanSender } from "./span-sender.js";

export function createOtlpCollectorSender(protocol: OtlpProtocol, timeoutMillis: number): SpanSender {
  const requests = createRequestDeadlines(timeoutMillis);
  const config = { httpAgentOptions: requests.agentFactory };
  return new DeadlinedSender(protocol === "http/json" ? new OTLPJsonTraceExporter(config) : new OTLPProtobufTraceExporter(config), requests);
}

/**
 * The exporter to any OTLP collector (Jaeger, Tempo, an OpenTelemetry Collector, Langfuse...), configured
 * entirely by the standard OTEL_EXPORTER_OTLP_* variables, which OpenTelemetry's own exporters read:
 * endpoint, headers, timeout, compression, certificates. Spans are sent unchanged. Its requests go through
 * an agent that makes the timeout a total deadline per request (see request-deadlines.ts).
 *
 * The client runs it in an export worker (the variables are read there, from the worker's copy of the
 * environment), or on the application's thread where no worker can run.
 */
import type { ExportResult } from "@opentelemetry/core";
import { OTLPTraceExporter as OTLPJsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import type { OtlpProtocol } from "../options.js";
import { createRequestDeadlines, type RequestDeadlines } from "./request-deadlines.js";
import type { SpanSender } from "./respan-sender.js";

export class OtlpCollectorSender implements SpanSender {
  private readonly requests: RequestDeadlines;
  private readonly exporter: SpanExporter;

  constructor(protocol: OtlpProtocol, timeoutMillis: number) {
    this.requests = createRequestDeadlines(timeoutMillis);
    const config = { httpAgentOptions: this.requests.agentFactory };
    this.exporter = protocol === "http/json" ? new OTLPJsonTraceExporter(config) : new OTLPProtobufTraceExporter(config);
  }

  get lastStatusCode(): number | undefined {
    return this.requests.lastStatusCode;
  }

  abortAll(reason: string): void {
    this.requests.abortAll(reason);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter.export(spans, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}

/**
 * A ready tracer provider for a browser page: spans batched and sent as OTLP/HTTP JSON to `url` (a
 * collector, or the server that serves the page). For apps that have no OpenTelemetry setup of their own.
 */
import type { Attributes } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { WebTracerProvider } from "@opentelemetry/sdk-trace-web";

export interface BrowserTracingOptions {
  /** OTLP/HTTP traces endpoint, e.g. "/v1/traces" on the page's own server or a collector's URL. */
  url: string;
  /** `service.name` of the browser's spans. Default "pipecat-web-client". */
  serviceName?: string;
  /** More resource attributes (e.g. deployment.environment). */
  resourceAttributes?: Attributes;
  /** Extra request headers (a collector's auth). Headers make browsers send a CORS preflight. */
  headers?: Record<string, string>;
}

export function createBrowserTracerProvider(options: BrowserTracingOptions): WebTracerProvider {
  if (typeof options?.url !== "string" || options.url === "") {
    throw new TypeError('createBrowserTracerProvider: option "url" must be a non-empty string');
  }
  const url = new URL(options.url, globalThis.location?.href).toString();
  const exporter = new OTLPTraceExporter({ url, headers: options.headers ?? {} });
  return new WebTracerProvider({
    resource: resourceFromAttributes({
      "service.name": options.serviceName ?? "pipecat-web-client",
      ...options.resourceAttributes,
    }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
}

/**
 * What sends spans to Respan, on the thread it runs on: translation into Respan's keys
 * (respan-translation.ts), the canonical OTLP JSON serializer and OpenTelemetry's own OTLP/HTTP export
 * delegate (what OTLPTraceExporter is made of: retries with backoff on 429/502/503/504 and network errors,
 * a request timeout, a bound on concurrent requests; each request under a total deadline, see
 * request-deadlines.ts). The delegate is configured explicitly instead of through OTLPTraceExporter so that
 * the OTEL_EXPORTER_OTLP_* variables meant for a collector — its headers (credentials), timeout,
 * compression — never apply to requests to Respan.
 *
 * RespanSpanExporter runs one in an export worker (export-worker.ts), or on the application's thread when
 * no worker can run.
 */
import type { ExportResult } from "@opentelemetry/core";
import { OTLPExporterBase } from "@opentelemetry/otlp-exporter-base";
import { createOtlpHttpExportDelegate } from "@opentelemetry/otlp-exporter-base/node-http";
import { TraceExporterMetricsHelper } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { failedExport } from "./export-failure.js";
import { CanonicalJsonTraceSerializer } from "./otlp-json.js";
import { createRequestDeadlines, type ExportRequests, type RequestDeadlines } from "./request-deadlines.js";
import { translateSpanForRespan } from "./respan-translation.js";

/** Export requests in flight at once; further exports fail fast (and are counted) instead of piling up. */
const MAX_CONCURRENT_REQUESTS = 30;
const COMPONENT_TYPE = "otlp_http_json_span_exporter";

/** Everything a sender needs, as plain data (it is handed to the export worker as it is). */
export interface RespanSendSettings {
  url: string;
  /** Every request header, Authorization included. */
  headers: Record<string, string>;
  /** Per-export deadline including retries, in ms. */
  timeoutMillis: number;
}

/** A span exporter whose requests can be given up on, and which remembers the last HTTP status. */
export interface SpanSender extends SpanExporter, ExportRequests {
  forceFlush(): Promise<void>;
}

export class RespanSender implements SpanSender {
  private readonly requests: RequestDeadlines;
  private readonly transport: OTLPExporterBase<ReadableSpan[]>;

  constructor(settings: RespanSendSettings) {
    const { headers } = settings;
    this.requests = createRequestDeadlines(settings.timeoutMillis);
    const delegate = createOtlpHttpExportDelegate(
      {
        url: settings.url,
        headers: async () => headers,
        timeoutMillis: settings.timeoutMillis,
        concurrencyLimit: MAX_CONCURRENT_REQUESTS,
        compression: "none",
        agentFactory: this.requests.agentFactory,
      },
      CanonicalJsonTraceSerializer,
      COMPONENT_TYPE,
      TraceExporterMetricsHelper,
      undefined,
    );
    this.transport = new OTLPExporterBase(delegate);
  }

  get lastStatusCode(): number | undefined {
    return this.requests.lastStatusCode;
  }

  abortAll(reason: string): void {
    this.requests.abortAll(reason);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let translated: ReadableSpan[];
    try {
      translated = spans.map(translateSpanForRespan);
    } catch (error) {
      resultCallback(failedExport(error));
      return;
    }
    this.transport.export(translated, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.transport.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.transport.shutdown();
  }
}

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
import { OTLPExporterBase } from "@opentelemetry/otlp-exporter-base";
import { createOtlpHttpExportDelegate } from "@opentelemetry/otlp-exporter-base/node-http";
import { TraceExporterMetricsHelper } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { CanonicalJsonTraceSerializer } from "./otlp-json.js";
import { createRequestDeadlines } from "./request-deadlines.js";
import { translateSpanForRespan } from "./respan-translation.js";
import { DeadlinedSender, type SpanSender } from "./span-sender.js";

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

export function createRespanSender(settings: RespanSendSettings): SpanSender {
  const { headers } = settings;
  const requests = createRequestDeadlines(settings.timeoutMillis);
  const delegate = createOtlpHttpExportDelegate(
    {
      url: settings.url,
      headers: async () => headers,
      timeoutMillis: settings.timeoutMillis,
      concurrencyLimit: MAX_CONCURRENT_REQUESTS,
      compression: "none",
      agentFactory: requests.agentFactory,
    },
    CanonicalJsonTraceSerializer,
    COMPONENT_TYPE,
    TraceExporterMetricsHelper,
    undefined,
  );
  return new DeadlinedSender(new OTLPExporterBase<ReadableSpan[]>(delegate), requests, translateSpanForRespan);
}

/**
 * Sends spans to Respan: OTLP/HTTP JSON `POST {base}/v2/traces` with `Authorization: Bearer <key>`,
 * translated at export time into the keys Respan reads (see respan-translation.ts).
 *
 * The transport is OpenTelemetry's own OTLP/HTTP export delegate (what OTLPTraceExporter is made of:
 * retries with backoff on 429/502/503/504 and network errors, a request timeout, a bound on concurrent
 * requests; each request under a total deadline, see request-deadlines.ts) with the canonical OTLP JSON serializer, configured explicitly instead of through OTLPTraceExporter
 * so that the OTEL_EXPORTER_OTLP_* variables meant for a collector — its headers (credentials),
 * timeout, compression — never apply to requests to Respan.
 */
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { OTLPExporterBase } from "@opentelemetry/otlp-exporter-base";
import { createOtlpHttpExportDelegate } from "@opentelemetry/otlp-exporter-base/node-http";
import { TraceExporterMetricsHelper } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { DEFAULT_BASE_URL, RESPAN_TRACES_PATH, normaliseBaseUrl } from "../options.js";
import { CanonicalJsonTraceSerializer } from "./otlp-json.js";
import { createRequestDeadlines, type RequestDeadlines } from "./request-deadlines.js";
import { translateSpanForRespan } from "./respan-translation.js";

export const RESPAN_EXPORT_TIMEOUT_MILLIS = 30_000;
/** Export requests in flight at once; further exports fail fast (and are counted) instead of piling up. */
const MAX_CONCURRENT_REQUESTS = 30;
const COMPONENT_TYPE = "otlp_http_json_span_exporter";

export interface RespanSpanExporterOptions {
  /** Respan API key, sent only in the Authorization header. */
  apiKey: string;
  /** Respan API base URL, with or without the trailing "/api". Default https://api.respan.ai/api. */
  baseUrl?: string;
  /** Extra HTTP headers; Authorization and Content-Type cannot be overridden. */
  headers?: Record<string, string>;
  /** Per-export deadline including retries, in ms. Default 30000. */
  timeoutMillis?: number;
}

export class RespanSpanExporter implements SpanExporter {
  /** The trace endpoint requests go to. */
  readonly url: string;
  /** The deadlines of this exporter's requests (the client aborts them when its shutdown deadline passes). */
  readonly requestDeadlines: RequestDeadlines;
  private readonly transport: OTLPExporterBase<ReadableSpan[]>;

  constructor(options: RespanSpanExporterOptions) {
    if (typeof options?.apiKey !== "string" || options.apiKey.trim() === "") {
      throw new Error("RespanSpanExporter: option \"apiKey\" must be a non-empty string");
    }
    this.url = `${normaliseBaseUrl('RespanSpanExporter option "baseUrl"', options.baseUrl ?? DEFAULT_BASE_URL)}${RESPAN_TRACES_PATH}`;
    const headers = {
      ...options.headers,
      "Content-Type": "application/json",
      Authorization: `Bearer ${options.apiKey.trim()}`,
    };
    const timeoutMillis = options.timeoutMillis ?? RESPAN_EXPORT_TIMEOUT_MILLIS;
    this.requestDeadlines = createRequestDeadlines(timeoutMillis);
    const delegate = createOtlpHttpExportDelegate(
      {
        url: this.url,
        headers: async () => headers,
        timeoutMillis,
        concurrencyLimit: MAX_CONCURRENT_REQUESTS,
        compression: "none",
        agentFactory: this.requestDeadlines.agentFactory,
      },
      CanonicalJsonTraceSerializer,
      COMPONENT_TYPE,
      TraceExporterMetricsHelper,
      undefined,
    );
    this.transport = new OTLPExporterBase(delegate);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let translated: ReadableSpan[];
    try {
      translated = spans.map(translateSpanForRespan);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
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

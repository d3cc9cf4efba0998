/**
 * Sends spans to Respan: OTLP/HTTP JSON `POST {base}/v2/traces` with `Authorization: Bearer <key>`,
 * translated at export time into the keys Respan reads (see respan-translation.ts, respan-sender.ts).
 *
 * By default the translation, serialisation and HTTP requests run in an export worker thread
 * (off-thread-sender.ts), so that a batch going out does not hold up the application's event loop; where
 * no worker can run they run on the application's thread, with the same result on the wire.
 */
import type { ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { DEFAULT_BASE_URL, EXPORT_THREADS, RESPAN_TRACES_PATH, normaliseBaseUrl, type ExportThread } from "../options.js";
import { exportThreadOf, startSender } from "./off-thread-sender.js";
import type { ExportRequests } from "./request-deadlines.js";
import type { SpanSender } from "./span-sender.js";

export const RESPAN_EXPORT_TIMEOUT_MILLIS = 30_000;

export interface RespanSpanExporterOptions {
  /** Respan API key, sent only in the Authorization header. */
  apiKey: string;
  /** Respan API base URL, with or without the trailing "/api". Default https://api.respan.ai/api. */
  baseUrl?: string;
  /** Extra HTTP headers; Authorization and Content-Type cannot be overridden. */
  headers?: Record<string, string>;
  /** Per-export deadline including retries, in ms. Default 30000. */
  timeoutMillis?: number;
  /**
   * Where spans are translated, serialised and sent: "worker" (default) in a worker thread of their own,
   * falling back to the application's thread where no worker can run (a bundle without the worker's file,
   * worker threads not permitted); "main" always on the application's thread.
   */
  exportThread?: ExportThread;
}

export class RespanSpanExporter implements SpanExporter {
  /** The trace endpoint requests go to. */
  readonly url: string;
  /** This exporter's requests (the client aborts them when its shutdown deadline passes). */
  readonly requestDeadlines: ExportRequests;
  private readonly sender: SpanSender;

  constructor(options: RespanSpanExporterOptions) {
    if (typeof options?.apiKey !== "string" || options.apiKey.trim() === "") {
      throw new Error("RespanSpanExporter: option \"apiKey\" must be a non-empty string");
    }
    const requested = options.exportThread ?? "worker";
    if (!EXPORT_THREADS.includes(requested)) {
      throw new Error(`RespanSpanExporter: option "exportThread" must be "worker" or "main", got ${JSON.stringify(options.exportThread)}`);
    }
    this.url = `${normaliseBaseUrl('RespanSpanExporter option "baseUrl"', options.baseUrl ?? DEFAULT_BASE_URL)}${RESPAN_TRACES_PATH}`;
    const settings = {
      url: this.url,
      headers: { ...options.headers, "Content-Type": "application/json", Authorization: `Bearer ${options.apiKey.trim()}` },
      timeoutMillis: options.timeoutMillis ?? RESPAN_EXPORT_TIMEOUT_MILLIS,
    };
    this.sender = startSender({ kind: "respan", settings }, requested);
    this.requestDeadlines = this.sender;
  }

  /** Where this exporter's requests are made now: "worker", or "main" (asked for, no worker could run, or it stopped). */
  get exportThread(): ExportThread {
    return exportThreadOf(this.sender);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.sender.export(spans, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.sender.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.sender.shutdown();
  }
}

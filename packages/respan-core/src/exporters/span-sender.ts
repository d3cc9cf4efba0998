/**
 * What the client's HTTP destinations (Respan, an OTLP collector) have in common, wherever they send from:
 * an exporter whose requests each run under a total deadline (request-deadlines.ts), can all be given up
 * on, and report the last HTTP status.
 */
import type { ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { failedExport } from "./export-failure.js";
import type { ExportRequests, RequestDeadlines } from "./request-deadlines.js";

/** A span exporter whose requests can be given up on, and which remembers the last HTTP status. */
export interface SpanSender extends SpanExporter, ExportRequests {
  forceFlush(): Promise<void>;
}

/** The sender of a transport made with `requests.agentFactory`, each span first passed through `prepare`. */
export class DeadlinedSender implements SpanSender {
  constructor(
    private readonly transport: SpanExporter & { forceFlush(): Promise<void> },
    private readonly requests: RequestDeadlines,
    private readonly prepare?: (span: ReadableSpan) => ReadableSpan,
  ) {}

  get lastStatusCode(): number | undefined {
    return this.requests.lastStatusCode;
  }

  abortAll(reason: string): void {
    this.requests.abortAll(reason);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const prepare = this.prepare;
    if (prepare === undefined) {
      this.transport.export(spans, resultCallback);
      return;
    }
    let prepared: ReadableSpan[];
    try {
      prepared = spans.map(prepare);
    } catch (error) {
      resultCallback(failedExport(error));
      return;
    }
    this.transport.export(prepared, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.transport.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.transport.shutdown();
  }
}

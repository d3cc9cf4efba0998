/**
 * Writes each trace as an OTLP JSON file, `<directory>/<traceId>.json`, holding one
 * ExportTraceServiceRequest (built by OpenTelemetry's JsonTraceSerializer, in canonical OTLP JSON — see
 * otlp-json.ts — so any OTLP tool can load it). A trace is written when its local root span ends; spans
 * that end later are merged into the same file. Files are written asynchronously, through a temporary
 * file and a rename so that a reader never sees half a file. Memory is bounded: beyond
 * `maxBufferedSpans` waiting spans, the oldest trace is written out early (its later spans merge in as
 * usual).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { writeFileAtomically } from "./atomic-write.js";
import { failedExport } from "./export-failure.js";
import { isLocalRoot } from "./local-root.js";
import { isPositiveInteger } from "../validate.js";
import { toOtlpJsonRequest } from "./otlp-json.js";
import { createReportWriter, writeCallReport } from "../report/exporter-hook.js";
import type { CallReportWriter } from "../report/report-writer.js";

export const DEFAULT_MAX_BUFFERED_SPANS = 10_000;

export interface TraceFileExporterOptions {
  /** Directory of the trace files (created when the first file is written). */
  directory: string;
  /** Most spans held in memory while their trace's root span is still open. Default 10,000. */
  maxBufferedSpans?: number;
  /** Also write `<traceId>.html`, a self-contained call report, and `index.html` beside the files. Default false. */
  htmlReports?: boolean;
}

interface OtlpJsonRequest {
  resourceSpans?: unknown[];
}

export class TraceFileExporter implements SpanExporter {
  readonly directory: string;
  private readonly maxBufferedSpans: number;
  /** Ended spans whose trace is not written yet, by trace id, oldest trace first. */
  private readonly pending = new Map<string, ReadableSpan[]>();
  private bufferedSpans = 0;
  /** The last write of each trace being written; writes of one trace run one after the other. */
  private readonly writes = new Map<string, Promise<void>>();
  private isShutdown = false;
  private readonly reports: CallReportWriter | undefined;

  constructor(options: TraceFileExporterOptions) {
    if (typeof options?.directory !== "string" || options.directory.trim() === "") {
      throw new Error('TraceFileExporter: option "directory" must be a non-empty path');
    }
    const max = options.maxBufferedSpans ?? DEFAULT_MAX_BUFFERED_SPANS;
    if (!isPositiveInteger(max)) {
      throw new Error(`TraceFileExporter: option "maxBufferedSpans" must be a positive integer; got ${String(max)}`);
    }
    this.directory = path.resolve(options.directory);
    this.maxBufferedSpans = max;
    this.reports = createReportWriter(options.htmlReports, this.directory);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error("TraceFileExporter is shut down") });
      return;
    }
    const finished = new Set<string>();
    for (const span of spans) {
      const traceId = span.spanContext().traceId;
      const bucket = this.pending.get(traceId);
      if (bucket === undefined) this.pending.set(traceId, [span]);
      else bucket.push(span);
      this.bufferedSpans += 1;
      if (isLocalRoot(span)) finished.add(traceId);
    }
    const writes = [...finished].map((traceId) => this.writeTrace(traceId));
    while (this.bufferedSpans > this.maxBufferedSpans) {
      const oldest = this.pending.keys().next().value as string;
      writes.push(this.writeTrace(oldest));
    }
    if (writes.length === 0) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    Promise.all(writes).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: unknown) =>
        resultCallback(failedExport(error)),
    );
  }

  /** Writes every waiting trace, finished or not, and waits for all writes. */
  async forceFlush(): Promise<void> {
    for (const traceId of [...this.pending.keys()]) void this.writeTrace(traceId).catch(() => undefined);
    await Promise.allSettled([...this.writes.values()]);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.isShutdown = true;
  }

  private writeTrace(traceId: string): Promise<void> {
    const spans = this.pending.get(traceId) ?? [];
    this.pending.delete(traceId);
    this.bufferedSpans -= spans.length;
    const previous = this.writes.get(traceId) ?? Promise.resolve();
    const write = previous.catch(() => undefined).then(() => this.mergeIntoFile(traceId, spans));
    this.writes.set(traceId, write);
    const forget = () => {
      if (this.writes.get(traceId) === write) this.writes.delete(traceId);
    };
    write.then(forget, forget);
    return write;
  }

  private async mergeIntoFile(traceId: string, spans: ReadableSpan[]): Promise<void> {
    const request: OtlpJsonRequest | undefined = toOtlpJsonRequest(spans);
    if (request === undefined) return;
    const file = path.join(this.directory, `${traceId}.json`);
    const earlier = await readExistingRequest(file);
    if (earlier?.resourceSpans !== undefined) {
      request.resourceSpans = [...earlier.resourceSpans, ...(request.resourceSpans ?? [])];
    }
    await writeFileAtomically(file, `${JSON.stringify(request, null, 2)}\n`);
    await writeCallReport(this.reports, traceId, request);
  }
}

/** The request already in `file`, or undefined when there is none (or it is not ours to merge). */
async function readExistingRequest(file: string): Promise<OtlpJsonRequest | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as OtlpJsonRequest;
    return Array.isArray(parsed?.resourceSpans) ? parsed : undefined;
  } catch {
    // Not an OTLP JSON file (e.g. edited by hand): it is replaced rather than merged.
    return undefined;
  }
}

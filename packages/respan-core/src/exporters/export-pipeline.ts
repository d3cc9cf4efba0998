/**
 * One exporter's path out of the process: a bounded BatchSpanProcessor (or a SimpleSpanProcessor when
 * batching is off) in front of the exporter, with counts of exported, failed, dropped and pending spans.
 * Export failures and queue overflows are reported once on the console and never reach the caller's code.
 */
import {
  createNoopMeter,
  TraceFlags,
  type Attributes,
  type Context,
  type Counter,
  type Meter,
  type MeterProvider,
} from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace";
import { describeError, type Logger } from "../logger.js";
import type { BatchingOptions } from "../options.js";
import { failedExport } from "./export-failure.js";
import type { ExportRequests } from "./request-deadlines.js";

/** Span counts of one exporter since the client started. */
export interface ExporterStats {
  /** "respan", "otlp", "file", or "exporters[i]" for the ones given in options. */
  readonly name: string;
  /** Spans the exporter reported as delivered. */
  exported: number;
  /** Spans in exports that failed (after the exporter's own retries). */
  failed: number;
  /**
   * Spans dropped before export: the batching queue was full, or they were still waiting when shutdown's
   * deadline passed.
   */
  dropped: number;
  /** Spans handed to the exporter's queue and not yet exported, failed or dropped. */
  pending: number;
}

// The BatchSpanProcessor reports each span it drops on a full queue through this self-observability
// counter (OpenTelemetry semantic conventions for SDK metrics); it is the only public signal of a drop.
const PROCESSED_SPANS_METRIC = "otel.sdk.processor.span.processed";
const ATTR_ERROR_TYPE = "error.type";
const QUEUE_FULL = "queue_full";

/**
 * Counts the results of every export and logs the first failure. A failure counted here is settled: the
 * processor is told SUCCESS, since it would otherwise hand the error to OpenTelemetry's global error
 * handler, which prints every single failure through the diag logger the client installs.
 */
class MonitoredExporter implements SpanExporter {
  constructor(
    private readonly exporter: SpanExporter,
    private readonly stats: ExporterStats,
    private readonly logger: Logger,
    private readonly requests: ExportRequests | undefined,
  ) {}

  /** Set once the pipeline gave up on its pending spans (counted as dropped): later results are ignored. */
  abandoned = false;

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let settled = false;
    const settle = (result: ExportResult) => {
      if (settled) return;
      settled = true;
      if (this.abandoned) return resultCallback({ code: ExportResultCode.SUCCESS });
      this.stats.pending = Math.max(0, this.stats.pending - spans.length);
      if (result.code === ExportResultCode.SUCCESS) {
        this.stats.exported += spans.length;
      } else {
        this.stats.failed += spans.length;
        this.logger.warnOnce(
          `export-failed:${this.stats.name}`,
          `sending spans to ${this.stats.name} failed (${describeExportError(result.error, this.requests?.lastStatusCode)}); ` +
            "later failures are only counted (see getStats())",
        );
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    try {
      this.exporter.export(spans, settle);
    } catch (error) {
      settle(failedExport(error));
    }
  }

  async forceFlush(): Promise<void> {
    try {
      await this.exporter.forceFlush?.();
    } catch (error) {
      this.logger.warnOnce(`flush-failed:${this.stats.name}`, `flushing ${this.stats.name} failed: ${describeError(error)}`);
    }
  }

  async shutdown(): Promise<void> {
    try {
      await this.exporter.shutdown();
    } catch (error) {
      this.logger.warn(`shutting down ${this.stats.name} failed: ${describeError(error)}`);
    }
  }
}

/**
 * The failure with its HTTP status. After retries of a retryable status (429, 502, 503, 504) OpenTelemetry's
 * error carries no code, so the last status the transport saw is named instead.
 */
function describeExportError(error: unknown, lastStatusCode: number | undefined): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const statusCode = typeof code === "number" ? code : lastStatusCode !== undefined && lastStatusCode >= 300 ? lastStatusCode : undefined;
  const reason = error === undefined ? "no reason given" : describeError(error);
  return statusCode === undefined ? reason : `HTTP ${statusCode}: ${reason}`;
}

/** A MeterProvider whose only live instrument is the processed-spans counter, feeding `onDropped`. */
function dropCountingMeterProvider(onDropped: (count: number) => void): MeterProvider {
  const noop = createNoopMeter();
  const dropCounter: Counter = {
    add(value: number, attributes?: Attributes, _context?: Context) {
      if (attributes?.[ATTR_ERROR_TYPE] === QUEUE_FULL) onDropped(value);
    },
  };
  const meter: Meter = Object.create(noop);
  meter.createCounter = ((name: string, options?: Parameters<Meter["createCounter"]>[1]) =>
    name === PROCESSED_SPANS_METRIC ? dropCounter : noop.createCounter(name, options)) as Meter["createCounter"];
  return { getMeter: () => meter };
}

/**
 * A BatchSpanProcessor that counts the spans it drops on a full queue and reports them: once when the
 * first overflow ends (with how many were lost), and at shutdown if more were lost after that.
 */
class DropReportingBatchProcessor implements SpanProcessor {
  private readonly batch: BatchSpanProcessor;
  private reportedDrops = 0;
  private firstReportDone = false;

  constructor(
    exporter: SpanExporter,
    batching: BatchingOptions,
    private readonly stats: ExporterStats,
    private readonly logger: Logger,
  ) {
    const selfObsMeterProvider: MeterProvider = dropCountingMeterProvider((count) => {
      this.stats.dropped += count;
    });
    this.batch = new BatchSpanProcessor({ ...batching, exporter, selfObsMeterProvider });
  }

  onStart(span: Span, parentContext: Context): void {
    this.batch.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const droppedBefore = this.stats.dropped;
    this.batch.onEnd(span);
    if (this.stats.dropped === droppedBefore && isSampled(span)) this.stats.pending += 1;
    // An accepted span after drops means the overflow is over: the count is final for this episode.
    if (!this.firstReportDone && this.stats.dropped === droppedBefore && this.stats.dropped > 0) {
      this.firstReportDone = true;
      this.report();
    }
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  async shutdown(): Promise<void> {
    try {
      await this.batch.shutdown();
    } finally {
      if (this.stats.dropped > this.reportedDrops) this.report();
    }
  }

  private report(): void {
    const newDrops = this.stats.dropped - this.reportedDrops;
    this.reportedDrops = this.stats.dropped;
    this.logger.warn(
      `${newDrops} span(s) for ${this.stats.name} were dropped because its export queue was full ` +
        `(${this.stats.dropped} in total); raise batching.maxQueueSize or check that the destination keeps up`,
    );
  }
}

/** A SimpleSpanProcessor that counts the spans it hands to its exporter as pending until they settle. */
class CountingSimpleProcessor extends SimpleSpanProcessor {
  constructor(
    exporter: SpanExporter,
    private readonly stats: ExporterStats,
  ) {
    super({ exporter });
  }

  override onEnd(span: ReadableSpan): void {
    if (isSampled(span)) this.stats.pending += 1;
    super.onEnd(span);
  }
}

// Both processors export sampled spans only: the others never become pending.
function isSampled(span: ReadableSpan): boolean {
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
}

export interface ExportPipeline {
  readonly processor: SpanProcessor;
  /** The exporter as wrapped by the pipeline (counting, never throwing, failures settled after counting). */
  readonly exporter: SpanExporter;
  readonly stats: ExporterStats;
  /**
   * Gives up on what is still pending (shutdown's deadline passed): requests in flight are destroyed and
   * the pending spans counted as dropped. Returns how many were dropped.
   */
  abandon(reason: string): number;
}

/** Builds the processor that feeds `exporter`, batching or not, with its counts. */
export function createExportPipeline(
  name: string,
  exporter: SpanExporter,
  batching: BatchingOptions | false,
  logger: Logger,
  requests?: ExportRequests,
): ExportPipeline {
  const stats: ExporterStats = { name, exported: 0, failed: 0, dropped: 0, pending: 0 };
  const monitored = new MonitoredExporter(exporter, stats, logger, requests);
  const processor =
    batching === false
      ? new CountingSimpleProcessor(monitored, stats)
      : new DropReportingBatchProcessor(monitored, batching, stats, logger);
  const abandon = (reason: string) => {
    monitored.abandoned = true;
    requests?.abortAll(reason);
    const abandoned = stats.pending;
    stats.pending = 0;
    stats.dropped += abandoned;
    return abandoned;
  };
  return { processor, exporter: monitored, stats, abandon };
}

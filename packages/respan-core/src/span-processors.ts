/**
 * The span processors that make spans Respan spans: attribute propagation first (so every later
 * processor sees the stamped attributes), then the trace hold in front of one export pipeline per
 * destination (Respan, an OTLP collector, the console, trace files, exporters given as options) and the
 * terminal tree. `new Respan()` builds its own provider with them; `createRespanSpanProcessors()` hands
 * them to a provider the application builds itself, e.g. `new NodeSDK({ spanProcessors })`.
 */
import { ConsoleSpanExporter, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace";
import { setTraceContentEnabled } from "./content-capture.js";
import { envInteger, otlpTimeoutMillis } from "./env-config.js";
import { createExportPipeline, type ExportPipeline } from "./exporters/export-pipeline.js";
import { exportThreadOf, startSender } from "./exporters/off-thread-sender.js";
import type { ExportRequests } from "./exporters/request-deadlines.js";
import { RespanSpanExporter } from "./exporters/respan-exporter.js";
import { TraceFileExporter } from "./exporters/trace-file-exporter.js";
import { TraceTreePrinter } from "./exporters/tree-printer.js";
import { Logger } from "./logger.js";
import { resolveOptions, type ExportThread, type ResolvedOptions, type RespanOptions } from "./options.js";
import { PropagationSpanProcessor } from "./propagation.js";
import { TraceHoldSpanProcessor } from "./trace-hold.js";

export interface RespanProcessing {
  /** The processors, in the order a provider must run them. */
  processors: SpanProcessor[];
  pipelines: ExportPipeline[];
  /** The hold in front of the export pipelines: where spans received from elsewhere join (see receiveOtlpJson). */
  traceHold: TraceHoldSpanProcessor;
  /** Where spans go, for the startup message. */
  destinations: string[];
}

/** OpenTelemetry's default size of a BatchSpanProcessor's queue. */
const DEFAULT_MAX_QUEUE_SIZE = 2048;

// Set once processors were built for a provider of the application's, so that a client joining that
// provider knows its spans already reach Respan's exporters (shared by the ESM and CommonJS builds).
const PROCESSORS_CREATED_KEY = Symbol.for("@respan/core.spanProcessorsCreated");
type ProcessorsCreatedHolder = { [PROCESSORS_CREATED_KEY]?: boolean };

export function respanProcessorsCreated(): boolean {
  return (globalThis as ProcessorsCreatedHolder)[PROCESSORS_CREATED_KEY] === true;
}

function sentFrom(thread: ExportThread): string {
  return thread === "worker" ? "sent from an export worker" : "sent from the application's thread";
}

/** Builds the processors and export pipelines for validated options. Throws on bad attribute defaults. */
export function buildRespanProcessing(resolved: ResolvedOptions, logger: Logger): RespanProcessing {
  // Built before the exporters: it validates the attribute defaults (and throws on bad ones).
  const propagation = new PropagationSpanProcessor(resolved.baseAttributes);
  const pipelines: ExportPipeline[] = [];
  const destinations: string[] = [];
  const add = (name: string, exporter: SpanExporter, description: string, requests?: ExportRequests) => {
    pipelines.push(createExportPipeline(name, exporter, resolved.batching, logger, requests));
    destinations.push(description);
  };
  if (resolved.apiKey !== undefined) {
    const exporter = new RespanSpanExporter({
      apiKey: resolved.apiKey,
      baseUrl: resolved.baseUrl,
      headers: resolved.headers,
      exportThread: resolved.exportThread,
    });
    add("respan", exporter, `Respan (${exporter.url}, ${sentFrom(exporter.exportThread)})`, exporter.requestDeadlines);
  }
  if (resolved.otlpProtocol !== undefined) {
    const spec = { kind: "otlp", protocol: resolved.otlpProtocol, timeoutMillis: otlpTimeoutMillis(process.env) } as const;
    const sender = startSender(spec, resolved.exportThread);
    add("otlp", sender, `OTLP collector (${resolved.otlpProtocol}, ${sentFrom(exportThreadOf(sender))})`, sender);
  }
  if (resolved.consoleExporter) add("console", new ConsoleSpanExporter(), "console");
  if (resolved.tracesDir !== undefined) {
    add("file", new TraceFileExporter({ directory: resolved.tracesDir, htmlReports: resolved.htmlReports }), `trace files in ${resolved.tracesDir}`);
  }
  resolved.exporters.forEach((exporter, index) =>
    add(`exporters[${index}]`, exporter, `exporters[${index}]`, exporter instanceof RespanSpanExporter ? exporter.requestDeadlines : undefined),
  );
  const printer = resolved.printTree === undefined ? undefined : new TraceTreePrinter(resolved.printTree);
  if (printer !== undefined) destinations.push("terminal tree");
  const downstream: SpanProcessor[] = [
    ...resolved.spanProcessors,
    ...pipelines.map((pipeline) => pipeline.processor),
    ...(printer === undefined ? [] : [printer]),
  ];
  // The trace hold lets an instrumentation withhold a whole trace from export (e.g. an aborted session).
  // Released spans enter the export queues in slices that leave room for live traffic.
  const queueSize =
    (resolved.batching === false ? undefined : resolved.batching.maxQueueSize) ??
    envInteger(process.env, "OTEL_BSP_MAX_QUEUE_SIZE", 1) ??
    DEFAULT_MAX_QUEUE_SIZE;
  const traceHold = new TraceHoldSpanProcessor(downstream, {
    releaseBatchSize: Math.max(1, Math.floor(queueSize / 4)),
    onDropped: (count, reason) => {
      logger.warnOnce("hold-dropped", `${count} held span(s) were dropped: ${reason}; later drops are only counted (see getStats())`);
    },
  });
  return { processors: [propagation, traceHold], pipelines, traceHold, destinations };
}

/** Options of createRespanSpanProcessors: the client's, minus what belongs to the provider's owner. */
export type RespanSpanProcessorsOptions = Omit<RespanOptions, "instrumentations" | "instrumentModules" | "tracerProvider" | "flushOnExit" | "exitFlushTimeoutMillis">;

const PROVIDER_OWNER_OPTIONS = ["instrumentations", "instrumentModules", "tracerProvider", "flushOnExit", "exitFlushTimeoutMillis"];

/**
 * The span processors of a Respan client — attribute propagation plus Respan export (and the other
 * destinations the options and environment choose) — for a tracer provider the application builds:
 * `new NodeSDK({ spanProcessors: createRespanSpanProcessors(), instrumentations: [...] })`. That provider
 * then owns flushing and shutdown. Empty when tracing is disabled (enabled: false, OTEL_SDK_DISABLED=true).
 */
export function createRespanSpanProcessors(options: RespanSpanProcessorsOptions = {}): SpanProcessor[] {
  const misplaced = PROVIDER_OWNER_OPTIONS.find((name) => name in (options as object));
  if (misplaced !== undefined) {
    throw new TypeError(
      `createRespanSpanProcessors: option "${misplaced}" belongs to the tracer provider's owner (e.g. NodeSDK), not here`,
    );
  }
  const resolved = resolveOptions(options);
  const logger = new Logger(resolved.logLevel, [resolved.apiKey]);
  for (const warning of resolved.warnings) logger.warn(warning);
  setTraceContentEnabled(resolved.traceContent);
  if (!resolved.enabled) return [];
  const { processors, destinations } = buildRespanProcessing(resolved, logger);
  (globalThis as ProcessorsCreatedHolder)[PROCESSORS_CREATED_KEY] = true;
  logger.info(`span processors created, tracing to: ${destinations.length > 0 ? destinations.join(", ") : "nowhere"}`);
  return processors;
}

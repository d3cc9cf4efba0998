/**
 * `new Respan(options)`: one tracer provider for the process, the AsyncLocalStorage context manager,
 * the instrumentations, and the exporters chosen from options and environment (Respan, an OTLP
 * collector, extra exporters; with none of them, trace files and a terminal tree) — or, when the
 * application already has a tracer provider (a NodeSDK, the `tracerProvider` option), the instrumentations
 * joined to that one. Also flush, shutdown
 * and the flush at process exit, OpenTelemetry's diagnostics shown through the client's logger, and the
 * process-wide tracing-enabled state. Telemetry failures are logged and never thrown into the caller's code.
 */
import { context, propagation, trace, type TracerProvider } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from "@opentelemetry/resources";
import { TracerProvider as SdkTracerProvider } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { setTraceContentEnabled } from "./content-capture.js";
import { installDiagBridge } from "./diag-bridge.js";
import { installExitHandlers } from "./exit-handlers.js";
import { forceFlushProvider, isGlobalRegistered, registeredTracerProvider, type FlushableTracerProvider } from "./existing-providers.js";
import type { ExportPipeline, ExporterStats } from "./exporters/export-pipeline.js";
import { spansFromOtlpJson } from "./exporters/otlp-json-spans.js";
import { checkInstrumentationSetup, disableInstrumentations, instrumentModules, registerInstrumentations, type Instrumentation } from "./instrumentations.js";
import { describeError, Logger } from "./logger.js";
import { ClientMetrics } from "./metrics/client-metrics.js";
import { resolveMetricsSettings } from "./metrics/metrics-options.js";
import { resolveOptions, type ResolvedOptions, type RespanOptions } from "./options.js";
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME } from "@respan/semconv-pipecat";
import { buildRespanProcessing, respanProcessorsCreated } from "./span-processors.js";
import type { TraceHoldSpanProcessor } from "./trace-hold.js";
import { publishTracingEnabled, withdrawTracingEnabled } from "./tracing-enabled.js";

/** `service.name` when neither an option nor an environment variable names the service. */
export const DEFAULT_SERVICE_NAME = "respan-app";

// One client per process, shared by the ESM and CommonJS builds of this package.
const CLIENT_KEY = Symbol.for("@respan/core.client");
type ClientHolder = { [CLIENT_KEY]?: Respan };
const holder = globalThis as ClientHolder;

/** Span counts since the client started, in total and per exporter. */
export interface RespanStats {
  exported: number;
  failed: number;
  /** Spans lost before export: a full queue, shutdown's deadline, a held span that could not be kept. */
  dropped: number;
  /** Spans queued for export and not settled yet. */
  pending: number;
  /** Spans withheld from export right now (traces of sessions still running or being released). */
  held: number;
  /** Spans deliberately not exported: the traces of aborted sessions. */
  discarded: number;
  exporters: ExporterStats[];
}

/** A per-call bound on flush() / shutdown(). */
export interface DeadlineOptions {
  /** Longest wait, in ms; the client's flushTimeoutMillis / shutdownTimeoutMillis when omitted. */
  timeoutMillis?: number;
}

const TIMED_OUT = Symbol("timed out");

/** Resolves with `promise`'s completion, or with TIMED_OUT after `timeoutMillis` (the timer never keeps the process alive). */
function withinDeadline(promise: Promise<void>, timeoutMillis: number): Promise<void | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMillis);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Which OpenTelemetry globals this client installed (and so must remove at shutdown). */
interface RegisteredGlobals {
  tracerProvider: boolean;
  contextManager: boolean;
  propagator: boolean;
}

export class Respan {
  /** False when tracing is disabled: nothing is registered or exported. */
  readonly enabled: boolean;
  /** Absolute directory of the OTLP JSON trace files, when that exporter is on. */
  readonly tracesDir: string | undefined;
  /** Whether spans may carry content (prompts, transcripts): option `traceContent` / RESPAN_TRACE_CONTENT. */
  readonly traceContent: boolean;
  /** The tracer provider the instrumentations report to: the client's own or the one it joined (undefined when disabled). */
  readonly tracerProvider: TracerProvider | undefined;
  /** True when the client joined a tracer provider it did not create (flush() flushes it; shutdown() leaves it running). */
  readonly joinedExistingProvider: boolean = false;
  /** Absolute path of the offline OTLP JSON metrics file (beside the trace files), when it is written. */
  readonly metricsFile: string | undefined;

  private readonly logger: Logger;
  private readonly pipelines: ExportPipeline[] = [];
  private traceHold: TraceHoldSpanProcessor | undefined;
  private flushTimeoutMillis = 0;
  private shutdownTimeoutMillis = 0;
  private readonly instrumentations: Instrumentation[] = [];
  private readonly metrics: ClientMetrics | undefined;
  private readonly globals: RegisteredGlobals = { tracerProvider: false, contextManager: false, propagator: false };
  private removeExitHandlers: (() => void) | undefined;
  private removeDiagBridge: (() => void) | undefined;
  private flushing: Promise<void> | undefined;
  private setupChecked = false;
  private shuttingDown: Promise<void> | undefined;

  /**
   * Validates the options (throws an Error naming the option on bad input) and starts tracing. A second
   * construction in the same process warns and returns the first client: one provider, no duplicate export.
   */
  constructor(options?: RespanOptions) {
    const resolved = resolveOptions(options);
    const metricsSettings = resolveMetricsSettings(options?.metricReaders, process.env);
    this.logger = new Logger(resolved.logLevel, [resolved.apiKey]);
    this.enabled = resolved.enabled;
    this.traceContent = resolved.traceContent;
    this.tracesDir = resolved.enabled ? resolved.tracesDir : undefined;

    const existing = holder[CLIENT_KEY];
    if (existing !== undefined) {
      this.logger.warn(
        "Respan is already initialised in this process; returning the existing client " +
          "(the options of this new Respan(...) are ignored)",
      );
      return existing;
    }
    for (const warning of resolved.warnings) this.logger.warn(warning);
    setTraceContentEnabled(resolved.traceContent);

    if (!resolved.enabled) {
      this.tracerProvider = undefined;
      this.metrics = undefined;
      this.metricsFile = undefined;
      // An InstrumentationBase enables itself when constructed: switch the given ones off, so that they
      // neither patch nor record anything.
      disableInstrumentations(resolved.instrumentations, this.logger);
      publishTracingEnabled(false);
      this.logger.info("tracing is disabled: nothing will be recorded or exported");
      return;
    }

    const resource = buildResource(resolved);
    const applicationProvider = resolved.tracerProvider ?? registeredTracerProvider();
    let destinations: string[];
    if (applicationProvider !== undefined) {
      this.tracerProvider = applicationProvider;
      this.joinedExistingProvider = true;
      destinations = [this.describeJoinedProvider(resolved)];
    } else {
      const processing = buildRespanProcessing(resolved, this.logger);
      this.pipelines.push(...processing.pipelines);
      this.traceHold = processing.traceHold;
      destinations = processing.destinations;
      this.tracerProvider = new SdkTracerProvider({ resource, spanProcessors: processing.processors });
    }
    this.flushTimeoutMillis = resolved.flushTimeoutMillis;
    this.shutdownTimeoutMillis = resolved.shutdownTimeoutMillis;
    // Before the instrumentations are enabled, so that what they report through `diag` is shown.
    this.removeDiagBridge = installDiagBridge(this.logger, resolved.logLevel);
    if (!this.joinedExistingProvider) this.registerGlobals(this.tracerProvider);
    this.instrumentations = registerInstrumentations(
      resolved.instrumentations,
      this.tracerProvider,
      resolved.traceContent,
      this.logger,
    );
    instrumentModules(this.instrumentations, resolved.instrumentModules, this.logger);
    this.metrics = ClientMetrics.create({
      settings: metricsSettings,
      resource,
      tracesDir: resolved.tracesDir,
      // The summary follows the trace tree, wherever that goes (by default, like the tree, to stderr).
      summaryWrite: resolved.printTree && (resolved.printTree.write ?? ((text) => void process.stderr.write(text))),
      logger: this.logger,
    });
    this.metrics?.attach(this.instrumentations);
    this.metricsFile = this.metrics?.metricsFile;
    if (resolved.flushOnExit) {
      const timeoutMillis = resolved.exitFlushTimeoutMillis;
      this.removeExitHandlers = installExitHandlers({
        flush: () => this.flushBeforeExit(timeoutMillis),
        shutdown: () => this.shutdown({ timeoutMillis }),
        timeoutMillis,
        logger: this.logger,
      });
    }
    holder[CLIENT_KEY] = this;
    publishTracingEnabled(true);
    this.logger.info(`tracing to: ${destinations.length > 0 ? destinations.join(", ") : "nowhere (no exporter configured)"}`);
    this.logger.info(`metrics to: ${this.metrics?.destinations.join(", ") ?? "nowhere (no metric destination configured)"}`);
  }

  /**
   * Resolves once the client is ready. Setup happens in the constructor, so this only exists for code
   * written against Respan's other JavaScript SDK (`await respan.initialize()`).
   */
  initialize(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Exports every finished span now and waits for it, at most `timeoutMillis` (default flushTimeoutMillis,
   * 10 s) whatever the backend does; what is still unsent then stays queued and is reported. Spans of held
   * traces (running sessions) stay held. Concurrent calls share one flush; it never rejects (a failure is
   * logged and counted in getStats()).
   */
  async flush(options: DeadlineOptions = {}): Promise<void> {
    const provider = this.tracerProvider;
    if (provider === undefined) return;
    if (this.shuttingDown !== undefined) return this.shuttingDown;
    if (!this.setupChecked) {
      this.setupChecked = true;
      checkInstrumentationSetup(this.instrumentations);
    }
    const timeoutMillis = this.deadlineOf(options, this.flushTimeoutMillis, "flush");
    this.flushing ??= this.flushAll(provider).finally(() => {
      this.flushing = undefined;
    });
    if ((await withinDeadline(this.flushing, timeoutMillis)) === TIMED_OUT) {
      this.logger.warnOnce(
        "flush-timeout",
        `flush() did not finish within ${timeoutMillis} ms: ${this.getStats().pending} span(s) still waiting to be ` +
          "sent (they stay queued; see getStats().pending; later timeouts are not reported)",
      );
    }
  }

  /**
   * Disables the instrumentations, releases the traces still held (those of sessions that were not
   * aborted), flushes, shuts the provider down and unregisters the OpenTelemetry globals; afterwards a new
   * Respan can be created. Returns within `timeoutMillis` (default shutdownTimeoutMillis, 30 s) whatever the
   * backend does: requests still in flight then are abandoned and the spans not sent counted as dropped
   * and reported. Idempotent; never rejects.
   */
  shutdown(options: DeadlineOptions = {}): Promise<void> {
    const provider = this.tracerProvider;
    if (provider === undefined) return Promise.resolve();
    const timeoutMillis = this.deadlineOf(options, this.shutdownTimeoutMillis, "shutdown");
    this.shuttingDown ??= this.shutdownAll(provider, timeoutMillis);
    return this.shuttingDown;
  }

  /**
   * Hands spans received as an OTLP/HTTP JSON request (e.g. a browser's half of a call, posted to your
   * server) to this client's exporters, beside its own spans: same files, tree, collector. The request is
   * untrusted input: malformed spans are skipped and counted. Returns how many were accepted and skipped.
   */
  receiveOtlpJson(request: unknown): { accepted: number; skipped: number } {
    // Received spans take the path the client's own take after they end: held traces, export queues.
    const chain = this.traceHold;
    if (chain === undefined || this.shuttingDown !== undefined) return { accepted: 0, skipped: 0 };
    const { spans, skipped } = spansFromOtlpJson(request);
    for (const span of spans) {
      try {
        chain.onEnd(span);
      } catch (error) {
        this.logger.warnOnce("receive-failed", `exporting received spans failed: ${describeError(error)}`);
      }
    }
    return { accepted: spans.length, skipped };
  }

  /** Spans exported, failed, dropped, pending, held and discarded so far, per exporter and in total. */
  getStats(): RespanStats {
    const exporters = this.pipelines.map((pipeline) => ({ ...pipeline.stats }));
    const total = (field: "exported" | "failed" | "dropped" | "pending") =>
      exporters.reduce((sum, stats) => sum + stats[field], 0);
    const hold = this.traceHold?.stats ?? { held: 0, dropped: 0, discarded: 0 };
    return {
      exported: total("exported"),
      failed: total("failed"),
      dropped: total("dropped") + hold.dropped,
      pending: total("pending"),
      held: hold.held,
      discarded: hold.discarded,
      exporters,
    };
  }

  private deadlineOf(options: DeadlineOptions, fallback: number, method: string): number {
    const value = options?.timeoutMillis;
    if (value === undefined) return fallback;
    if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
    this.logger.warnOnce(`${method}-timeout`, `${method}({ timeoutMillis }) must be a positive integer (got ${String(value)}); using ${fallback} ms`);
    return fallback;
  }

  /** The beforeExit flush: bounded; past its deadline, requests in flight are abandoned so the process can end. */
  private async flushBeforeExit(timeoutMillis: number): Promise<void> {
    const provider = this.tracerProvider;
    if (provider === undefined || this.shuttingDown !== undefined) return;
    if ((await withinDeadline(this.flushAll(provider), timeoutMillis)) !== TIMED_OUT) return;
    const dropped = this.pipelines.reduce((sum, pipeline) => sum + pipeline.abandon("the process is exiting"), 0);
    this.logger.warn(`the exit-time flush did not finish within ${timeoutMillis} ms: ${dropped} span(s) not sent were dropped`);
  }

  /**
   * The startup description of a joined provider; warns (once) when nothing Respan-made processes its
   * spans, since then no attribute is propagated and nothing is sent to Respan.
   */
  private describeJoinedProvider(resolved: ResolvedOptions): string {
    const origin = resolved.tracerProvider !== undefined ? "the tracer provider given" : "the tracer provider already registered";
    if (!respanProcessorsCreated()) {
      this.logger.warn(
        `Respan joined ${origin} (e.g. a NodeSDK) instead of creating its own; its spans go only to that ` +
          "provider's exporters. To also propagate attributes and send them to Respan, build it with " +
          "createRespanSpanProcessors(): new NodeSDK({ spanProcessors: createRespanSpanProcessors(), ... })",
      );
    }
    return origin;
  }

  /** Registers the provider, a context manager and propagators, each only where no one else did (no duplicate-registration errors). */
  private registerGlobals(provider: TracerProvider): void {
    if (!isGlobalRegistered("context")) {
      const contextManager = new AsyncLocalStorageContextManager().enable();
      this.globals.contextManager = context.setGlobalContextManager(contextManager);
      if (!this.globals.contextManager) contextManager.disable();
    }
    this.globals.tracerProvider = trace.setGlobalTracerProvider(provider);
    if (!isGlobalRegistered("propagation")) {
      this.globals.propagator = propagation.setGlobalPropagator(
        new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
      );
    }
  }

  private unregisterGlobals(): void {
    if (this.globals.tracerProvider) trace.disable();
    if (this.globals.contextManager) context.disable();
    if (this.globals.propagator) propagation.disable();
  }

  private async flushAll(provider: FlushableTracerProvider): Promise<void> {
    try {
      await forceFlushProvider(provider);
    } catch (error) {
      this.logger.warnOnce("flush-failed", `flushing spans failed: ${describeError(error)}`);
    }
    // Batching processors do not flush their exporter; the file exporter writes unfinished traces here.
    await Promise.all(this.pipelines.map((pipeline) => pipeline.exporter.forceFlush?.()));
    // After the spans: the offline summary is printed below the trace tree.
    await this.metrics?.forceFlush();
  }

  private async shutdownAll(provider: FlushableTracerProvider, timeoutMillis: number): Promise<void> {
    this.removeExitHandlers?.();
    disableInstrumentations(this.instrumentations, this.logger);
    // The provider's shutdown releases the held traces (TraceHoldSpanProcessor) and drains every queue.
    const drained = this.flushAll(provider).then(async () => {
      try {
        // A joined provider belongs to the application, which shuts it down itself.
        if (!this.joinedExistingProvider) await provider.shutdown?.();
      } catch (error) {
        this.logger.warn(`shutting down the tracer provider failed: ${describeError(error)}`);
      }
    });
    if ((await withinDeadline(drained, timeoutMillis)) === TIMED_OUT) {
      const held = this.traceHold?.abandon() ?? 0;
      const unsent = this.pipelines.reduce((sum, pipeline) => sum + pipeline.abandon("shutdown's deadline passed"), 0);
      this.logger.warn(
        `shutdown() did not finish within ${timeoutMillis} ms: ${unsent + held} span(s) not sent were dropped ` +
          "(counted in getStats().dropped)",
      );
    }
    await this.metrics?.shutdown();
    this.unregisterGlobals();
    this.removeDiagBridge?.();
    withdrawTracingEnabled();
    if (holder[CLIENT_KEY] === this) delete holder[CLIENT_KEY];
  }
}

/**
 * The resource: OpenTelemetry's default (telemetry.sdk.name/language/version) < default service name <
 * OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES < environment < resourceAttributes option < appName /
 * RESPAN_APP_NAME. The provider adds the SDK's default only when given no resource, so it is merged here.
 */
function buildResource(resolved: ResolvedOptions): Resource {
  let resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME }))
    .merge(detectResources({ detectors: [envDetector] }));
  if (resolved.environment !== undefined) {
    resource = resource.merge(resourceFromAttributes({ [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: resolved.environment }));
  }
  resource = resource.merge(resourceFromAttributes(resolved.resourceAttributes));
  if (resolved.serviceName !== undefined) {
    resource = resource.merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: resolved.serviceName }));
  }
  return resource;
}

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
import { checkInstrumentationSetup, disableInstrumentations, instrumentModules, registerInstrumentations, type Instrumentation } from "./instrumentations.js";
import { describeError, Logger } from "./logger.js";
import { resolveOptions, type ResolvedOptions, type RespanOptions } from "./options.js";
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME } from "@respan/semconv-pipecat";
import { buildRespanProcessing, respanProcessorsCreated } from "./span-processors.js";
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
  dropped: number;
  exporters: ExporterStats[];
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
  /** The tracer provider the instrumentations report to: the client's own or the one it joined (undefined when disabled). */
  readonly tracerProvider: TracerProvider | undefined;
  /** True when the client joined a tracer provider it did not create (flush() flushes it; shutdown() leaves it running). */
  readonly joinedExistingProvider: boolean = false;

  private readonly logger: Logger;
  private readonly pipelines: ExportPipeline[] = [];
  private readonly instrumentations: Instrumentation[] = [];
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
    this.logger = new Logger(resolved.logLevel, [resolved.apiKey]);
    this.enabled = resolved.enabled;
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
      // An InstrumentationBase enables itself when constructed: switch the given ones off, so that they
      // neither patch nor record anything.
      disableInstrumentations(resolved.instrumentations, this.logger);
      publishTracingEnabled(false);
      this.logger.info("tracing is disabled: nothing will be recorded or exported");
      return;
    }

    const applicationProvider = resolved.tracerProvider ?? registeredTracerProvider();
    let destinations: string[];
    if (applicationProvider !== undefined) {
      this.tracerProvider = applicationProvider;
      this.joinedExistingProvider = true;
      destinations = [this.describeJoinedProvider(resolved)];
    } else {
      const processing = buildRespanProcessing(resolved, this.logger);
      this.pipelines.push(...processing.pipelines);
      destinations = processing.destinations;
      this.tracerProvider = new SdkTracerProvider({ resource: buildResource(resolved), spanProcessors: processing.processors });
    }
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
    if (resolved.flushOnExit) {
      this.removeExitHandlers = installExitHandlers({
        flush: () => this.flush(),
        timeoutMillis: resolved.exitFlushTimeoutMillis,
        logger: this.logger,
      });
    }
    holder[CLIENT_KEY] = this;
    publishTracingEnabled(true);
    this.logger.info(`tracing to: ${destinations.length > 0 ? destinations.join(", ") : "nowhere (no exporter configured)"}`);
  }

  /**
   * Resolves once the client is ready. Setup happens in the constructor, so this only exists for code
   * written against Respan's other JavaScript SDK (`await respan.initialize()`).
   */
  initialize(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Exports every finished span now and waits for it. Concurrent calls share one flush; it never
   * rejects (a failure is logged and counted in getStats()).
   */
  flush(): Promise<void> {
    const provider = this.tracerProvider;
    if (provider === undefined || this.shuttingDown !== undefined) return this.shuttingDown ?? Promise.resolve();
    if (!this.setupChecked) {
      this.setupChecked = true;
      checkInstrumentationSetup(this.instrumentations);
    }
    this.flushing ??= this.flushAll(provider).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /**
   * Disables the instrumentations, flushes, shuts the provider down and unregisters the OpenTelemetry
   * globals; afterwards a new Respan can be created. Idempotent; never rejects.
   */
  shutdown(): Promise<void> {
    const provider = this.tracerProvider;
    if (provider === undefined) return Promise.resolve();
    this.shuttingDown ??= this.shutdownAll(provider);
    return this.shuttingDown;
  }

  /** Spans exported, failed and dropped so far, per exporter and in total. */
  getStats(): RespanStats {
    const exporters = this.pipelines.map((pipeline) => ({ ...pipeline.stats }));
    const total = (field: "exported" | "failed" | "dropped") => exporters.reduce((sum, stats) => sum + stats[field], 0);
    return { exported: total("exported"), failed: total("failed"), dropped: total("dropped"), exporters };
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
  }

  private async shutdownAll(provider: FlushableTracerProvider): Promise<void> {
    this.removeExitHandlers?.();
    disableInstrumentations(this.instrumentations, this.logger);
    await this.flushAll(provider);
    try {
      // A joined provider belongs to the application, which shuts it down itself.
      if (!this.joinedExistingProvider) await provider.shutdown?.();
    } catch (error) {
      this.logger.warn(`shutting down the tracer provider failed: ${describeError(error)}`);
    }
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

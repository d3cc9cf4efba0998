/**
 * The client's metrics, wired like its traces: one MeterProvider for the process with the readers the
 * configuration asks for (an OTLP collector, the console, `metricReaders`, and with no destination the
 * offline file and summary), handed to the instrumentations, registered globally, flushed by flush() and
 * shutdown(). When the application already registered a MeterProvider (a NodeSDK), the client joins it
 * instead: the instrumentations record there, and that SDK's readers decide where metrics go.
 */
import { createNoopMeter, metrics, type MeterProvider } from "@opentelemetry/api";
import { ConsoleMetricExporter, MeterProvider as SdkMeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { OTLPMetricExporter as OTLPJsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as OTLPProtobufMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import type { Instrumentation } from "../instrumentations.js";
import type { Resource } from "@opentelemetry/resources";
import path from "node:path";
import { describeError, type Logger } from "../logger.js";
import type { MetricsSettings } from "./metrics-options.js";
import { OfflineMetricsReader } from "./offline-metrics-reader.js";

export interface ClientMetricsOptions {
  settings: MetricsSettings;
  resource: Resource;
  /** The trace files' directory: the offline metrics file goes beside them. */
  tracesDir: string | undefined;
  /** Where the terminal tree goes: the offline summary follows it. */
  summaryWrite: ((text: string) => void) | undefined;
  logger: Logger;
}

/** A MeterProvider that can flush (the SDK's, whichever copy of it the application loaded). */
type FlushableMeterProvider = MeterProvider & { forceFlush?: () => Promise<void> };

/** Ours (with the readers we chose), or the one the application registered. */
type ProviderTarget =
  | { own: SdkMeterProvider; registerGlobally: boolean; file: string | undefined }
  | { joined: FlushableMeterProvider };

const NoopMeter = createNoopMeter().constructor;

/** The MeterProvider registered globally by someone else, if any. */
function registeredMeterProvider(): FlushableMeterProvider | undefined {
  const provider = metrics.getMeterProvider();
  return provider.getMeter("@respan/core") instanceof NoopMeter ? undefined : provider;
}

export class ClientMetrics {
  /** Absolute path of the offline metrics file, when it is written. */
  readonly metricsFile: string | undefined;
  /** What the startup message lists. */
  readonly destinations: string[] = [];
  private readonly own: SdkMeterProvider | undefined;
  private readonly provider: FlushableMeterProvider;
  private readonly logger: Logger;
  private registeredGlobally = false;

  /** Undefined when metrics are switched off or go nowhere (the instrumentations' meters stay no-ops). */
  static create(options: ClientMetricsOptions): ClientMetrics | undefined {
    const { settings } = options;
    if (!settings.enabled) return undefined;
    const existing = registeredMeterProvider();
    if (existing !== undefined && settings.readers.length === 0) return new ClientMetrics(options, { joined: existing });
    const readers = [...settings.readers];
    const periodic = (exporter: ConstructorParameters<typeof PeriodicExportingMetricReader>[0]["exporter"]) =>
      new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: settings.exportIntervalMillis,
        exportTimeoutMillis: settings.exportTimeoutMillis,
      });
    if (settings.otlpProtocol !== undefined) {
      readers.push(periodic(settings.otlpProtocol === "http/json" ? new OTLPJsonMetricExporter() : new OTLPProtobufMetricExporter()));
    }
    if (settings.console) readers.push(periodic(new ConsoleMetricExporter()));
    const file = options.tracesDir === undefined ? undefined : path.join(options.tracesDir, metricsFileName());
    if (file !== undefined || options.summaryWrite !== undefined) {
      readers.push(new OfflineMetricsReader({ file, write: options.summaryWrite, logger: options.logger }));
    }
    if (readers.length === 0) return undefined;
    const own = new SdkMeterProvider({ resource: options.resource, readers });
    // Registered globally only when no one else registered one (the API refuses, and reports, a second).
    return new ClientMetrics(options, { own, registerGlobally: existing === undefined, file });
  }

  private constructor(options: ClientMetricsOptions, target: ProviderTarget) {
    this.logger = options.logger;
    if ("own" in target) {
      const { own, registerGlobally, file } = target;
      this.own = own;
      this.provider = own;
      this.metricsFile = file;
      if (registerGlobally) this.registeredGlobally = metrics.setGlobalMeterProvider(own);
      const { settings } = options;
      if (settings.otlpProtocol !== undefined) this.destinations.push(`OTLP collector (${settings.otlpProtocol})`);
      if (settings.console) this.destinations.push("console");
      if (settings.readers.length > 0) this.destinations.push(`metricReaders (${settings.readers.length})`);
      if (file !== undefined) this.destinations.push(`metrics file ${file}`);
      if (options.summaryWrite !== undefined) this.destinations.push("terminal summary");
    } else {
      this.own = undefined;
      this.provider = target.joined;
      this.metricsFile = undefined;
      this.destinations.push("the application's MeterProvider");
    }
  }

  /** Makes the instrumentations record into this provider. */
  attach(instrumentations: readonly Instrumentation[]): void {
    for (const instrumentation of instrumentations) {
      try {
        instrumentation.setMeterProvider?.(this.provider);
      } catch (error) {
        this.logger.warn(`instrumentation ${instrumentation.instrumentationName} could not take the meter provider: ${describeError(error)}`);
      }
    }
  }

  /** Exports the metrics so far (to every reader); never rejects. */
  async forceFlush(): Promise<void> {
    try {
      await this.provider.forceFlush?.();
    } catch (error) {
      this.logger.warnOnce("metrics-flush-failed", `flushing metrics failed: ${describeError(error)}`);
    }
  }

  /** Shuts our provider down (a joined one is only flushed: it belongs to the application); never rejects. */
  async shutdown(): Promise<void> {
    if (this.own === undefined) return this.forceFlush();
    try {
      await this.own.shutdown();
    } catch (error) {
      this.logger.warn(`shutting down the meter provider failed: ${describeError(error)}`);
    }
    if (this.registeredGlobally) metrics.disable();
  }
}

/** One file per process, named so that runs in the same directory do not overwrite each other. */
function metricsFileName(): string {
  return `metrics-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}.json`;
}

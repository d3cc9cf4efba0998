/**
 * Where metrics go, from the standard OpenTelemetry variables (as the SDK reads them) and the
 * `metricReaders` option. Invalid values throw at construction, naming the variable.
 *
 * - OTEL_METRICS_EXPORTER: a comma list of `otlp`, `console`, `none`. Unset: `otlp` when an OTLP endpoint
 *   is configured (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT), else nothing but
 *   the offline outputs. `none` switches every metric output off, the offline ones included.
 * - OTEL_EXPORTER_OTLP_METRICS_PROTOCOL / OTEL_EXPORTER_OTLP_PROTOCOL: `http/protobuf` (default) or
 *   `http/json`. The OTLP exporter itself reads the endpoint, headers, timeout and temporality variables.
 * - OTEL_METRIC_EXPORT_INTERVAL (ms, default 60000) and OTEL_METRIC_EXPORT_TIMEOUT (ms, default 30000).
 */
import type { MetricReader } from "@opentelemetry/sdk-metrics";
import { resolveOtlpProtocol, resolveOtlpProtocolName, type OtlpProtocol, type OtlpSignalEnv } from "../options.js";
import { envValue, fail, isPositiveInteger, type Env } from "../validate.js";

export const METRICS_ENV = {
  EXPORTER: "OTEL_METRICS_EXPORTER",
  OTLP_ENDPOINT: "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
  OTLP_PROTOCOL: "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
  EXPORT_INTERVAL: "OTEL_METRIC_EXPORT_INTERVAL",
  EXPORT_TIMEOUT: "OTEL_METRIC_EXPORT_TIMEOUT",
} as const;

export const DEFAULT_METRIC_EXPORT_INTERVAL_MILLIS = 60_000;
export const DEFAULT_METRIC_EXPORT_TIMEOUT_MILLIS = 30_000;

const METRICS_SIGNAL: OtlpSignalEnv = { endpoint: METRICS_ENV.OTLP_ENDPOINT, protocol: METRICS_ENV.OTLP_PROTOCOL };
const EXPORTER_NAMES = ["otlp", "console", "none"] as const;

export interface MetricsSettings {
  /** False when OTEL_METRICS_EXPORTER=none: no meter provider, no metric output of any kind. */
  enabled: boolean;
  /** Set when metrics go to an OTLP collector. */
  otlpProtocol: OtlpProtocol | undefined;
  /** Print each export to the console (OpenTelemetry's ConsoleMetricExporter). */
  console: boolean;
  exportIntervalMillis: number;
  exportTimeoutMillis: number;
  /** Readers given in the `metricReaders` option (a Prometheus exporter, a test's in-memory reader...). */
  readers: MetricReader[];
}

/** Validates the `metricReaders` option and the OTEL_METRIC* variables. */
export function resolveMetricsSettings(metricReaders: unknown, env: Env): MetricsSettings {
  const readers = resolveReaders(metricReaders);
  const exporters = resolveExporterNames(env);
  const enabled = !(exporters !== undefined && exporters.length === 1 && exporters[0] === "none");
  const explicitOtlp = exporters?.includes("otlp") === true;
  const otlpProtocol = explicitOtlp
    ? (resolveOtlpProtocol(env, METRICS_SIGNAL) ?? resolveOtlpProtocolName(env, METRICS_SIGNAL))
    : exporters === undefined
      ? resolveOtlpProtocol(env, METRICS_SIGNAL)
      : undefined;
  const exportIntervalMillis = millis(env, METRICS_ENV.EXPORT_INTERVAL, DEFAULT_METRIC_EXPORT_INTERVAL_MILLIS);
  // The periodic reader refuses a timeout longer than its interval; the SDK's own setup clamps it too.
  const exportTimeoutMillis = Math.min(exportIntervalMillis, millis(env, METRICS_ENV.EXPORT_TIMEOUT, DEFAULT_METRIC_EXPORT_TIMEOUT_MILLIS));
  return {
    enabled,
    otlpProtocol: enabled ? otlpProtocol : undefined,
    console: enabled && exporters?.includes("console") === true,
    exportIntervalMillis,
    exportTimeoutMillis,
    readers,
  };
}

function resolveExporterNames(env: Env): string[] | undefined {
  const raw = envValue(env, METRICS_ENV.EXPORTER);
  if (raw === undefined) return undefined;
  const names = [...new Set(raw.split(",").map((name) => name.trim().toLowerCase()).filter((name) => name !== ""))];
  for (const name of names) {
    if (!(EXPORTER_NAMES as readonly string[]).includes(name)) {
      fail(
        `environment variable ${METRICS_ENV.EXPORTER}`,
        `a comma list of ${EXPORTER_NAMES.join(", ")} (for Prometheus, pass a reader in the "metricReaders" option or use a Collector)`,
        raw,
      );
    }
  }
  // "none" alongside real exporters is ignored, as the OpenTelemetry SDK does.
  return names.length > 1 ? names.filter((name) => name !== "none") : names;
}

function millis(env: Env, name: string, fallback: number): number {
  const raw = envValue(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!isPositiveInteger(value)) fail(`environment variable ${name}`, "a positive integer (milliseconds)", raw);
  return value;
}

function resolveReaders(value: unknown): MetricReader[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail('option "metricReaders"', "an array of OpenTelemetry MetricReaders", value);
  value.forEach((reader, index) => {
    const candidate = reader as Record<string, unknown> | null;
    if (typeof candidate?.collect !== "function" || typeof candidate?.setMetricProducer !== "function") {
      fail(`option "metricReaders[${index}]"`, "an OpenTelemetry MetricReader (with setMetricProducer(), collect())", reader);
    }
  });
  return [...value] as MetricReader[];
}

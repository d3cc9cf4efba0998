/**
 * OpenTelemetry's own SDK switches, honoured as an OpenTelemetry SDK honours them:
 * - OTEL_SDK_DISABLED=true: the client is a no-op (nothing traced, nothing written), whatever else is set.
 * - OTEL_TRACES_EXPORTER: a comma list of `otlp`, `console`, `none`. When set, it alone decides which
 *   standard exporters run (`otlp` even without an OTEL_EXPORTER_OTLP_*ENDPOINT, at the OTLP default
 *   http://localhost:4318), and the local default (trace files, terminal tree) stays off unless asked for.
 *   The Respan exporter (an API key) and exporters given as options are not affected.
 */
import { envValue, fail, type Env } from "./validate.js";

export const OTEL_SDK_DISABLED = "OTEL_SDK_DISABLED";
export const OTEL_TRACES_EXPORTER = "OTEL_TRACES_EXPORTER";

const TRACES_EXPORTERS = ["otlp", "console", "none"] as const;
export type TracesExporterName = (typeof TRACES_EXPORTERS)[number];

/** OpenTelemetry reads this boolean as true only for "true" (any case); anything else leaves the SDK on. */
export function isSdkDisabled(env: Env): boolean {
  return envValue(env, OTEL_SDK_DISABLED)?.toLowerCase() === "true";
}

/** The exporters OTEL_TRACES_EXPORTER names; undefined when it is unset. Throws on an unknown name. */
export function tracesExporterChoice(env: Env): ReadonlySet<TracesExporterName> | undefined {
  const raw = envValue(env, OTEL_TRACES_EXPORTER);
  if (raw === undefined) return undefined;
  const names = raw.split(",").map((name) => name.trim().toLowerCase()).filter((name) => name !== "");
  for (const name of names) {
    if (!(TRACES_EXPORTERS as readonly string[]).includes(name)) {
      fail(`environment variable ${OTEL_TRACES_EXPORTER}`, `a comma list of ${TRACES_EXPORTERS.join(", ")} (zipkin and jaeger are not supported)`, raw);
    }
  }
  // "none" alongside another name: the others win, as in OpenTelemetry's SDK.
  return new Set(names.filter((name) => name !== "none") as TracesExporterName[]);
}

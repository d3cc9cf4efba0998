/**
 * Validation of the OpenTelemetry environment variables that shape this client's export (OTEL_BSP_*, the
 * OTEL_EXPORTER_OTLP_* of traces) and of the client's deadline variables (RESPAN_*_TIMEOUT_MILLIS).
 * OpenTelemetry reads the OTEL_* ones itself and silently ignores or misreads a bad value
 * (OTEL_BSP_MAX_QUEUE_SIZE=0 drops every span, a malformed header list is dropped); here a bad value fails
 * at construction with an error naming the variable and what it accepts, like a bad option.
 */
import { existsSync } from "node:fs";
import { envValue, fail, type Env } from "./validate.js";

/** Default bounds of the client's waits (documented in the README "Reliability" section). */
export const DEFAULT_FLUSH_TIMEOUT_MILLIS = 10_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MILLIS = 30_000;
export const DEFAULT_EXIT_FLUSH_TIMEOUT_MILLIS = 5_000;
/** OpenTelemetry's default request timeout of an OTLP exporter. */
export const DEFAULT_OTLP_TIMEOUT_MILLIS = 10_000;

export const DEADLINE_ENV = {
  FLUSH_TIMEOUT: "RESPAN_FLUSH_TIMEOUT_MILLIS",
  SHUTDOWN_TIMEOUT: "RESPAN_SHUTDOWN_TIMEOUT_MILLIS",
  EXIT_FLUSH_TIMEOUT: "RESPAN_EXIT_FLUSH_TIMEOUT_MILLIS",
} as const;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const COMPRESSIONS = ["gzip", "none"];

/** A variable holding a whole number of at least `minimum`; undefined when unset. */
export function envInteger(env: Env, name: string, minimum: number): number | undefined {
  const raw = envValue(env, name);
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < minimum) {
    fail(`environment variable ${name}`, minimum === 0 ? "a whole number (0 or more)" : `a whole number of at least ${minimum}`, raw);
  }
  return value;
}

/** The traces-specific variable when set, else the general OTLP one: the order OpenTelemetry reads them in. */
function otlpVariable(env: Env, suffix: string): string {
  const specific = `OTEL_EXPORTER_OTLP_TRACES_${suffix}`;
  return envValue(env, specific) !== undefined ? specific : `OTEL_EXPORTER_OTLP_${suffix}`;
}

/** `key=value,key2=value2` (values URL-encoded), as the OTLP exporter specification defines it. */
function validateHeaderList(name: string, raw: string): void {
  for (const entry of raw.split(",")) {
    if (entry.trim() === "") continue;
    const separator = entry.indexOf("=");
    const key = separator > 0 ? entry.slice(0, separator).trim() : "";
    let value: string | undefined;
    try {
      value = separator > 0 ? decodeURIComponent(entry.slice(separator + 1).trim()) : undefined;
    } catch {
      value = undefined;
    }
    if (!HEADER_NAME.test(key) || value === undefined || /[\r\n]/.test(value)) {
      // Only the key is shown: a header value is usually a credential.
      fail(
        `environment variable ${name}`,
        'a comma-separated list of name=value pairs with valid header names and URL-encoded values, such as "api-key=abc,x-team=voice"',
        key === "" ? "an entry without a name=value form" : `an invalid entry for ${key}`,
      );
    }
  }
}

/** The OTLP exporter's request timeout (OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT), validated. */
export function otlpTimeoutMillis(env: Env): number {
  return envInteger(env, otlpVariable(env, "TIMEOUT"), 1) ?? DEFAULT_OTLP_TIMEOUT_MILLIS;
}

/**
 * Throws on the first invalid OTEL_BSP_* or trace OTEL_EXPORTER_OTLP_* variable (endpoint and protocol are
 * validated where they are resolved, in options.ts).
 */
export function validateOtelEnvironment(env: Env): void {
  const queueSize = envInteger(env, "OTEL_BSP_MAX_QUEUE_SIZE", 1);
  const batchSize = envInteger(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 1);
  envInteger(env, "OTEL_BSP_SCHEDULE_DELAY", 0);
  envInteger(env, "OTEL_BSP_EXPORT_TIMEOUT", 1);
  if (queueSize !== undefined && batchSize !== undefined && batchSize > queueSize) {
    throw new Error(
      `Respan: environment variable OTEL_BSP_MAX_EXPORT_BATCH_SIZE (${batchSize}) must not exceed OTEL_BSP_MAX_QUEUE_SIZE (${queueSize})`,
    );
  }

  otlpTimeoutMillis(env);
  const headersName = otlpVariable(env, "HEADERS");
  const headers = envValue(env, headersName);
  if (headers !== undefined) validateHeaderList(headersName, headers);
  const compressionName = otlpVariable(env, "COMPRESSION");
  const compression = envValue(env, compressionName);
  if (compression !== undefined && !COMPRESSIONS.includes(compression)) {
    fail(`environment variable ${compressionName}`, `one of ${COMPRESSIONS.join(", ")}`, compression);
  }
  for (const suffix of ["CERTIFICATE", "CLIENT_KEY", "CLIENT_CERTIFICATE"]) {
    const name = otlpVariable(env, suffix);
    const file = envValue(env, name);
    if (file !== undefined && !existsSync(file)) fail(`environment variable ${name}`, "the path of an existing file", file);
  }
}

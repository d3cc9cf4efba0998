/**
 * The options of `new Respan(...)`, their environment variables and defaults, and their validation.
 * Precedence everywhere: constructor option > environment variable > default. Invalid values throw here,
 * at construction, with a message naming the option (or variable) and what it accepts.
 */
import path from "node:path";
import type { AttributeValue, Attributes, TracerProvider } from "@opentelemetry/api";
import type { MetricReader } from "@opentelemetry/sdk-metrics";
import type { SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { RespanAttributes } from "./attributes.js";
import {
  DEADLINE_ENV,
  DEFAULT_EXIT_FLUSH_TIMEOUT_MILLIS,
  DEFAULT_FLUSH_TIMEOUT_MILLIS,
  DEFAULT_SHUTDOWN_TIMEOUT_MILLIS,
  envInteger,
  validateOtelEnvironment,
} from "./env-config.js";
import type { Instrumentation } from "./instrumentations.js";
import { LOG_LEVELS, type LogLevel } from "./logger.js";
import { rejectUnknownOptions, withCanonicalOptionNames } from "./option-spellings.js";
import { isSdkDisabled, tracesExporterChoice } from "./otel-env.js";
import { envBoolean, envValue, fail, isDisabledWord, isPlainObject, isPositiveInteger, type Env } from "./validate.js";

export const DEFAULT_BASE_URL = "https://api.respan.ai/api";
export const DEFAULT_TRACES_DIR = "./traces";
/** Path of the trace ingestion endpoint under the Respan base URL. */
export const RESPAN_TRACES_PATH = "/v2/traces";

export const ENV = {
  API_KEY: "RESPAN_API_KEY",
  BASE_URL: "RESPAN_BASE_URL",
  APP_NAME: "RESPAN_APP_NAME",
  ENVIRONMENT: "RESPAN_ENVIRONMENT",
  TRACE_CONTENT: "RESPAN_TRACE_CONTENT",
  BATCHING_ENABLED: "RESPAN_BATCHING_ENABLED",
  TRACING_ENABLED: "RESPAN_TRACING_ENABLED",
  TRACES_DIR: "RESPAN_TRACES_DIR",
  HTML_REPORTS: "RESPAN_HTML_REPORTS",
  PRINT_TREE: "RESPAN_PRINT_TREE",
  LOG_LEVEL: "RESPAN_LOG_LEVEL",
  FLUSH_ON_EXIT: "RESPAN_FLUSH_ON_EXIT",
  EXPORT_THREAD: "RESPAN_EXPORT_THREAD",
  OTLP_ENDPOINT: "OTEL_EXPORTER_OTLP_ENDPOINT",
  OTLP_TRACES_ENDPOINT: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  OTLP_PROTOCOL: "OTEL_EXPORTER_OTLP_PROTOCOL",
  OTLP_TRACES_PROTOCOL: "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
} as const;

/** Limits of the per-exporter batching queue (OpenTelemetry's BatchSpanProcessor). */
export interface BatchingOptions {
  /** Spans held while waiting for export; beyond it new spans are dropped (and counted). Default 2048. */
  maxQueueSize?: number;
  /** Spans per export request. Default 512; must not exceed maxQueueSize. */
  maxExportBatchSize?: number;
  /** Delay between two scheduled exports, in ms. Default 5000. */
  scheduledDelayMillis?: number;
  /** Time after which an export is abandoned, in ms. Default 30000. */
  exportTimeoutMillis?: number;
}

/** Options of the terminal tree printer. */
export interface TreePrinterOptions {
  /** Receives each rendered tree (several lines ending in "\n"). Default: process.stderr. */
  write?: (text: string) => void;
  /** Draw a timeline bar per span. Default true. */
  bars?: boolean;
}

export type OtlpProtocol = "http/json" | "http/protobuf";
/** Where an HTTP destination serialises and sends spans (see RespanOptions.exportThread). */
export type ExportThread = "worker" | "main";
export const EXPORT_THREADS: readonly ExportThread[] = ["worker", "main"];
const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ["http/json", "http/protobuf"];

/**
 * The names Respan's own JavaScript SDK gives three options: accepted so that code moving over keeps
 * working, and rewritten to this package's names (giving both spellings of one option is an error).
 */
export interface RespanSdkOptionSpellings {
  /** Respan JS SDK spelling of `baseUrl`. */
  baseURL?: string;
  /** Respan JS SDK spelling of `enabled`. */
  tracingEnabled?: boolean;
  /** Respan JS SDK option: `disableBatch: true` is `batching: false`. */
  disableBatch?: boolean;
}

export interface RespanOptions extends RespanSdkOptionSpellings {
  /** Respan API key. Env RESPAN_API_KEY. Without one, nothing is sent to Respan. */
  apiKey?: string;
  /** Respan API base URL, with or without the trailing "/api". Env RESPAN_BASE_URL. */
  baseUrl?: string;
  /** Resource `service.name`. Env RESPAN_APP_NAME, then OTEL_SERVICE_NAME. */
  appName?: string;
  /** OpenTelemetry instrumentations to register with this client's tracer provider. */
  instrumentations?: Instrumentation[];
  /**
   * Runtime modules already loaded (bundled, or imported before the instrumentations): each value is
   * handed to every instrumentation that offers `manuallyInstrument()`. E.g. `{ pipecat: await import("pipecat-ts") }`.
   */
  instrumentModules?: Record<string, unknown>;
  /**
   * Join this tracer provider (e.g. your NodeSDK's, or one built with `createRespanSpanProcessors()`)
   * instead of creating and registering one: the instrumentations report to it, `flush()` flushes it.
   * Without it, a tracer provider already registered globally is joined the same way.
   */
  tracerProvider?: TracerProvider;
  /** Default customer of every span (the base layer under propagateAttributes). */
  customerIdentifier?: string;
  /** Default thread of every span. */
  threadIdentifier?: string;
  /** Default session of every span. */
  sessionIdentifier?: string;
  /** Default metadata of every span (`respan.metadata.<key>`). */
  metadata?: Record<string, unknown>;
  /** Deployment environment: `respan.environment` on every span and `deployment.environment.name` on the resource. Env RESPAN_ENVIRONMENT. */
  environment?: string;
  /** Capture inputs and outputs (prompts, transcripts, tool arguments...). Env RESPAN_TRACE_CONTENT. Default true. */
  traceContent?: boolean;
  /** Batch exports (true, false, or queue limits). Env RESPAN_BATCHING_ENABLED. Default true. */
  batching?: boolean | BatchingOptions;
  /** Extra HTTP headers sent to Respan (never to other exporters). */
  headers?: Record<string, string>;
  /** Extra resource attributes (override OTEL_RESOURCE_ATTRIBUTES). */
  resourceAttributes?: Attributes;
  /**
   * false: a complete no-op (nothing registered, nothing exported; the given instrumentations are disabled).
   * Env RESPAN_TRACING_ENABLED. Default true. OTEL_SDK_DISABLED=true forces false.
   */
  enabled?: boolean;
  /** Additional span exporters; each gets its own (batching) processor. */
  exporters?: SpanExporter[];
  /** Additional span processors, run after the attribute propagation processor. */
  spanProcessors?: SpanProcessor[];
  /** Additional metric readers (e.g. a Prometheus exporter) on the client's MeterProvider. */
  metricReaders?: MetricReader[];
  /** Directory of the OTLP JSON trace files, or false for none. Env RESPAN_TRACES_DIR. */
  tracesDir?: string | false;
  /** Write an HTML report of each call (`<traceId>.html`, and `index.html`) beside its trace file. Env RESPAN_HTML_REPORTS. Default true. */
  htmlReports?: boolean;
  /** Print a tree of each finished trace to the terminal. Env RESPAN_PRINT_TREE. */
  printTree?: boolean | TreePrinterOptions;
  /** Level of this SDK's own console messages. Env RESPAN_LOG_LEVEL. Default "warn". */
  logLevel?: LogLevel;
  /** Flush on `beforeExit`, SIGTERM and SIGINT. Env RESPAN_FLUSH_ON_EXIT. Default true. */
  flushOnExit?: boolean;
  /**
   * Where the HTTP destinations (Respan, an OTLP collector) serialise and send spans: "worker" (an export
   * worker thread per destination, so that a batch going out does not hold up the application's event
   * loop; the application's thread where no worker can run) or "main" (the application's thread).
   * Env RESPAN_EXPORT_THREAD. Default "worker".
   */
  exportThread?: ExportThread;
  /** Longest wait for the flush that runs when the process ends (beforeExit, a signal), in ms. Env RESPAN_EXIT_FLUSH_TIMEOUT_MILLIS. Default 5000. */
  exitFlushTimeoutMillis?: number;
  /** Longest wait of `flush()`, in ms. Env RESPAN_FLUSH_TIMEOUT_MILLIS. Default 10000. */
  flushTimeoutMillis?: number;
  /** Longest wait of `shutdown()`, in ms. Env RESPAN_SHUTDOWN_TIMEOUT_MILLIS. Default 30000. */
  shutdownTimeoutMillis?: number;
}

const OPTION_NAMES: ReadonlyArray<keyof RespanOptions> = [
  "apiKey",
  "baseUrl",
  "appName",
  "instrumentations",
  "instrumentModules",
  "tracerProvider",
  "customerIdentifier",
  "threadIdentifier",
  "sessionIdentifier",
  "metadata",
  "environment",
  "traceContent",
  "batching",
  "headers",
  "resourceAttributes",
  "enabled",
  "exporters",
  "spanProcessors",
  "metricReaders",
  "tracesDir",
  "htmlReports",
  "printTree",
  "logLevel",
  "flushOnExit",
  "exportThread",
  "exitFlushTimeoutMillis",
  "flushTimeoutMillis",
  "shutdownTimeoutMillis",
];

const BATCHING_FIELDS: ReadonlyArray<keyof BatchingOptions> = [
  "maxQueueSize",
  "maxExportBatchSize",
  "scheduledDelayMillis",
  "exportTimeoutMillis",
];

/** Everything the client needs, validated and with defaults applied. */
export interface ResolvedOptions {
  enabled: boolean;
  apiKey: string | undefined;
  /** Respan API base URL, normalised to end in "/api". */
  baseUrl: string;
  headers: Record<string, string>;
  /**
   * Resource `service.name`: appName, else resourceAttributes["service.name"], else RESPAN_APP_NAME;
   * undefined leaves it to OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES / the default.
   */
  serviceName: string | undefined;
  environment: string | undefined;
  /** Defaults stamped on every span, under any propagateAttributes scope. */
  baseAttributes: RespanAttributes;
  traceContent: boolean;
  batching: BatchingOptions | false;
  resourceAttributes: Attributes;
  instrumentations: Instrumentation[];
  instrumentModules: unknown[];
  /** A provider to join instead of creating one. */
  tracerProvider: TracerProvider | undefined;
  exporters: SpanExporter[];
  /** OTEL_TRACES_EXPORTER includes "console". */
  consoleExporter: boolean;
  spanProcessors: SpanProcessor[];
  /** Set when an OTLP endpoint is configured through the OTEL_EXPORTER_OTLP_* variables. */
  otlpProtocol: OtlpProtocol | undefined;
  /** Absolute directory of the trace files, when the file exporter is on. */
  tracesDir: string | undefined;
  /** Whether the file exporter also writes HTML call reports. */
  htmlReports: boolean;
  printTree: TreePrinterOptions | undefined;
  logLevel: LogLevel;
  flushOnExit: boolean;
  exportThread: ExportThread;
  exitFlushTimeoutMillis: number;
  flushTimeoutMillis: number;
  shutdownTimeoutMillis: number;
  /** Configuration problems that did not stop the client (shown once it has its logger). */
  warnings: string[];
}

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") fail(`option "${name}"`, "a non-empty string", value);
  return value.trim();
}

function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") fail(`option "${name}"`, "true or false", value);
  return value;
}

function positiveInteger(subject: string, value: unknown): number {
  if (!isPositiveInteger(value)) fail(subject, "a positive integer", value);
  return value;
}

function resolveApiKey(options: RespanOptions, env: Env): string | undefined {
  const apiKey = optionalString("apiKey", options.apiKey) ?? envValue(env, ENV.API_KEY);
  // The key travels in an HTTP header; a line break would let it forge other headers.
  if (apiKey !== undefined && /[\r\n]/.test(apiKey)) {
    throw new Error("Respan: the API key (option \"apiKey\" or RESPAN_API_KEY) must not contain line breaks");
  }
  return apiKey;
}

/**
 * Normalises a Respan base URL to end in "/api" with no trailing slash: "https://x", "https://x/" and
 * "https://x/api/" all become "https://x/api".
 */
export function normaliseBaseUrl(subject: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(subject, `an http(s) URL such as "${DEFAULT_BASE_URL}"`, raw);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "" || url.hash !== "") {
    fail(subject, `an http(s) URL without query or fragment, such as "${DEFAULT_BASE_URL}"`, raw);
  }
  const pathname = url.pathname.replace(/\/+$/, "");
  const withApi = pathname.endsWith("/api") ? pathname : `${pathname}/api`;
  return `${url.origin}${withApi}`;
}

function resolveBaseUrl(options: RespanOptions, env: Env): string {
  if (options.baseUrl !== undefined) {
    if (typeof options.baseUrl !== "string") fail('option "baseUrl"', "a URL string", options.baseUrl);
    return normaliseBaseUrl('option "baseUrl"', options.baseUrl.trim());
  }
  const fromEnv = envValue(env, ENV.BASE_URL);
  if (fromEnv !== undefined) return normaliseBaseUrl(`environment variable ${ENV.BASE_URL}`, fromEnv);
  return DEFAULT_BASE_URL;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function resolveHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) fail('option "headers"', "an object of header names to string values", value);
  const headers: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(value)) {
    if (!HEADER_NAME.test(name)) fail(`header name in option "headers"`, "a valid HTTP header name", name);
    if (typeof headerValue !== "string" || /[\r\n]/.test(headerValue)) {
      fail(`option "headers.${name}"`, "a string without line breaks", headerValue);
    }
    headers[name] = headerValue;
  }
  return headers;
}

function isAttributeValue(value: unknown): value is AttributeValue {
  const scalar = (item: unknown) =>
    typeof item === "string" || typeof item === "boolean" || (typeof item === "number" && Number.isFinite(item));
  if (Array.isArray(value)) return value.every((item) => item === null || item === undefined || scalar(item));
  return scalar(value);
}

function resolveResourceAttributes(value: unknown): Attributes {
  if (value === undefined) return {};
  if (!isPlainObject(value)) fail('option "resourceAttributes"', "an object of attribute names to values", value);
  for (const [key, attributeValue] of Object.entries(value)) {
    if (!isAttributeValue(attributeValue)) {
      fail(`option "resourceAttributes.${key}"`, "a string, finite number, boolean or an array of them", attributeValue);
    }
  }
  return { ...value } as Attributes;
}

function resolveBatching(options: RespanOptions, env: Env): BatchingOptions | false {
  const value = options.batching;
  if (value === undefined) return envBoolean(env, ENV.BATCHING_ENABLED) === false ? false : {};
  if (value === true) return {};
  if (value === false) return false;
  if (!isPlainObject(value)) fail('option "batching"', "true, false or an object of queue limits", value);
  const batching: BatchingOptions = {};
  for (const [key, fieldValue] of Object.entries(value)) {
    if (!(BATCHING_FIELDS as readonly string[]).includes(key)) {
      fail(`option "batching.${key}"`, `one of ${BATCHING_FIELDS.join(", ")}`, key);
    }
    if (fieldValue !== undefined) {
      batching[key as keyof BatchingOptions] = positiveInteger(`option "batching.${key}"`, fieldValue);
    }
  }
  if (
    batching.maxExportBatchSize !== undefined &&
    batching.maxQueueSize !== undefined &&
    batching.maxExportBatchSize > batching.maxQueueSize
  ) {
    throw new Error(
      `Respan: option "batching.maxExportBatchSize" (${batching.maxExportBatchSize}) must not exceed ` +
        `"batching.maxQueueSize" (${batching.maxQueueSize})`,
    );
  }
  return batching;
}

function resolveList<T>(name: string, value: unknown, methods: string[], kind: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(`option "${name}"`, `an array of ${kind}s`, value);
  value.forEach((item, index) => {
    const missing = methods.filter((method) => typeof (item as Record<string, unknown> | null)?.[method] !== "function");
    if (missing.length > 0) {
      fail(`option "${name}[${index}]"`, `an OpenTelemetry ${kind} (with ${methods.join("(), ")}())`, item);
    }
  });
  return [...value] as T[];
}

function resolveMetadata(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail('option "metadata"', "a plain object of metadata keys to values", value);
  return { ...value };
}

/**
 * An option that names one of a few choices: the option if given, else its environment variable (any case),
 * else `fallback`; anything else is an error naming where it came from and `accepted`.
 */
function resolveChoice<T extends string>(
  option: keyof RespanOptions, given: T | undefined, variable: string, env: Env,
  choices: readonly T[], accepted: string, fallback: T,
): T {
  if (given !== undefined) {
    if (!choices.includes(given)) fail(`option "${option}"`, accepted, given);
    return given;
  }
  const fromEnv = envValue(env, variable)?.toLowerCase();
  if (fromEnv === undefined) return fallback;
  if (!(choices as readonly string[]).includes(fromEnv)) fail(`environment variable ${variable}`, accepted, fromEnv);
  return fromEnv as T;
}

const quoted = (names: readonly string[], separator: string): string => names.map((name) => `"${name}"`).join(separator);

/** The signal-specific OTLP variables (traces, metrics) that override the general ones. */
export interface OtlpSignalEnv {
  endpoint: string;
  protocol: string;
}

const OTLP_TRACES_ENV: OtlpSignalEnv = { endpoint: ENV.OTLP_TRACES_ENDPOINT, protocol: ENV.OTLP_TRACES_PROTOCOL };

/**
 * The OTLP protocol of a signal when its endpoint is set (OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT, else
 * OTEL_EXPORTER_OTLP_ENDPOINT); undefined otherwise.
 */
export function resolveOtlpProtocol(env: Env, signal: OtlpSignalEnv = OTLP_TRACES_ENV): OtlpProtocol | undefined {
  const endpointVar = envValue(env, signal.endpoint) !== undefined ? signal.endpoint : ENV.OTLP_ENDPOINT;
  const endpoint = envValue(env, endpointVar);
  if (endpoint === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    fail(`environment variable ${endpointVar}`, 'an http(s) URL such as "http://localhost:4318"', endpoint);
  }
  return resolveOtlpProtocolName(env, signal);
}

/** The protocol named by OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL; default http/protobuf. */
export function resolveOtlpProtocolName(env: Env, signal: OtlpSignalEnv): OtlpProtocol {
  const protocolVar = envValue(env, signal.protocol) !== undefined ? signal.protocol : ENV.OTLP_PROTOCOL;
  const protocol = envValue(env, protocolVar) ?? "http/protobuf";
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
    fail(`environment variable ${protocolVar}`, `one of ${OTLP_PROTOCOLS.join(", ")} (grpc is not supported)`, protocol);
  }
  return protocol as OtlpProtocol;
}

/**
 * The OTLP exporter's protocol: OTEL_TRACES_EXPORTER decides whether it runs when set (with no endpoint
 * configured, the exporter's own default endpoint is used); otherwise an OTLP endpoint variable does.
 */
function resolveStandardOtlpProtocol(env: Env, choice: ReadonlySet<string> | undefined): OtlpProtocol | undefined {
  if (choice === undefined) return resolveOtlpProtocol(env);
  if (!choice.has("otlp")) return undefined;
  return resolveOtlpProtocol(env) ?? resolveOtlpProtocol({ ...env, [ENV.OTLP_ENDPOINT]: "http://localhost:4318" });
}

/** RESPAN_TRACE_CONTENT, failing closed: a value that is not a boolean word means no content (with a warning). */
function resolveTraceContentEnv(env: Env, warnings: string[]): boolean {
  let invalid = false;
  const value = envBoolean(env, ENV.TRACE_CONTENT, (problem) => {
    invalid = true;
    warnings.push(`${problem}; content capture is off until it is fixed`);
  });
  return invalid ? false : (value ?? true);
}

function resolveInstrumentModules(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!isPlainObject(value)) fail('option "instrumentModules"', "an object of loaded modules, e.g. { pipecat: pipecatModule }", value);
  return Object.values(value).filter((moduleExports) => moduleExports !== undefined && moduleExports !== null);
}

function resolveTracerProvider(value: unknown): TracerProvider | undefined {
  if (value === undefined) return undefined;
  if (typeof (value as { getTracer?: unknown } | null)?.getTracer !== "function") {
    fail('option "tracerProvider"', "an OpenTelemetry TracerProvider (with getTracer())", value);
  }
  return value as TracerProvider;
}

function resolveTracesDir(options: RespanOptions, env: Env, hasDestination: boolean): string | undefined {
  const value = options.tracesDir;
  if (value === false) return undefined;
  if (value !== undefined) {
    if (typeof value !== "string" || value.trim() === "") fail('option "tracesDir"', "a directory path or false", value);
    return path.resolve(value);
  }
  const fromEnv = envValue(env, ENV.TRACES_DIR);
  if (fromEnv !== undefined) return isDisabledWord(fromEnv) ? undefined : path.resolve(fromEnv);
  return hasDestination ? undefined : path.resolve(DEFAULT_TRACES_DIR);
}

function resolvePrintTree(options: RespanOptions, env: Env, hasDestination: boolean): TreePrinterOptions | undefined {
  const value = options.printTree;
  if (value === false) return undefined;
  if (value === true) return {};
  if (value !== undefined) {
    if (!isPlainObject(value)) fail('option "printTree"', "true, false or { write?, bars? }", value);
    if (value.write !== undefined && typeof value.write !== "function") {
      fail('option "printTree.write"', "a function (text: string) => void", value.write);
    }
    if (value.bars !== undefined && typeof value.bars !== "boolean") fail('option "printTree.bars"', "true or false", value.bars);
    return { write: value.write as TreePrinterOptions["write"], bars: value.bars };
  }
  const fromEnv = envBoolean(env, ENV.PRINT_TREE);
  if (fromEnv !== undefined) return fromEnv ? {} : undefined;
  return hasDestination ? undefined : {};
}

/** Validates `options` and merges them with the environment and the defaults. Throws on invalid input. */
export function resolveOptions(options: RespanOptions | undefined, env: Env = process.env): ResolvedOptions {
  if (options !== undefined && !isPlainObject(options)) fail("the options of new Respan()", "an object", options);
  const given = withCanonicalOptionNames(options ?? {}) as RespanOptions;
  rejectUnknownOptions("Respan", given, OPTION_NAMES);
  const warnings: string[] = [];

  const logLevel = resolveChoice("logLevel", given.logLevel, ENV.LOG_LEVEL, env, LOG_LEVELS, `one of ${quoted(LOG_LEVELS, ", ")}`, "warn");
  const apiKey = resolveApiKey(given, env);
  const environment = optionalString("environment", given.environment) ?? envValue(env, ENV.ENVIRONMENT);
  const exporters = resolveList<SpanExporter>("exporters", given.exporters, ["export", "shutdown"], "SpanExporter");
  const spanProcessors = resolveList<SpanProcessor>(
    "spanProcessors",
    given.spanProcessors,
    ["onStart", "onEnd", "forceFlush", "shutdown"],
    "SpanProcessor",
  );
  const exporterChoice = tracesExporterChoice(env);
  const otlpProtocol = resolveStandardOtlpProtocol(env, exporterChoice);
  const consoleExporter = exporterChoice?.has("console") === true;
  // An explicit OTEL_TRACES_EXPORTER (even "none") is a choice of destinations: no local default then.
  const hasDestination = apiKey !== undefined || exporterChoice !== undefined || otlpProtocol !== undefined ||
    exporters.length > 0 || spanProcessors.length > 0;

  const baseAttributes: RespanAttributes = {};
  const customerIdentifier = optionalString("customerIdentifier", given.customerIdentifier);
  const threadIdentifier = optionalString("threadIdentifier", given.threadIdentifier);
  const sessionIdentifier = optionalString("sessionIdentifier", given.sessionIdentifier);
  const metadata = resolveMetadata(given.metadata);
  if (customerIdentifier !== undefined) baseAttributes.customerIdentifier = customerIdentifier;
  if (threadIdentifier !== undefined) baseAttributes.threadIdentifier = threadIdentifier;
  if (sessionIdentifier !== undefined) baseAttributes.sessionIdentifier = sessionIdentifier;
  if (metadata !== undefined) baseAttributes.metadata = metadata;
  if (environment !== undefined) baseAttributes.environment = environment;

  const resourceAttributes = resolveResourceAttributes(given.resourceAttributes);
  const resourceServiceName = resourceAttributes[ATTR_SERVICE_NAME];
  if (resourceServiceName !== undefined && typeof resourceServiceName !== "string") {
    fail(`option "resourceAttributes.${ATTR_SERVICE_NAME}"`, "a string", resourceServiceName);
  }

  validateOtelEnvironment(env);
  const deadline = (name: "exitFlushTimeoutMillis" | "flushTimeoutMillis" | "shutdownTimeoutMillis", variable: string, fallback: number) =>
    given[name] === undefined ? (envInteger(env, variable, 1) ?? fallback) : positiveInteger(`option "${name}"`, given[name]);

  return {
    enabled: isSdkDisabled(env) ? false : (optionalBoolean("enabled", given.enabled) ?? envBoolean(env, ENV.TRACING_ENABLED) ?? true),
    apiKey,
    baseUrl: resolveBaseUrl(given, env),
    headers: resolveHeaders(given.headers),
    serviceName: optionalString("appName", given.appName) ?? resourceServiceName ?? envValue(env, ENV.APP_NAME),
    environment,
    baseAttributes,
    traceContent: optionalBoolean("traceContent", given.traceContent) ?? resolveTraceContentEnv(env, warnings),
    batching: resolveBatching(given, env),
    resourceAttributes,
    instrumentations: resolveList<Instrumentation>(
      "instrumentations",
      given.instrumentations,
      ["setTracerProvider", "enable", "disable"],
      "Instrumentation",
    ),
    instrumentModules: resolveInstrumentModules(given.instrumentModules),
    tracerProvider: resolveTracerProvider(given.tracerProvider),
    exporters,
    consoleExporter,
    spanProcessors,
    otlpProtocol,
    tracesDir: resolveTracesDir(given, env, hasDestination),
    htmlReports: optionalBoolean("htmlReports", given.htmlReports) ?? envBoolean(env, ENV.HTML_REPORTS) ?? true,
    printTree: resolvePrintTree(given, env, hasDestination),
    logLevel,
    flushOnExit: optionalBoolean("flushOnExit", given.flushOnExit) ?? envBoolean(env, ENV.FLUSH_ON_EXIT) ?? true,
    exportThread: resolveChoice("exportThread", given.exportThread, ENV.EXPORT_THREAD, env, EXPORT_THREADS, quoted(EXPORT_THREADS, " or "), "worker"),
    exitFlushTimeoutMillis: deadline("exitFlushTimeoutMillis", DEADLINE_ENV.EXIT_FLUSH_TIMEOUT, DEFAULT_EXIT_FLUSH_TIMEOUT_MILLIS),
    flushTimeoutMillis: deadline("flushTimeoutMillis", DEADLINE_ENV.FLUSH_TIMEOUT, DEFAULT_FLUSH_TIMEOUT_MILLIS),
    shutdownTimeoutMillis: deadline("shutdownTimeoutMillis", DEADLINE_ENV.SHUTDOWN_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT_MILLIS),
    warnings,
  };
}

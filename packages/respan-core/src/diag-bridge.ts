/**
 * Shows OpenTelemetry's diagnostics — the `diag` logger, through which the SDK and instrumentations
 * (`this._diag` of an InstrumentationBase, e.g. the Pipecat one's telemetry failures) report problems —
 * through the client's own Logger: same level, "[respan]" prefix, secrets masked. Without a diag logger
 * those reports are silently dropped.
 *
 * A diag logger the application registered itself is never replaced, and ours is removed at shutdown only
 * if it is still the registered one.
 */
import { diag, DiagLogLevel, type DiagLogger } from "@opentelemetry/api";
import { inspect } from "node:util";
import { describeError, type Logger, type LogLevel } from "./logger.js";

// The API keeps its globals (the diag logger among them) on globalThis under this key, shared by every
// copy of API major version 1. The API has no getter for the diag logger: this is the only way to see
// whether one is registered.
const OTEL_API_GLOBALS_KEY = Symbol.for("opentelemetry.js.api.1");
type OtelApiGlobals = { [OTEL_API_GLOBALS_KEY]?: { diag?: unknown } };

const DIAG_LEVEL: Record<Exclude<LogLevel, "silent">, DiagLogLevel> = {
  debug: DiagLogLevel.DEBUG,
  info: DiagLogLevel.INFO,
  warn: DiagLogLevel.WARN,
  error: DiagLogLevel.ERROR,
};

// Diagnostics the client already reports in its own words (with counts): not printed twice.
const REPORTED_BY_CLIENT = [/^Dropped \d+ spans because maxQueueSize reached$/];
// Diagnostics the SDK repeats for every span (an attributeHook returning a bad value for each span, a
// late call on ended spans): shown once, with the first occurrence's details.
const REPORTED_ONCE = [
  { key: "invalid-attribute", pattern: /^Invalid attribute (value set for )?key/ },
  { key: "ended-span", pattern: /^Cannot execute the operation on ended Span/ },
];
const ONCE_SUFFIX = " (later occurrences are not reported)";

const OWN_PREFIX = "[respan] ";
// Extra arguments can be whole span batches (debug level): keep each one short.
const INSPECT_OPTIONS = { depth: 2, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 500 };

function registeredDiagLogger(): unknown {
  return (globalThis as OtelApiGlobals)[OTEL_API_GLOBALS_KEY]?.diag;
}

function describeArgument(argument: unknown): string {
  if (typeof argument === "string") return argument;
  if (argument instanceof Error) return describeError(argument);
  try {
    return inspect(argument, INSPECT_OPTIONS);
  } catch {
    return "(unprintable value)";
  }
}

function forwardTo(print: (message: string) => void, logger: Logger): (message: string, ...args: unknown[]) => void {
  return (message, ...args) => {
    const text = [message, ...args].map(describeArgument).join(" ");
    if (REPORTED_BY_CLIENT.some((pattern) => pattern.test(text))) return;
    const repeated = REPORTED_ONCE.find(({ pattern }) => pattern.test(text));
    if (repeated !== undefined) {
      logger.warnOnce(`diag:${repeated.key}`, `${text}${ONCE_SUFFIX}`);
      return;
    }
    print(text.startsWith(OWN_PREFIX) ? text.slice(OWN_PREFIX.length) : text);
  };
}

/**
 * Registers a diag logger forwarding to `logger` at `level`, unless one is already registered or the
 * level is "silent". Returns the function that removes it (a no-op when nothing was installed, or when
 * someone registered another diag logger since).
 */
export function installDiagBridge(logger: Logger, level: LogLevel): () => void {
  if (level === "silent" || registeredDiagLogger() !== undefined) return () => {};
  const bridge: DiagLogger = {
    error: forwardTo((text) => logger.error(text), logger),
    warn: forwardTo((text) => logger.warn(text), logger),
    info: forwardTo((text) => logger.info(text), logger),
    debug: forwardTo((text) => logger.debug(text), logger),
    verbose: forwardTo((text) => logger.debug(text), logger),
  };
  diag.setLogger(bridge, { logLevel: DIAG_LEVEL[level], suppressOverrideMessage: true });
  // The API registers a level-filtering wrapper around `bridge`: remember that object to recognise it later.
  const installed = registeredDiagLogger();
  return () => {
    if (installed !== undefined && registeredDiagLogger() === installed) diag.disable();
  };
}

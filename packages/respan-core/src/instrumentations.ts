/**
 * Registers OpenTelemetry instrumentations with the client's tracer provider, as
 * `registerInstrumentations` does (set the provider, enable), plus what a client owes its users: the same
 * instrumentation given twice is registered once, one that throws is reported and skipped, and content
 * capture switched off globally reaches instrumentations that did not choose for themselves.
 */
import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import { describeError, type Logger } from "./logger.js";

/**
 * What the client uses of an OpenTelemetry instrumentation (`Instrumentation` of
 * @opentelemetry/instrumentation, any version), spelled out so this package's types need no particular
 * version of that package.
 */
export interface Instrumentation {
  instrumentationName?: string;
  setTracerProvider(tracerProvider: TracerProvider): void;
  /** Offered by instrumentations that record metrics (InstrumentationBase does). */
  setMeterProvider?(meterProvider: MeterProvider): void;
  enable(): void;
  disable(): void;
  getConfig?(): object;
  setConfig?(config: object): void;
  isEnabled?(): boolean;
  /** Offered by instrumentations that can patch a module loaded without their hook (e.g. the Pipecat one). */
  manuallyInstrument?(moduleExports: unknown): void;
  /** Offered by instrumentations that can tell when they instrumented nothing (they warn once). */
  checkSetup?(): void;
}

/** Instrumentation config key honoured by content-capturing instrumentations (e.g. the Pipecat one). */
const CAPTURE_CONTENT = "captureContent";
/** OpenTelemetry's GenAI content switch, read by those instrumentations when their config does not choose. */
const GENAI_CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

function nameOf(instrumentation: Instrumentation): string {
  return instrumentation.instrumentationName || instrumentation.constructor?.name || "an instrumentation";
}

function isEnabled(instrumentation: Instrumentation): boolean {
  // InstrumentationBase exposes isEnabled(); otherwise fall back to the rule registerInstrumentations uses.
  if (typeof instrumentation.isEnabled === "function") return instrumentation.isEnabled();
  return (instrumentation.getConfig?.() as { enabled?: unknown } | undefined)?.enabled === true;
}

/**
 * Hands the client's traceContent to an instrumentation that did not choose `captureContent` itself:
 * alone, such an instrumentation captures no content unless OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT
 * says so; managed by Respan it follows traceContent (default on). Privacy wins both ways: traceContent
 * false always applies, and a set OTEL variable is left for the instrumentation to read (so "false" there,
 * or a value it cannot parse, keeps content off).
 */
function applyContentCapture(instrumentation: Instrumentation, traceContent: boolean): void {
  if (typeof instrumentation.getConfig !== "function" || typeof instrumentation.setConfig !== "function") return;
  const config = instrumentation.getConfig() as Record<string, unknown>;
  if (config[CAPTURE_CONTENT] !== undefined) return;
  if (traceContent && (process.env[GENAI_CAPTURE_CONTENT_ENV] ?? "").trim() !== "") return;
  instrumentation.setConfig({ ...config, [CAPTURE_CONTENT]: traceContent });
}

/** Registers each instrumentation once; returns the ones now registered (to disable at shutdown). */
export function registerInstrumentations(
  instrumentations: readonly Instrumentation[],
  tracerProvider: TracerProvider,
  traceContent: boolean,
  logger: Logger,
): Instrumentation[] {
  const registered: Instrumentation[] = [];
  const names = new Set<string>();
  for (const instrumentation of instrumentations) {
    const name = nameOf(instrumentation);
    if (registered.includes(instrumentation) || (instrumentation.instrumentationName && names.has(name))) {
      logger.warn(`instrumentation ${name} is listed twice; registering it once`);
      continue;
    }
    try {
      applyContentCapture(instrumentation, traceContent);
      instrumentation.setTracerProvider(tracerProvider);
      if (!isEnabled(instrumentation)) instrumentation.enable();
      registered.push(instrumentation);
      names.add(name);
      logger.debug(`instrumentation ${name} registered`);
    } catch (error) {
      logger.warn(`instrumentation ${name} could not be enabled and is skipped: ${describeError(error)}`);
    }
  }
  return registered;
}

/** Hands each already loaded module to every instrumentation that can patch it by hand. */
export function instrumentModules(instrumentations: readonly Instrumentation[], modules: readonly unknown[], logger: Logger): void {
  for (const instrumentation of instrumentations) {
    if (typeof instrumentation.manuallyInstrument !== "function") continue;
    for (const moduleExports of modules) {
      try {
        instrumentation.manuallyInstrument(moduleExports);
      } catch (error) {
        logger.warn(`instrumentation ${nameOf(instrumentation)} could not instrument a module: ${describeError(error)}`);
      }
    }
  }
}

/** Lets each instrumentation that can tell warn when it instrumented nothing (the first flush is a good time: the app has loaded its modules). */
export function checkInstrumentationSetup(instrumentations: readonly Instrumentation[]): void {
  for (const instrumentation of instrumentations) {
    try {
      instrumentation.checkSetup?.();
    } catch {
      // A diagnostic must never break a flush.
    }
  }
}

/** Disables instrumentations at shutdown; a failure is reported, never thrown. */
export function disableInstrumentations(instrumentations: readonly Instrumentation[], logger: Logger): void {
  for (const instrumentation of instrumentations) {
    try {
      instrumentation.disable();
    } catch (error) {
      logger.warn(`instrumentation ${nameOf(instrumentation)} could not be disabled: ${describeError(error)}`);
    }
  }
}

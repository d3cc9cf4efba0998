/**
 * Registers OpenTelemetry instrumentations with the client's tracer provider, as
 * `registerInstrumentations` does (set the provider, enable), plus what a client owes its users: the same
 * instrumentation given twice is registered once, one that throws is reported and skipped, and content
 * capture switched off globally reaches instrumentations that did not choose for themselves.
 */
import type { TracerProvider } from "@opentelemetry/api";
import type { Instrumentation, InstrumentationConfig } from "@opentelemetry/instrumentation";
import { describeError, type Logger } from "./logger.js";

/** Instrumentation config key honoured by content-capturing instrumentations (e.g. the Pipecat one). */
const CAPTURE_CONTENT = "captureContent";

type MaybeEnabled = Instrumentation & { isEnabled?: () => boolean };

function nameOf(instrumentation: Instrumentation): string {
  return instrumentation.instrumentationName || instrumentation.constructor?.name || "an instrumentation";
}

function isEnabled(instrumentation: MaybeEnabled): boolean {
  // InstrumentationBase exposes isEnabled(); otherwise fall back to the rule registerInstrumentations uses.
  if (typeof instrumentation.isEnabled === "function") return instrumentation.isEnabled();
  return instrumentation.getConfig?.().enabled === true;
}

function applyContentCapture(instrumentation: Instrumentation, traceContent: boolean): void {
  if (traceContent || typeof instrumentation.getConfig !== "function" || typeof instrumentation.setConfig !== "function") {
    return;
  }
  const config = instrumentation.getConfig() as InstrumentationConfig & Record<string, unknown>;
  if (config[CAPTURE_CONTENT] === undefined) {
    instrumentation.setConfig({ ...config, [CAPTURE_CONTENT]: false } as InstrumentationConfig);
  }
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

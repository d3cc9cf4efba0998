import type { DiagLogger } from "@opentelemetry/api";

/** The `code` of the process warnings this instrumentation emits. */
export const WARNING_CODE_ERROR = "PIPECAT_INSTRUMENTATION_ERROR";
export const WARNING_CODE_WARNING = "PIPECAT_INSTRUMENTATION_WARNING";

/**
 * Telemetry failures never reach user code: they are caught at every entry point and reported here, once
 * per place, so a recurring bug on a hot path cannot flood the log. Each first report reaches the user as a
 * Node process warning (printed by default, whether or not an OpenTelemetry diag logger is installed),
 * naming only the place and the error's class — never its message, which may carry user content — while
 * the diag logger, when there is one, gets the error itself.
 */
export class ErrorReporter {
  private readonly reported = new Set<string>();

  constructor(private readonly diag: DiagLogger) {}

  report(where: string, error: unknown): void {
    if (this.reported.has(where)) return;
    this.reported.add(where);
    emit(
      `@respan/instrumentation-pipecat: telemetry failure in ${where} (${errorClass(error)}); the pipeline is ` +
        "unaffected and further failures there are not reported. Install an OpenTelemetry diag logger for details.",
      WARNING_CODE_ERROR,
    );
    try {
      this.diag.error(`telemetry failure in ${where} (further failures there are not logged)`, error);
    } catch {
      // A broken diag logger must not break the pipeline either.
    }
  }

  /** A debug line for whoever installed a diag logger at debug level (nothing else is told). */
  debug(message: string): void {
    try {
      this.diag.debug(message);
    } catch {
      // As below.
    }
  }

  warnOnce(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    emit(`@respan/instrumentation-pipecat: ${message}`, WARNING_CODE_WARNING);
    try {
      this.diag.warn(message);
    } catch {
      // As above.
    }
  }
}

function emit(message: string, code: string): void {
  try {
    process.emitWarning(message, { code });
  } catch {
    // Nothing sensible to do if even that fails.
  }
}

function errorClass(error: unknown): string {
  if (error instanceof Error) return error.name || "Error";
  return error === null ? "null" : typeof error;
}

import type { DiagLogger } from "@opentelemetry/api";

/**
 * Telemetry failures never reach user code: they are caught at every entry point and reported here,
 * once per place, so a recurring bug on a hot path cannot flood the log.
 */
export class ErrorReporter {
  private readonly reported = new Set<string>();

  constructor(private readonly diag: DiagLogger) {}

  report(where: string, error: unknown): void {
    if (this.reported.has(where)) return;
    this.reported.add(where);
    try {
      this.diag.error(`telemetry failure in ${where} (further failures there are not logged)`, error);
    } catch {
      // A broken diag logger must not break the pipeline either.
    }
  }

  warnOnce(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    try {
      this.diag.warn(message);
    } catch {
      // As above.
    }
  }
}
